#!/usr/bin/env bash
# Builds everything and runs every test:
#   1. Swift: unit tests of each module, and end-to-end tests that start the built asana-accessd and
#      asana-sim on loopback and drive the asana-access client, plus every conformance transcript;
#   2. Python: the Python client (standard library only) against the real server, each answer checked
#      against the JSON Schemas rpc.discover publishes (python3-jsonschema), and the
#      conformance transcripts again through the Python runner;
#   3. the shell completion scripts in real bash, fish and zsh;
#   4. the release tarball (scripts/package.sh: a release build in .build-package) installed into a temporary
#      prefix and checked there (scripts/check-package.sh).
# The store's tests run against SQLite and a real PostgreSQL: unless ASANA_ACCESS_TEST_POSTGRES_URL names a
# server (a superuser's URL), a throwaway cluster is started in a temporary directory on a free 127.0.0.1 port
# (scripts/postgres-cluster.sh) and stopped when this script exits.
# Needs: Swift 6.1+, python3, libsqlite3-dev, postgresql (scripts/install-deps.sh installs the system packages).
# Extra arguments go to `swift test` (e.g. --filter LineRPCTests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ -z "${ASANA_ACCESS_TEST_POSTGRES_URL:-}" ]; then
  postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/asana-access-postgres.XXXXXX")
  trap 'scripts/postgres-cluster.sh stop "$postgres_dir"' EXIT
  ASANA_ACCESS_TEST_POSTGRES_URL=$(scripts/postgres-cluster.sh start "$postgres_dir" | tail -n 1)
  export ASANA_ACCESS_TEST_POSTGRES_URL ASANA_ACCESS_TEST_POSTGRES_CA="$postgres_dir/ca.pem"
fi
export ASANA_ACCESS_REQUIRE_POSTGRES=1
swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
else
  # The PostgreSQL-heavy suites (hundreds of databases, several servers and clients) run after the others, not beside
  # them: together they kept two cores busy long enough to starve the timing tests (TLS handshake and idle timeouts,
  # the simulator's HTTP deadlines).
  heavy='ReplicasEndToEndTests|PostgresSnapshotTests|PostgresAuditTests|StoreCopyTests'
  swift test --skip-build --skip "$heavy"
  swift test --skip-build --filter "$heavy"
fi
export ASANA_ACCESS_BIN_DIR="$PWD/.build/debug"
python3 -m unittest discover -s clients/conformance -p "test_*.py"
python3 -m unittest discover -s clients/python/tests
clients/completions/test-completions.sh .build/debug/asana-access
tarball=$(scripts/package.sh .build-package/dist | tail -n 1)
scripts/check-package.sh "$tarball" .build/debug/asana-sim
