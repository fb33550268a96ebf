#!/usr/bin/env bash
# Builds the release tarball dist/asana-access-<version>-linux-<arch>.tar.gz, laid out as an install prefix
# (extract it with --strip-components=1 into /usr/local, or any prefix):
#   bin/asana-accessd, bin/asana-access         release builds, Swift runtime and Foundation linked in
#                                               (--static-swift-stdlib); they need glibc, libstdc++, zlib and
#                                               libsqlite3 (Debian: libsqlite3-0) only
#   share/man/man1/*.1                          man pages generated from the argument parsers
#                                               (swift-argument-parser's generate-manual plugin)
#   share/bash-completion/completions/asana-access, share/zsh/site-functions/_asana-access,
#   share/fish/vendor_completions.d/asana-access.fish   the client's shell completions
#   lib/systemd/system/asana-accessd.service    the systemd unit (deploy/systemd)
#   share/doc/asana-access/                     README.md, protocol.md, LICENSE, CHANGELOG.md and examples/
#                                               (the sample configuration and the Prometheus alert rules)
# Usage: scripts/package.sh [OUTPUT_DIR]   (default dist/); prints the tarball's path on its last line.
# Builds the release binaries in .build-package (SCRATCH overrides), apart from the debug build the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-dist}
scratch=${SCRATCH:-.build-package}

# Man pages: swift-argument-parser's plugin builds every product, runs each executable with
# --experimental-dump-help and writes mdoc pages, one per subcommand (--multi-page). It runs on the debug build
# in .build (the one scripts/test.sh makes: then it only builds its own tool), since the help text is the same and
# a second release build (the plugin cannot link statically) would double the time.
swift package --scratch-path .build generate-manual --configuration debug --multi-page >&2
pages=".build/plugins/GenerateManual/outputs"
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product asana-accessd >&2
swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product asana-access >&2
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)
version=$("$bin/asana-accessd" --version)
arch=$(uname -m)
name="asana-access-$version-linux-$arch"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" "$root/share/zsh/site-functions" \
  "$root/share/fish/vendor_completions.d" "$root/lib/systemd/system" "$root/share/doc/asana-access/examples"
install -m 0755 "$bin/asana-accessd" "$bin/asana-access" "$root/bin/"
strip "$root/bin/asana-accessd" "$root/bin/asana-access"

# The man pages the plugin wrote, one folder per executable target.
for target in asana-accessd asana-access; do
  [ -d "$pages/$target" ] || { echo "package.sh: no man pages for $target under $pages" >&2; exit 1; }
  install -m 0644 "$pages/$target"/*.1 "$root/share/man/man1/"
done

install -m 0644 clients/completions/asana-access.bash "$root/share/bash-completion/completions/asana-access"
install -m 0644 clients/completions/_asana-access "$root/share/zsh/site-functions/_asana-access"
install -m 0644 clients/completions/asana-access.fish "$root/share/fish/vendor_completions.d/asana-access.fish"
install -m 0644 deploy/systemd/asana-accessd.service "$root/lib/systemd/system/"
install -m 0644 README.md protocol.md LICENSE CHANGELOG.md "$root/share/doc/asana-access/"
install -m 0644 deploy/asana-accessd.yaml deploy/prometheus/alerts.yml "$root/share/doc/asana-access/examples/"

mkdir -p "$output"
tarball="$output/$name.tar.gz"
# Reproducible order and owners: what is in the tarball depends on the tree, not on who built it.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$tarball" "$name"
echo "$tarball"
