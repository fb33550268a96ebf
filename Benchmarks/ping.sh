#!/usr/bin/env bash
# `ping` over TLS 1.3 with mutual TLS: asana-accessd (release build) against redis-server with TLS
# (`PING`), on 127.0.0.1, both driven by the same load generator (Benchmarks/loadgen/main.go, Go
# standard library; it reports its own CPU so it can be shown not to be the bottleneck).
#
# Cases, product and reference interleaved (the order alternates each round; the median of the rounds
# is printed): RSS per idle mutual-TLS connection (256 of them, on the fresh servers: RSS with them
# minus RSS before, / 256); 1 connection × 1 in flight, 50 × 1, 1 × 64; the server's CPU per request
# (utime+stime from /proc/PID/stat over the measured window, and each apart: user space and kernel);
# and, when SUSTAINED_SECONDS > 0, RSS across a sustained 50 × 16 load after a 30 s warm-up.
#
# Prints Markdown rows "case | product | reference | ratio".
# Usage: Benchmarks/ping.sh            (env: PING_SECONDS=5 per case, PING_ROUNDS=3,
#                                       SUSTAINED_SECONDS=0, SWIFT_SCRATCH=.build-release,
#                                       ASANA_ACCESSD=path of a binary to measure instead of building one,
#                                       SERVE_ARGS="--metrics-address 127.0.0.1:0" to measure with more of serve on)
# Needs go and redis-server (Debian: golang-go, redis-server); installs them with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${PING_SECONDS:-5}
rounds=${PING_ROUNDS:-3}
sustained=${SUSTAINED_SECONDS:-0}
scratch=${SWIFT_SCRATCH:-.build-release}

need=()
command -v go >/dev/null || need+=(golang-go)
command -v redis-server >/dev/null || need+=(redis-server)
if (( ${#need[@]} )); then
  echo "installing ${need[*]}" >&2
  # The package's own service is not wanted: only the redis-server started below runs.
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
loadgen=Benchmarks/loadgen/loadgen
if [[ ! -x $loadgen || Benchmarks/loadgen/main.go -nt $loadgen ]]; then
  (cd Benchmarks/loadgen && GOCACHE=${GOCACHE:-/tmp/loadgen-gocache} go build -o loadgen main.go)
fi
if [[ -n ${ASANA_ACCESSD:-} ]]; then
  accessd=$ASANA_ACCESSD
else
  swift build -c release --scratch-path "$scratch" --product asana-accessd >/dev/null
  accessd=$scratch/release/asana-accessd
fi

work=$(mktemp -d)
server_pid=""; redis_pid=""
cleanup() {
  for pid in $server_pid $redis_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $server_pid $redis_pid; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

$accessd certs dev --out "$work/certs" >/dev/null
$accessd init --data-dir "$work/data" >/dev/null
$accessd serve --data-dir "$work/data" --port 0 --log-level warning --sync-interval 0 \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" --client-ca "$work/certs/ca.pem" \
  --principal-role dev-admin=admin ${SERVE_ARGS:-} > "$work/server.out" 2>&1 &
server_pid=$!
until grep -q listening "$work/server.out" 2>/dev/null; do sleep 0.1; done
port=$(grep listening "$work/server.out" | grep -o '[0-9]*$' | head -1)

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port 0 --bind 127.0.0.1 --tls-port "$redis_port" --save '' --appendonly no --daemonize no \
  --tls-cert-file "$work/certs/server.pem" --tls-key-file "$work/certs/server-key.pem" \
  --tls-ca-cert-file "$work/certs/ca.pem" --tls-auth-clients yes --logfile "$work/redis.log" &
redis_pid=$!
until grep -q 'Ready to accept' "$work/redis.log" 2>/dev/null; do sleep 0.1; done

tls=(-ca "$work/certs/ca.pem" -cert "$work/certs/client.pem" -key "$work/certs/client-key.pem")
product() { $loadgen -addr "127.0.0.1:$port" -proto jsonrpc -pid "$server_pid" "${tls[@]}" "$@"; }
reference() { $loadgen -addr "127.0.0.1:$redis_port" -proto redis -pid "$redis_pid" "${tls[@]}" "$@"; }
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A results
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}' if b else '-')" "$1" "$2"; }
# Memory first, on fresh servers: after a load the heap holds freed memory that new connections would reuse.
p=$(product -mode idle -conns 256); echo "$p" >&2
r=$(reference -mode idle -conns 256); echo "$r" >&2
p=$(echo "$p" | field kib_per_conn); r=$(echo "$r" | field kib_per_conn)
results[idle]="| RSS per idle TLS connection (256, fresh server) | $p KiB | $r KiB | $(ratio "$p" "$r") |"

for round in $(seq "$rounds"); do
  for case in 1x1 50x1 1x64; do
    conns=${case%x*}; depth=${case#*x}
    order=(product reference)
    (( round % 2 == 0 )) && order=(reference product)
    for who in "${order[@]}"; do
      line=$($who -conns "$conns" -depth "$depth" -warmup 1s -duration "${seconds}s")
      echo "round $round $case $who: $line" >&2
      results[$who.$case]+="$line"$'\n'
    done
  done
done

# The median over the rounds of one field of one case.
stat() { printf '%s' "${results[$1.$2]}" | grep -o "$3=[0-9.]*" | cut -d= -f2 | median; }
echo "| case | product | reference | ratio |"
echo "|---|---|---|---|"
for case in 1x1 50x1 1x64; do
  label="ping, ${case%x*} connection(s) × ${case#*x} in flight"
  p=$(stat product "$case" req_s); r=$(stat reference "$case" req_s)
  echo "| $label | $p req/s, p50 $(stat product "$case" p50_us) µs, p99 $(stat product "$case" p99_us) µs | $r req/s, p50 $(stat reference "$case" p50_us) µs, p99 $(stat reference "$case" p99_us) µs | $(ratio "$p" "$r") |"
done
# The server's CPU per request in user space and in the kernel (the kernel's share is mostly loopback TCP).
split() { echo "user $(stat "$1" "$2" server_user_us_per_req), kernel $(stat "$1" "$2" server_kernel_us_per_req)"; }
for case in 1x1 50x1 1x64; do
  p=$(stat product "$case" server_cpu_us_per_req); r=$(stat reference "$case" server_cpu_us_per_req)
  echo "| server CPU per ping, $case | $p µs ($(split product "$case")) | $r µs ($(split reference "$case")) | $(ratio "$p" "$r") |"
done
for case in 1x1 50x1 1x64; do
  echo "| load generator CPU per ping (its share of a core), $case | $(stat product "$case" loadgen_cpu_us_per_req) µs ($(stat product "$case" loadgen_cpu_pct)%) | $(stat reference "$case" loadgen_cpu_us_per_req) µs ($(stat reference "$case" loadgen_cpu_pct)%) | |"
done

echo "${results[idle]}"

if (( sustained > 0 )); then
  for who in product reference; do
    out=$($who -conns 50 -depth 16 -warmup 30s -duration "${sustained}s" -rss-every 10s)
    echo "$out" >&2
    # RSS samples after the warm-up: the first, the last and the highest, in MiB.
    summary=$(echo "$out" | awk -F'kib=' '/^rss/ { v = $2 / 1024; if (n == 0) first = v; last = v; if (v > max) max = v; n++ }
      END { printf "%.1f → %.1f MiB (max %.1f, +%.0f%%)", first, last, max, 100 * (max - first) / first }')
    requests=$(echo "$out" | tail -1 | field requests)
    results[sustained.$who]="$summary, $requests requests"
  done
  echo "| RSS under sustained 50×16 ping, ${sustained} s after 30 s warm-up | ${results[sustained.product]} | ${results[sustained.reference]} | |"
fi
