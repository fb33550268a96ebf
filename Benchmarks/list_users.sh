#!/usr/bin/env bash
# listUsers at scale on its own (Benchmarks/run.sh runs the same measurement after its syncs): asana-sim with
# USERS people and TEAMS teams, one sync into asana-accessd (release build, mutual TLS, loopback), then
# Benchmarks/list_users_pages.py: the walk by cursor, single pages (first, middle, last, filtered) 1,000 times
# each, and the first page against a plain script running the same SQL and JSON encoding.
# Usage: Benchmarks/list_users.sh [USERS] [TEAMS]   (defaults 100000 200)
# Prints Markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
teams=${2:-200}
source Benchmarks/stack.sh
export SERVER_LOG_LEVEL=info  # the access log: list_users_pages.py reads each call's server-side time from it
start_stack "$users" "$teams" --requests-per-minute 1000000
start=$(date +%s%N)
synced=$(client sync --workspace 1000 | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["users"], r["teamMemberships"], r["apiCalls"])')
echo "| sync (to have the data) | $users users, $teams teams | $(( ($(date +%s%N) - start) / 1000000 )) ms | users, team memberships, API calls: $synced |"
SERVER_LOG="$work/server.log" python3 Benchmarks/list_users_pages.py "$port" "$work/certs" "$work/data/asana-access.sqlite"
echo "| server peak RSS | after the above | $(( $(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status") / 1024 )) MiB | |"
