#!/usr/bin/env bash
# Issue 15's measurements in one run, on loopback, release binaries:
#   1. a sync of USERS people and TEAMS teams (the simulator answering at once) on a server with the SQLite store
#      and on one with a PostgreSQL store (a throwaway cluster, scripts/postgres-cluster.sh): wall time and ratio;
#   2. every listUsers page of 100 walked over one connection on each (Benchmarks/list_walk.py): p50/p99 per page;
#   3. listUsers first pages from Benchmarks/loadgen (CONNS connections × DEPTH in flight, spread over the servers)
#      against 1, 2 and 3 servers sharing the PostgreSQL store: requests a second and p99.
# Prints Markdown rows. Usage: Benchmarks/replicas.sh [USERS] [TEAMS] [SECONDS]   (defaults 10000 200 10)
# Env: BIN_DIR (default .build-package/release, scripts/package.sh's build; it is not rebuilt here), SIM_BIN (the
# simulator, default $BIN_DIR/asana-sim; package.sh does not build it), CONNS (6), DEPTH (4).
# Everything started is stopped by pid on exit. On a 2-core machine the servers, PostgreSQL and the load generator
# share the same two cores: more servers cannot add throughput there; the row shows what sharing costs.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000}
teams=${2:-200}
seconds=${3:-10}
bin=${BIN_DIR:-.build-package/release}
conns=${CONNS:-6}
depth=${DEPTH:-4}
sim=${SIM_BIN:-$bin/asana-sim}
[ -x "$bin/asana-accessd" ] || { echo "no $bin/asana-accessd: run scripts/package.sh (or set BIN_DIR)" >&2; exit 1; }
[ -x "$sim" ] || { echo "no simulator at $sim: set SIM_BIN (e.g. .build/debug/asana-sim)" >&2; exit 1; }
loadgen=Benchmarks/loadgen/loadgen
if [[ ! -x $loadgen || Benchmarks/loadgen/main.go -nt $loadgen ]]; then
  (cd Benchmarks/loadgen && GOCACHE=${GOCACHE:-/tmp/loadgen-gocache} go build -o loadgen main.go)
fi

work=$(mktemp -d)
# The cluster's directory of its own: as root, postgres-cluster.sh gives it to the postgres user.
pg_dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  scripts/postgres-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
url=$(scripts/postgres-cluster.sh start "$pg_dir" | tail -n 1)
database_url=${url%%/postgres\?*}/postgres?sslmode=disable
$bin/asana-accessd certs dev --out "$work/certs" >/dev/null
"$sim" --generate-users "$users" --generate-teams "$teams" --port 0 --requests-per-minute 100000 > "$work/sim.out" &
pids+=($!)
until grep -q listening "$work/sim.out" 2>/dev/null; do
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "the simulator exited" >&2; exit 1; }
  sleep 0.1
done
sim_url=$(grep -o 'http://[^ ]*' "$work/sim.out")

# serve NAME [--database URL]: starts a server on data directory $work/NAME; sets $port.
serve() {
  local name=$1
  shift
  $bin/asana-accessd serve --data-dir "$work/$name" --port 0 --asana-base-url "$sim_url" --log-level warning --sync-interval 0 \
    --asana-requests-per-minute 100000 "$@" \
    --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" --client-ca "$work/certs/ca.pem" \
    --principal-role dev-admin=admin > "$work/$name.out" &
  pids+=($!)
  until grep -q listening "$work/$name.out" 2>/dev/null; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "server $name exited: $(cat "$work/$name.out")" >&2; exit 1; }
    sleep 0.1
  done
  port=$(grep -o '[0-9]*$' "$work/$name.out")
}
# timed_sync PORT: prints the wall time of one sync of workspace 1000 through that server, in seconds.
timed_sync() {
  local started ended
  started=$(date +%s%N)
  $bin/asana-access sync --workspace 1000 --port "$1" --ca "$work/certs/ca.pem" --cert "$work/certs/client.pem" \
    --key "$work/certs/client-key.pem" --json >/dev/null
  ended=$(date +%s%N)
  awk -v n=$((ended - started)) 'BEGIN { printf "%.2f", n / 1e9 }'
}
row() { awk -v label="$1" -v a="$2" -v b="$3" 'BEGIN { printf "| %s | %.2f s | %.2f s | %.2f |\n", label, a, b, b / a }'; }

$bin/asana-accessd init --data-dir "$work/sqlite" >/dev/null
printf 'demo-admin-token' | $bin/asana-accessd credentials put --data-dir "$work/sqlite" --workspace 1000 --purpose sync --no-check >/dev/null
serve sqlite
sqlite_port=$port
$bin/asana-accessd init --data-dir "$work/pg-1" --database "$database_url" >/dev/null
printf 'demo-admin-token' | $bin/asana-accessd credentials put --data-dir "$work/pg-1" --database "$database_url" --workspace 1000 --purpose sync --no-check >/dev/null
for n in 2 3; do mkdir -m 700 "$work/pg-$n"; cp "$work/pg-1/master.key" "$work/pg-$n/"; done
serve pg-1 --database "$database_url"
pg_ports=($port)

echo "| case | SQLite | PostgreSQL | PostgreSQL / SQLite |"
echo "|---|---|---|---|"
row "first sync, $users people, $teams teams" "$(timed_sync "$sqlite_port")" "$(timed_sync "${pg_ports[0]}")"
row "second sync (nothing changed)" "$(timed_sync "$sqlite_port")" "$(timed_sync "${pg_ports[0]}")"
echo
echo "| case | pages | per page | whole walk |"
echo "|---|---|---|---|"
python3 Benchmarks/list_walk.py "SQLite" "$sqlite_port" "$work/certs"
python3 Benchmarks/list_walk.py "PostgreSQL" "${pg_ports[0]}" "$work/certs"
echo
serve pg-2 --database "$database_url"
pg_ports+=($port)
serve pg-3 --database "$database_url"
pg_ports+=($port)
tls=(-ca "$work/certs/ca.pem" -cert "$work/certs/client.pem" -key "$work/certs/client-key.pem")
echo "| listUsers first page, $conns connections × $depth in flight | result |"
echo "|---|---|"
addresses="127.0.0.1:$sqlite_port"
printf '| SQLite, 1 server | %s |\n' "$($loadgen -addr "$addresses" -method listUsers -params '{"workspace":"1000","limit":100}' \
  -conns "$conns" -depth "$depth" -duration "${seconds}s" "${tls[@]}")"
for count in 1 2 3; do
  addresses=$(for p in "${pg_ports[@]:0:$count}"; do printf '127.0.0.1:%s,' "$p"; done)
  printf '| PostgreSQL, %s server(s) | %s |\n' "$count" "$($loadgen -addr "${addresses%,}" -method listUsers \
    -params '{"workspace":"1000","limit":100}' -conns "$conns" -depth "$depth" -duration "${seconds}s" "${tls[@]}")"
done
