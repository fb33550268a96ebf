#!/usr/bin/env bash
# The main job on embedded defaults: builds, then runs server, Asana simulator and client end to end
# on loopback (asana-accessd demo). Extra arguments go to `asana-accessd demo` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build
exec .build/debug/asana-accessd demo "$@"
