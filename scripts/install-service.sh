#!/usr/bin/env bash
# Publishes TcpChat to /opt/tcpchat and installs it as the systemd service "tcpchat". Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish TcpChat.Server -c Release -o /opt/tcpchat
install -m 0644 scripts/tcpchat.service /etc/systemd/system/tcpchat.service
install -d -m 0755 /etc/tcpchat
if [ ! -f /etc/tcpchat/tcpchat.env ]; then
  install -m 0600 /dev/null /etc/tcpchat/tcpchat.env
  cat > /etc/tcpchat/tcpchat.env <<'ENV'
# Settings for the tcpchat service (KEY=value; sections with __). Examples:
# SUPABASE_URL=https://<project-ref>.supabase.co
# SUPABASE_ANON_KEY=sb_publishable_...
# TCPCHAT_Chat__Host=0.0.0.0
# TCPCHAT_Chat__Tls__CertificatePath=/etc/tcpchat/cert.pem
# TCPCHAT_Chat__Tls__KeyPath=/etc/tcpchat/key.pem
ENV
fi
systemctl daemon-reload
systemctl enable --now tcpchat
systemctl --no-pager status tcpchat || true
