#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's `postgresql` package (scripts/install-deps.sh):
#
#   scripts/postgres-cluster.sh start DIR   # initdb into DIR, start on a free 127.0.0.1 port; prints the URL
#   scripts/postgres-cluster.sh stop DIR    # stop it (fast shutdown) and remove DIR
#
# The cluster listens on 127.0.0.1 only (and a socket in DIR), with password authentication (scram-sha-256)
# for the superuser `asana_access_test` and a random password; the URL printed on the last line is
# postgres://asana_access_test:PASSWORD@127.0.0.1:PORT/postgres?sslmode=disable. Its log is DIR/server.log.
# As root, initdb and the server run as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
command=${1:?usage: postgres-cluster.sh start|stop DIR}
dir=${2:?usage: postgres-cluster.sh start|stop DIR}

bin=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  [ -x "$candidate/initdb" ] && { bin=$candidate; break; }
done
[ -z "$bin" ] && bin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
[ -x "$bin/initdb" ] || { echo "postgres-cluster.sh: no initdb (install Debian's postgresql package)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" > "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
  chmod 600 "$dir/pwfile"
  as_owner "$bin/initdb" -D "$dir/data" -U asana_access_test --pwfile="$dir/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  # A free port: ask the kernel for one, then give it to the server (a race only with another starter).
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  printf '%s\n' "$port" > "$dir/port"
  echo "postgres://asana_access_test:$password@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: postgres-cluster.sh start|stop DIR" >&2
  exit 64
  ;;
esac
