#!/usr/bin/env bash
# Measures sync and listUsers on loopback with the release binaries: asana-sim seeded with
# USERS people and TEAMS teams, asana-accessd on mutual TLS, driven by the asana-access client.
# Usage: Benchmarks/run.sh [USERS] [TEAMS] [LIST_CALLS]   (defaults 10000 200 200)
# Prints one Markdown table row per measurement; copy them into Benchmarks/RESULTS.md.
# Ends with Benchmarks/sync.sh USERS TEAMS (the sync at 50 and 200 ms per Asana call against the floor and
# against Asana's Python SDK in a plain loop) and Benchmarks/ping.sh (ping against redis-server over TLS):
# every case of issue 12 in one command. Benchmarks/history.sh (a year of history) and Benchmarks/hostile.sh
# (the attacker mix) run on their own: they take longer.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000}
teams=${2:-200}
calls=${3:-200}
source Benchmarks/stack.sh
export SERVER_LOG_LEVEL=info  # the access log: list_users_pages.py reads each call's server-side time from it
start_stack "$users" "$teams" --requests-per-minute 100000

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

for run in first second; do
  start=$(date +%s%N)
  result=$(client sync --workspace 1000)
  wall=$(ms "$start")
  synced=$(echo "$result" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["users"], r["teamMemberships"], r["apiCalls"], r["durationMs"])')
  echo "| sync ($run) | $users users, $teams teams | $wall ms wall (client) | users, team memberships, API calls, server ms: $synced |"
done

start=$(date +%s%N)
for _ in $(seq "$calls"); do client list-users --workspace 1000 --limit 100 >/dev/null; done
wall=$(ms "$start")
echo "| list-users, 100 per page | $calls calls, new process + TLS handshake each | $((wall * 1000 / calls)) µs per call | |"

start=$(date +%s%N)
client list-users --workspace 1000 --limit 1000 --all >/dev/null
echo "| list-users --all, 1000 per page | whole snapshot | $(ms "$start") ms | |"
SERVER_LOG="$work/server.log" python3 Benchmarks/list_users_pages.py "$port" "$work/certs" "$work/data/asana-access.sqlite"
echo "| server peak RSS | after the above | $(( $(rss_kb $server_pid) / 1024 )) MiB | |"
kill $sim_pid $server_pid 2>/dev/null || true
SCRATCH=.build-release Benchmarks/sync.sh "$users" "$teams"
SWIFT_SCRATCH=.build-release Benchmarks/ping.sh
