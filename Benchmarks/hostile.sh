#!/usr/bin/env bash
# The hostile mix of issue 10 against a release build, on loopback, for SECONDS (default 60):
# 300 connections over the limit, 100 unauthenticated clients pipelining batches without reading,
# 4 reader-token clients pipelining listUsers batches without reading, 20 slowloris connections,
# and a fresh client pinging once a second (Benchmarks/hostile_mix.py). The server holds a snapshot
# of USERS people (default 5000). Prints crashes, peak RSS, fresh-ping latency and refusals; exits 1
# if the server crashed, a fresh ping failed, or the server did not exit 0 on SIGTERM afterwards.
# Two more parts are off by default: --costly N (unauthenticated clients sending costly-to-decode 64 KiB pings)
# and --stalled-readers N (reader-token clients with a 4 KiB receive buffer that never read).
# Usage: Benchmarks/hostile.sh [SECONDS] [USERS] [hostile_mix.py options, e.g. --batchers 0 to leave a part out]
# Env TERM_AFTER=N: send SIGTERM N seconds into the mix instead of after it, check that connects are refused during
# the drain and that the server exits 0. Env BIN_DIR=DIR: use the release binaries there (e.g. .build-package/release,
# scripts/package.sh's) instead of building .build-release.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
users=${2:-5000}
shift $(( $# < 2 ? $# : 2 ))
if [ -n "${BIN_DIR:-}" ]; then
  bin=$BIN_DIR
else
  swift build -c release --scratch-path .build-release >/dev/null
  bin=.build-release/release
fi
work=$(mktemp -d)
sim_pid=""; server_pid=""
trap 'kill $sim_pid $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT

$bin/asana-accessd certs dev --out "$work/certs" >/dev/null
$bin/asana-accessd init --data-dir "$work/data" >/dev/null
$bin/asana-sim --generate-users "$users" --generate-teams 20 --port 0 --requests-per-minute 100000 > "$work/sim.out" &
sim_pid=$!
until grep -q listening "$work/sim.out" 2>/dev/null; do sleep 0.1; done
sim_url=$(grep -o 'http://[^ ]*' "$work/sim.out")
printf 'demo-admin-token' | $bin/asana-accessd credentials put --data-dir "$work/data" --workspace 1000 --purpose sync --asana-base-url "$sim_url" >/dev/null
$bin/asana-accessd tokens create --data-dir "$work/data" --name hostile-reader --role reader --output "$work/reader.token" >/dev/null
$bin/asana-accessd tokens create --data-dir "$work/data" --name hostile-operator --role operator --output "$work/operator.token" >/dev/null
# No --client-ca: every client connects without a certificate and starts unauthenticated.
# No scheduled syncs: the one sync below is the client's (a first scheduled one would start within seconds).
$bin/asana-accessd serve --data-dir "$work/data" --port 0 --asana-base-url "$sim_url" --log-level error --sync-interval 0 \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" > "$work/server.out" 2>&1 &
server_pid=$!
until grep -q listening "$work/server.out" 2>/dev/null; do sleep 0.1; done
port=$(grep -o '[0-9]*$' "$work/server.out" | head -1)
$bin/asana-access sync --workspace 1000 --port "$port" --ca "$work/certs/ca.pem" --token-file "$work/operator.token" --json >/dev/null

status=0
if [ -n "${TERM_AFTER:-}" ]; then
  # SIGTERM under load: the mix runs on while the server drains; three connects 0.2 s after the signal must be
  # refused at once (the listener is closed), and the server must exit 0 within its 30 s drain limit.
  python3 Benchmarks/hostile_mix.py --port "$port" --ca "$work/certs/ca.pem" --token-file "$work/reader.token" \
    --pid "$server_pid" --seconds "$seconds" "$@" > "$work/mix.out" 2>&1 &
  mix_pid=$!
  sleep "$TERM_AFTER"
  term_at=$(date +%s%N)
  kill -TERM "$server_pid"
  sleep 0.2
  for _ in 1 2 3; do
    python3 -c 'import socket,sys,time
start=time.perf_counter()
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close(); print("connect during drain: accepted (expected refused)")
except ConnectionRefusedError:
    print(f"connect during drain: refused in {(time.perf_counter()-start)*1e3:.1f} ms")' "$port"
  done
  if wait "$server_pid"; then
    echo "server exit on SIGTERM under load: 0 after $(( ($(date +%s%N) - term_at) / 1000000 )) ms"
  else
    echo "server exit on SIGTERM under load: $? (expected 0)"
    status=1
  fi
  server_pid=""
  kill "$mix_pid" 2>/dev/null || true
  exit $status
fi
python3 Benchmarks/hostile_mix.py --port "$port" --ca "$work/certs/ca.pem" --token-file "$work/reader.token" \
  --pid "$server_pid" --seconds "$seconds" "$@" || status=1
kill -TERM "$server_pid"
if wait "$server_pid"; then
  echo "server exit on SIGTERM: 0"
else
  code=$?
  echo "server exit on SIGTERM: $code (expected 0)"
  status=1
fi
server_pid=""
exit $status
