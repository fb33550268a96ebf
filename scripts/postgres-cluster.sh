#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's `postgresql` package (scripts/install-deps.sh):
#
#   scripts/postgres-cluster.sh start DIR   # initdb into DIR, start on a free 127.0.0.1 port; prints the URL
#   scripts/postgres-cluster.sh stop DIR    # stop it (fast shutdown) and remove DIR
#
# The cluster listens on 127.0.0.1 only (and a socket in DIR), with password authentication (scram-sha-256)
# for the superuser `asana_access_test` and a random password; the URL printed on the last line is
# postgres://asana_access_test:PASSWORD@127.0.0.1:PORT/postgres?sslmode=disable. Its log is DIR/server.log.
# TLS is on too (clients choose with sslmode): DIR/ca.pem is the CA of its certificate (CN and SAN 127.0.0.1),
# made with openssl, for tests of sslmode=verify-full&sslrootcert=DIR/ca.pem.
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
  # A CA and a server certificate for 127.0.0.1, so the tests can connect with TLS and verify it.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=asana-access test PostgreSQL CA" \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/data/server.key" -out "$dir/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$dir/data/server.crt" >/dev/null 2>&1
  chmod 600 "$dir/data/server.key"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/data/server.key" "$dir/data/server.crt"
  chmod 644 "$dir/ca.pem"
  # A free port: ask the kernel for one, then give it to the server (a race only with another starter).
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c ssl=on" start >/dev/null \
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
