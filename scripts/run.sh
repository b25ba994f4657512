#!/usr/bin/env bash
# Runs the chat server on 127.0.0.1:7878. With no Supabase project configured (SUPABASE_URL unset) it starts the
# embedded Supabase-Auth-compatible endpoint on 127.0.0.1:54321. Extra arguments are settings: --Chat:Port=7000.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project TcpChat.Server -c Release -- "$@"
