# Sourced by the benchmark scripts: builds the release binaries and starts, on loopback, asana-sim with
# USERS people and TEAMS teams and asana-accessd on mutual TLS with the simulator's admin token as the sync
# credential of workspace 1000; both are stopped (by pid) and the temporary directory removed on exit.
# Usage: start_stack USERS TEAMS [extra asana-sim options...]
# Sets: bin (the release binaries), work (the temporary directory: certs/, data/), sim_url, sim_pid, server_pid,
# port; conn (the client's connection options, --json included) and client() (asana-access with them).
# SERVER_LOG_LEVEL (default warning): info writes the server's log with the access log (one line per call, with
# its durationMs) to $work/server.log, which Benchmarks/list_users_pages.py reads for the server-side time of each call.
start_stack() {
  local users=$1 teams=$2
  shift 2
  swift build -c release --scratch-path .build-release >/dev/null
  bin=.build-release/release
  work=$(mktemp -d)
  trap 'kill ${sim_pid:-} ${server_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
  $bin/asana-accessd certs dev --out "$work/certs" >/dev/null
  $bin/asana-accessd init --data-dir "$work/data" >/dev/null
  $bin/asana-sim --generate-users "$users" --generate-teams "$teams" --port 0 "$@" > "$work/sim.out" &
  sim_pid=$!
  until grep -q listening "$work/sim.out" 2>/dev/null; do sleep 0.1; done
  sim_url=$(grep -o 'http://[^ ]*' "$work/sim.out")
  printf 'demo-admin-token' | $bin/asana-accessd credentials put --data-dir "$work/data" --workspace 1000 --purpose sync --asana-base-url "$sim_url" >/dev/null
  # The server's log (stderr): on the terminal, or with SERVER_LOG_LEVEL=info (the access log) in $work/server.log.
  local server_log=/dev/stderr
  [[ ${SERVER_LOG_LEVEL:-warning} == info ]] && server_log="$work/server.log"
  $bin/asana-accessd serve --data-dir "$work/data" --port 0 --asana-base-url "$sim_url" --log-level "${SERVER_LOG_LEVEL:-warning}" --sync-interval 0 \
    --asana-requests-per-minute 100000 \
    --tls-cert "$work/certs/server.pem" --tls-key "$work/certs/server-key.pem" --client-ca "$work/certs/ca.pem" --principal-role dev-admin=admin > "$work/server.out" 2> "$server_log" &
  server_pid=$!
  until grep -q listening "$work/server.out" 2>/dev/null; do sleep 0.1; done
  port=$(grep -o '[0-9]*$' "$work/server.out")
  conn=(--port "$port" --ca "$work/certs/ca.pem" --cert "$work/certs/client.pem" --key "$work/certs/client-key.pem" --json)
}

client() { "$bin/asana-access" "$@" "${conn[@]}"; }
