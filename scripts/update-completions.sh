#!/bin/sh
# Regenerates the committed shell completion scripts of `asana-access` from the command tree:
#   clients/completions/asana-access.bash, clients/completions/_asana-access (zsh),
#   clients/completions/asana-access.fish
# Run it after changing a subcommand, option or help text; Tests/ClientTests/CompletionScriptTests
# fails until the committed files match what the binary generates.
# Usage: scripts/update-completions.sh   (from anywhere; extra arguments go to `swift build`)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

swift build --product asana-access "$@"
binary="$(swift build --show-bin-path "$@")/asana-access"
out="$root/clients/completions"
mkdir -p "$out"

"$binary" --generate-completion-script bash > "$out/asana-access.bash"
"$binary" --generate-completion-script zsh > "$out/_asana-access"
"$binary" --generate-completion-script fish > "$out/asana-access.fish"

echo "updated: clients/completions/asana-access.bash, clients/completions/_asana-access, clients/completions/asana-access.fish"
