#!/usr/bin/env bash
# listUsers and sync at scale on PostgreSQL, with and without the text index (pg_trgm): a throwaway cluster
# (scripts/postgres-cluster.sh), asana-sim with USERS people and TEAMS teams, asana-accessd on the cluster as a role
# that is not superuser, three syncs (the first: everyone new; then nothing new, twice), VACUUM ANALYZE (what
# autovacuum does within a minute or so), then Benchmarks/list_users_pages.py with the access log's server-side times.
#   TEXT_INDEX=on  (default) a superuser creates pg_trgm in the database first: the server makes the index at start;
#   TEXT_INDEX=off the role may not create pg_trgm (no CREATE on the database): the server scans, as before the index.
# Usage: Benchmarks/list_users_postgres.sh [USERS] [TEAMS]   (defaults 100000 200)
# BIN: the release binaries (default .build-release/release; build them first). Prints Markdown table rows.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
teams=${2:-200}
bin=${BIN:-.build-release/release}
mode=${TEXT_INDEX:-on}
work=$(mktemp -d)
chmod 755 "$work"  # the cluster runs as the postgres user when this runs as root (scripts/postgres-cluster.sh)
cleanup() {
  kill ${sim_pid:-} ${server_pid:-} 2>/dev/null || true
  scripts/postgres-cluster.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
admin_url=$(scripts/postgres-cluster.sh start "$work/pg" | tail -1)
sql() { psql -X -q -t -A "${admin_url%%/postgres\?*}/${1}" -c "$2"; }
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
sql postgres "CREATE ROLE bench LOGIN PASSWORD '$password'"
sql postgres "CREATE DATABASE asana"
sql asana "GRANT USAGE, CREATE ON SCHEMA public TO bench"
[[ $mode == on ]] && sql asana "CREATE EXTENSION pg_trgm"
database="postgres://bench:$password@127.0.0.1:$(cat "$work/pg/port")/asana?sslmode=disable"

$bin/asana-accessd certs dev --out "$work/certs" >/dev/null
$bin/asana-accessd init --data-dir "$work/data" --database "$database" >/dev/null
$bin/asana-sim --generate-users "$users" --generate-teams "$teams" --port 0 --requests-per-minute 1000000 > "$work/sim.out" &
sim_pid=$!
until grep -q listening "$work/sim.out" 2>/dev/null; do sleep 0.1; done
sim_url=$(grep -o 'http://[^ ]*' "$work/sim.out")
printf 'demo-admin-token' | $bin/asana-accessd credentials put --data-dir "$work/data" --database "$database" --workspace 1000 --purpose sync --asana-base-url "$sim_url" >/dev/null
$bin/asana-accessd serve --data-dir "$work/data" --database "$database" --port 0 --asana-base-url "$sim_url" --log-level info --sync-interval 0 \
  --asana-requests-per-minute 100000 \
  --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" --client-ca "$work/certs/ca.pem" --principal-role dev-admin=admin \
  > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
until grep -q listening "$work/server.out" 2>/dev/null; do sleep 0.1; done
port=$(grep -o '[0-9]*$' "$work/server.out")
conn=(--port "$port" --ca "$work/certs/ca.pem" --cert "$work/certs/client.pem" --key "$work/certs/client-key.pem" --json)
echo "| text index | $mode: $(sql asana "SELECT coalesce((SELECT indexdef FROM pg_indexes WHERE indexname = 'workspace_user_search'), 'none')") |"
grep -i "text index\|pg_trgm" "$work/server.log" | sed 's/^/| server log | /; s/$/ |/' || true
for run in first second third; do
  start=$(date +%s%N)
  synced=$($bin/asana-access sync --workspace 1000 "${conn[@]}" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["users"], r["added"], r["updated"], r["teamMemberships"])')
  echo "| sync, $run | $users users, $teams teams | $(( ($(date +%s%N) - start) / 1000000 )) ms | users, added, updated, team memberships: $synced |"
done
echo "| sizes | table workspace_user $(sql asana "SELECT pg_size_pretty(pg_relation_size('workspace_user'))"), its indexes $(sql asana "SELECT pg_size_pretty(pg_indexes_size('workspace_user'))"), text index $(sql asana "SELECT coalesce(pg_size_pretty(pg_relation_size(to_regclass('workspace_user_search'))), 'none')") |"
sql asana "VACUUM ANALYZE"
# Each text's planner estimate (the statement PostgresTextIndex.plan runs; under 4,000: the index plan) and its matches.
for text in anders 'alice anders' zoe sen acme.example; do
  estimate=$(sql asana "EXPLAIN SELECT 1 FROM workspace_user WHERE workspace_gid = '1000' AND (coalesce(name_key, '') || ' ' || coalesce(email_key, '')) LIKE '%$text%'" | head -1 | grep -o 'rows=[0-9]*')
  matches=$(sql asana "SELECT count(*) FROM workspace_user WHERE workspace_gid = '1000' AND departed_at IS NULL AND (strpos(name_key, '$text') > 0 OR strpos(email_key, '$text') > 0)")
  echo "| query '$text' | planner estimate $estimate | $matches matches |"
done
SERVER_LOG="$work/server.log" python3 Benchmarks/list_users_pages.py "$port" "$work/certs" -
