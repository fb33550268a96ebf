#!/usr/bin/env bash
# Issue 12's sync case in one run: the product's sync against Asana's floor (the longest chain of dependent pages ×
# the simulator's measured time per call) and against a plain loop over Asana's official Python SDK reading the same
# data from the same simulator, at each per-call latency. Prints Markdown rows: case | product | reference | ratio.
# Usage: Benchmarks/sync.sh [USERS] [TEAMS] [LATENCIES_MS] [extra sync_bench.py options]
#        (defaults 10000 200 50,200; e.g. `Benchmarks/sync.sh 100000 200 0 --no-reference --asana-requests-per-minute 100000`)
# Env: SCRATCH (build directory, default .build-release); PRODUCT_BIN (another build's asana-accessd and
# asana-access, e.g. of the commit before a change, run against this build's simulator).
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000}
teams=${2:-200}
latencies=${3:-50,200}
shift $(( $# < 3 ? $# : 3 ))
scratch=${SCRATCH:-.build-release}
swift build -c release --scratch-path "$scratch" >/dev/null
python=$(Benchmarks/install-deps.sh)
bin="$scratch/release"
"$python" Benchmarks/sync_bench.py --bin "$bin" ${PRODUCT_BIN:+--product-bin "$PRODUCT_BIN"} \
  --users "$users" --teams "$teams" --latencies "$latencies" "$@"
