#!/usr/bin/env bash
# Builds everything and runs every test: unit tests of each module and end-to-end tests that
# start the built asana-accessd and asana-sim binaries on loopback and drive the asana-access client,
# then the shell completion scripts in real bash, fish and zsh (clients/completions/test-completions.sh).
# Needs: Swift 6.1+ and libsqlite3-dev (scripts/install-deps.sh installs it on Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
clients/completions/test-completions.sh .build/debug/asana-access
