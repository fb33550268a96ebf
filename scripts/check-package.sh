#!/usr/bin/env bash
# Installs a tarball from scripts/package.sh into a new temporary prefix and checks it as an operator would use it:
#   - both executables run from there and print the version the tarball is named after;
#   - they link no Swift runtime library (only the system's: glibc, libsqlite3, ...);
#   - a man page per command and subcommand, in mdoc, that man(1) formats when it is installed;
#   - the completions, the systemd unit (checked by `systemd-analyze verify` with ExecStart pointing at the
#     installed binary, and its sandboxing by `systemd-analyze security --offline`), the docs and examples;
#   - the installed server starts on loopback TLS with dev certificates, the installed client pings it, and syncs
#     and lists a workspace of the Asana simulator ASANA_SIM (the one the tests build; it is not in the tarball):
#     the optimized build runs the sync path the debug tests run.
# Usage: scripts/check-package.sh TARBALL ASANA_SIM
set -euo pipefail
tarball=$(realpath "$1")
simulator=${2:?usage: scripts/check-package.sh TARBALL ASANA_SIM (an asana-sim binary, e.g. .build/debug/asana-sim)}
fail() { echo "check-package: $*" >&2; exit 1; }
work=$(mktemp -d)
server_pid=""; sim_pid=""
cleanup() { for pid in $server_pid $sim_pid; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
prefix="$work/prefix"
mkdir -p "$prefix"
tar -xzf "$tarball" --strip-components=1 -C "$prefix"

name=$(basename "$tarball" .tar.gz)            # asana-access-<version>-linux-<arch>
version=${name#asana-access-}; version=${version%-linux-*}
for tool in asana-accessd asana-access; do
  [ -x "$prefix/bin/$tool" ] || fail "bin/$tool is missing or not executable"
  got=$("$prefix/bin/$tool" --version)
  [ "$got" = "$version" ] || fail "$tool --version printed '$got', the tarball says $version"
  if ldd "$prefix/bin/$tool" | grep -q 'libswift\|libFoundation'; then
    fail "$tool links the Swift runtime dynamically: $(ldd "$prefix/bin/$tool" | grep 'libswift\|libFoundation' | head -3)"
  fi
done
"$prefix/bin/asana-access" --help | grep -q "USAGE: asana-access" || fail "asana-access --help does not print its usage"
"$prefix/bin/asana-accessd" --help | grep -q "USAGE: asana-accessd" || fail "asana-accessd --help does not print its usage"

for page in asana-accessd.1 asana-accessd.serve.1 asana-access.1 asana-access.list-users.1; do
  file="$prefix/share/man/man1/$page"
  [ -f "$file" ] || fail "man page $page is missing (have: $(ls "$prefix/share/man/man1" | head -20 | tr '\n' ' '))"
  grep -q '^\.Dt ' "$file" || fail "$page is not an mdoc page"
done
command -v man >/dev/null || fail "man is missing: scripts/install-deps.sh installs the man-db package"
MANPAGER=cat man -l "$prefix/share/man/man1/asana-accessd.serve.1" 2>/dev/null | grep -q -- "--sync-interval" \
  || fail "man -l asana-accessd.serve.1 does not show --sync-interval"
grep -q "^## \[$version\]" "$prefix/share/doc/asana-access/CHANGELOG.md" \
  || fail "CHANGELOG.md has no section '## [$version]' for the version being packaged"

for file in share/bash-completion/completions/asana-access share/zsh/site-functions/_asana-access \
            share/fish/vendor_completions.d/asana-access.fish lib/systemd/system/asana-accessd.service \
            share/doc/asana-access/README.md share/doc/asana-access/protocol.md share/doc/asana-access/LICENSE \
            share/doc/asana-access/CHANGELOG.md share/doc/asana-access/examples/asana-accessd.yaml \
            share/doc/asana-access/examples/alerts.yml; do
  [ -s "$prefix/$file" ] || fail "$file is missing or empty"
done
bash -n "$prefix/share/bash-completion/completions/asana-access" || fail "the bash completion does not parse"

# The sample configuration is valid for the installed server (what the unit's /etc/asana-accessd/asana-accessd.yaml starts from).
"$prefix/bin/asana-accessd" config check --config "$prefix/share/doc/asana-access/examples/asana-accessd.yaml" > "$work/config-check.out" \
  || fail "config check refuses the packaged sample configuration: $(cat "$work/config-check.out")"
grep -q "metrics.address *127.0.0.1:9464" "$work/config-check.out" || fail "the sample configuration does not set metrics.address"

command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing: scripts/install-deps.sh installs the systemd package"
unit="$work/asana-accessd.service"
sed "s#/usr/local/bin/asana-accessd#$prefix/bin/asana-accessd#" "$prefix/lib/systemd/system/asana-accessd.service" > "$unit"
systemd-analyze verify "$unit" || fail "systemd-analyze verify found problems in the unit"
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security printed no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "the unit's exposure level is $exposure, above 2.0 (systemd-analyze security)"

# The installed binaries work together: init, dev certificates, a credential, serve on loopback TLS, ping, sync, list.
data="$work/data"; certs="$work/certs"
"$simulator" --generate-users 300 --generate-teams 5 --port 0 > "$work/sim.out" 2>&1 &
sim_pid=$!
for _ in $(seq 1 600); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
sim_url=$(grep -o 'http://[^ ]*' "$work/sim.out" | head -1)
[ -n "$sim_url" ] || fail "the simulator $simulator did not start: $(cat "$work/sim.out")"
"$prefix/bin/asana-accessd" init --data-dir "$data" >/dev/null
"$prefix/bin/asana-accessd" certs dev --out "$certs" >/dev/null
printf 'demo-admin-token' | "$prefix/bin/asana-accessd" credentials put --data-dir "$data" --workspace 1000 --purpose sync \
  --asana-base-url "$sim_url" >/dev/null || fail "credentials put against the simulator failed"
"$prefix/bin/asana-accessd" serve --data-dir "$data" --host 127.0.0.1 --port 0 --sync-interval 0 --asana-base-url "$sim_url" \
  --tls-cert "$certs/server.pem" --tls-key "$certs/server-key.pem" --client-ca "$certs/ca.pem" \
  --principal-role dev-admin=admin > "$work/serve.out" 2> "$work/serve.err" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$work/serve.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || fail "the installed server exited: $(cat "$work/serve.err")"
  sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.out")
[ -n "$port" ] || fail "the installed server did not announce its port within 60 s"
"$prefix/bin/asana-access" ping --host 127.0.0.1 --port "$port" --ca "$certs/ca.pem" --cert "$certs/client.pem" \
  --key "$certs/client-key.pem" --json > "$work/ping.out" || fail "the installed client could not ping the installed server"
grep -q "$version" "$work/ping.out" || fail "ping did not report version $version: $(cat "$work/ping.out")"
client=("$prefix/bin/asana-access" --host 127.0.0.1 --port "$port" --ca "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client-key.pem")
"${client[@]}" sync --workspace 1000 --json > "$work/sync.out" \
  || fail "the installed server could not sync the simulator: $(cat "$work/sync.out") $(tail -5 "$work/serve.err")"
grep -q '"status":"succeeded"' "$work/sync.out" || fail "the sync did not succeed: $(cat "$work/sync.out")"
"${client[@]}" list-users --workspace 1000 --all --json > "$work/users.out" || fail "list-users failed after the sync"
grep -q '@' "$work/users.out" || fail "list-users lists nobody after the sync"
kill "$server_pid"; wait "$server_pid" || fail "the installed server did not exit 0 on SIGTERM"
server_pid=""
echo "check-package: $name installs into a prefix and works ($(du -sh "$prefix/bin" | cut -f1) of binaries)"
