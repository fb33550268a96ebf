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
source Benchmarks/stack.sh
start_stack "$users" "$teams" --requests-per-minute 1000000
python3 Benchmarks/history_year.py "$port" "$work/certs" "$work/data/asana-access.sqlite" "$sim_url" "$days"
