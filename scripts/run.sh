#!/usr/bin/env bash
# Runs the chat server on 127.0.0.1:7878. With no Supabase project configured (SUPABASE_URL unset) it starts the
# embedded Supabase-Auth-compatible endpoint on 127.0.0.1:54321. Extra arguments are settings: --Chat:Port=7000.
# Builds only when a source file changed since the last build it made: `dotnet run` spends ~3 s checking even when
# nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=TcpChat.Server/bin/Release/net10.0
stamp="$out/.run-sh-built"
if [ ! -f "$stamp" ] || [ -n "$(find TcpChat.Server TcpChat.DevAuth Directory.Build.props Directory.Packages.props global.json \
    -path '*/bin' -prune -o -path '*/obj' -prune -o -type f -newer "$stamp" -print -quit)" ]; then
  dotnet build TcpChat.Server -c Release -nologo -v quiet
  touch "$stamp"
fi
exec dotnet "$out/TcpChat.Server.dll" "$@"
