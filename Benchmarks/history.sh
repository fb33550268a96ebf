#!/usr/bin/env bash
# A year of access history through the real sync path (issue 13): asana-sim with USERS people and TEAMS teams,
# asana-accessd on mutual TLS (release build), then Benchmarks/history_year.py (DAYS syncs, ~1% of people
# changing before each). Usage: Benchmarks/history.sh [USERS] [TEAMS] [DAYS]   (defaults 10000 200 365)
# Prints Markdown table rows; copy them into Benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000}
teams=${2:-200}
days=${3:-365}
swift build -c release --scratch-path .build-release >/dev/null
bin=.build-release/release
work=$(mktemp -d)
trap 'kill $sim_pid $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT

$bin/asana-accessd certs dev --out "$work/certs" >/dev/null
$bin/asana-accessd init --data-dir "$work/data" >/dev/null
$bin/asana-sim --generate-users "$users" --generate-teams "$teams" --port 0 --requests-per-minute 1000000 > "$work/sim.out" &
sim_pid=$!
until grep -q listening "$work/sim.out" 2>/dev/null; do sleep 0.1; done
sim_url=$(grep -o 'http://[^ ]*' "$work/sim.out")
printf 'demo-admin-token' | $bin/asana-accessd credentials put --data-dir "$work/data" --workspace 1000 --purpose sync --asana-base-url "$sim_url" >/dev/null
$bin/asana-accessd serve --data-dir "$work/data" --port 0 --asana-base-url "$sim_url" --log-level warning --sync-interval 0 \
  --asana-requests-per-minute 100000 \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" --client-ca "$work/certs/ca.pem" --principal-role dev-admin=admin > "$work/server.out" &
server_pid=$!
until grep -q listening "$work/server.out" 2>/dev/null; do sleep 0.1; done
port=$(grep -o '[0-9]*$' "$work/server.out")
python3 Benchmarks/history_year.py "$port" "$work/certs" "$work/data/asana-access.sqlite" "$sim_url" "$days"
