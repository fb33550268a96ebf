#!/usr/bin/env bash
# Installs what the benchmarks need beyond the build: a Python venv in .build-bench-venv/ (ignored by git, as every
# .build-* directory) with Asana's official Python SDK (`asana` from PyPI, v5), the reference the sync is compared
# with. Idempotent; prints the venv's python path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-bench-venv
if ! "$venv/bin/python" -c 'import asana, sys; sys.exit(0 if asana.__version__.startswith("5.") else 1)' 2>/dev/null; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'asana>=5,<6' >&2
fi
echo "$PWD/$venv/bin/python"
