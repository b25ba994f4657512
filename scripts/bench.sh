#!/usr/bin/env bash
# Runs the performance issue's standard benchmark set against the server (and the same scenarios, --raw, against the
# trivial C relay of /work/shared/bench/limit.c or $LIMIT_C), then prints a Markdown table and writes it to
# bench-results/results.md (raw output and JSON lines beside it).
#   scripts/bench.sh            the standard set, once (about 3 minutes)
#   scripts/bench.sh --runs 3   the standard set three times; the table shows medians
#   scripts/bench.sh --smoke    tiny sizes of every scenario, no targets, seconds; exits non-zero if a line was
#                               lost or out of order or a scenario failed (CI)
#   scripts/bench.sh --no-relay skip the C relay runs
#   scripts/bench.sh --only L   only the runs labelled L (e.g. stream, fanout-100, relay-stream)
set -uo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

smoke=0; runs=1; relay=1; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --runs) runs="$2"; shift ;;
    --no-relay) relay=0 ;;
    --only) only="$2"; shift ;;
    *) echo "usage: $0 [--smoke] [--runs N] [--no-relay] [--only LABEL]" >&2; exit 2 ;;
  esac
  shift
done

# 10,000 held connections need more descriptors than the usual 1024, in both processes (children inherit this).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

out="$root/bench-results"
mkdir -p "$out"
tmp="$(mktemp -d)"
server_pid=""
hash_cost=1000

echo "building (Release)..."
if ! dotnet build TcpChat.sln -c Release -warnaserror >"$tmp/build.log" 2>&1; then
  grep -E "error" "$tmp/build.log" | sort -u
  echo "build failed"; exit 1
fi
server_dll="$root/TcpChat.Server/bin/Release/net10.0/TcpChat.Server.dll"
bench=(dotnet "$root/TcpChat.Bench/bin/Release/net10.0/TcpChat.Bench.dll")

limit_src="${LIMIT_C:-$root/../shared/bench/limit.c}"
if [ "$relay" -eq 1 ]; then
  if [ -f "$limit_src" ] && cc -O2 -o "$tmp/limit" "$limit_src"; then :; else
    echo "note: C relay not built ($limit_src); relay runs skipped"; relay=0
  fi
fi

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_port() { # port seconds
  for _ in $(seq 1 $(($2 * 10))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
  fi
}

stop_server() {
  stop_pid "$server_pid"; server_pid=""
  stop_pid "${devauth_pid:-}"; devauth_pid=""
}

# A fresh server per scenario (clean memory baseline, empty rooms): limits off, a large outbox. The auth endpoint
# (DevAuth, low hash cost, temporary user file) runs as its own process, as Supabase would be remote: the server's
# memory and CPU figures are then the chat server's alone.
start_server() {
  port=$(free_port); devauth_port=$(free_port)
  dotnet "$server_dll" devauth \
    --DevAuth:PasswordHashIterations="$hash_cost" --DevAuth:DataPath="$tmp/devauth-$port.json" --DevAuth:Port="$devauth_port" \
    --Logging:LogLevel:Default=Warning >"$tmp/devauth-$port.log" 2>&1 &
  devauth_pid=$!
  dotnet "$server_dll" \
    --Chat:Port="$port" --Store:Path="$tmp/tcpchat-$port.db" --Chat:MessagesPerSecond=0 --Chat:OutboxBytes=268435456 --Chat:OutboxHardBytes=536870912 \
    --Chat:MaxConnections=100000 --Chat:MaxConnectionsPerAddress=100000 \
    --Supabase:Url="http://127.0.0.1:$devauth_port" --Supabase:AnonKey=sb_publishable_tcpchat_devauth_local_only \
    --Supabase:LoginsPerMinutePerAddress=0 --Supabase:MaxConcurrentCalls=256 \
    --Logging:LogLevel:Default=Warning >"$tmp/server-$port.log" 2>&1 &
  server_pid=$!
  if ! wait_port "$devauth_port" 30 || ! wait_port "$port" 30; then
    echo "server did not start (will retry on other ports):"; tail -3 "$tmp/devauth-$port.log" "$tmp/server-$port.log"; stop_server; return 1
  fi
}

trap 'stop_server; rm -rf "$tmp"' EXIT

start_relay() {
  port=$(free_port)
  "$tmp/limit" -p "$port" 2>/dev/null &
  server_pid=$!
  wait_port "$port" 10
}

failed=0
results="$out/results.jsonl"
: >"$results"
: >"$out/output.txt"

run() { # label scenario args...  (against the server)
  local label="$1"; shift
  [ -z "$only" ] || [ "$only" = "$label" ] || return 0
  # free_port only probes: another process may take the port before we bind it, so try fresh ports a few times.
  start_server || start_server || start_server || { failed=1; return; }
  "${bench[@]}" "$@" --label "$label" --port "$port" --server-pid "$server_pid" \
    --devauth "http://127.0.0.1:$devauth_port" --hash-cost "$hash_cost" | tee -a "$out/output.txt" | collect
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed=1
  stop_server
}

run_raw() { # label scenario args...  (against the C relay)
  [ "$relay" -eq 1 ] || return 0
  local label="$1"; shift
  [ -z "$only" ] || [ "$only" = "$label" ] || return 0
  start_relay || start_relay || start_relay || { failed=1; return; }
  "${bench[@]}" "$@" --raw --label "$label" --port "$port" --server-pid "$server_pid" | tee -a "$out/output.txt" | collect
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed=1
  stop_server
}

collect() { tee >(grep '^{' >>"$results"); }

if [ "$smoke" -eq 1 ]; then
  run smoke-fanout fanout --clients 20 --senders 4 --messages 200
  run smoke-stream stream --messages 5000
  run smoke-paced paced --clients 10 --senders 2 --rate 200 --duration 1 --warmup 0.2
  run smoke-connections connections --clients 200 --per-address 50 --hold 1
  run smoke-logins logins --users 10 --auth-logins 50 --token-logins 200
  run_raw smoke-fanout fanout --clients 20 --senders 4 --messages 200
  run_raw smoke-paced paced --clients 10 --senders 2 --rate 200 --duration 1 --warmup 0.2
  sleep 0.2 # let the tee into results.jsonl finish
  if [ "$failed" -ne 0 ] || grep -q '"ok":false' "$results"; then
    echo "bench smoke: FAILED"; exit 1
  fi
  echo "bench smoke: ok ($(wc -l <"$results") runs)"
  exit 0
fi

for r in $(seq 1 "$runs"); do
  echo "=== sitting $r of $runs"
  run fanout-100 fanout --clients 100 --senders 10 --messages 2000
  run_raw fanout-100 fanout --clients 100 --senders 10 --messages 2000
  run fanout-1000 fanout --clients 1000 --senders 10 --messages 200
  run_raw fanout-1000 fanout --clients 1000 --senders 10 --messages 200
  run stream stream --clients 2 --senders 1 --messages 200000
  run_raw stream stream --clients 2 --senders 1 --messages 200000
  run paced paced --clients 100 --senders 10 --rate 1000 --duration 20
  run_raw paced paced --clients 100 --senders 10 --rate 1000 --duration 20
  run connections connections --clients 10000 --hold 20
  run logins logins --users 100 --auth-logins 2000 --token-logins 20000
done
sleep 0.2

{
  echo "## TcpChat benchmark ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), loopback, server and load generator on the same machine. DevAuth PBKDF2 cost $hash_cost."
  echo
  "${bench[@]}" table "$results"
} | tee "$out/results.md"
[ "$failed" -eq 0 ] || { echo "some runs FAILED (see bench-results/output.txt)"; exit 1; }
