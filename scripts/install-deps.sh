#!/usr/bin/env bash
# Installs the system packages the build and tests need, when missing (Debian/Ubuntu, as root or with sudo):
# libsqlite3-dev (GRDB links the system SQLite), openssl (certs/make-dev-certs.sh and its test),
# fish and zsh (clients/completions/test-completions.sh completes in them), socat and ncat
# (the clients/shell one-liners, run by the Python tests), python3-jsonschema (the Python tests check
# every answer against the JSON Schemas rpc.discover publishes), chromium (a Python test renders the HTML
# access review headless and checks it makes no network request), prometheus (its promtool checks the
# /metrics exposition and deploy/prometheus/alerts.yml, and runs the alert rules' unit tests), systemd
# (systemd-analyze verifies deploy/systemd/asana-accessd.service in scripts/check-package.sh) and man-db
# (man -l formats the packaged man pages there), postgresql (scripts/postgres-cluster.sh starts a throwaway
# cluster for the PostgreSQL store's tests; the package's own "main" cluster is not created; its server package,
# postgresql-NN, carries the contrib extension pg_trgm that the text index tests create) and haproxy (the
# end-to-end test of two servers behind a TCP load balancer, from deploy/haproxy.cfg).
set -euo pipefail
missing=()
for package in libsqlite3-dev openssl fish zsh socat ncat python3-jsonschema chromium prometheus systemd man-db postgresql haproxy; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  # The tests start their own cluster; a system-wide one on port 5432 would only be in the way.
  $sudo mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
