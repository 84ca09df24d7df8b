#!/usr/bin/env bash
# emacs-eglot.sh: README.md's Eglot snippets, as written, in batch Emacs 28 with Debian's Eglot 1.9
# and go-mode, drive `heaplens serve` on the Go 1.19 leakcache dump.
#
# Usage: bash tests/e2e/emacs-eglot.sh <path-to-heaplens>   (ctest passes it, with HEAPLENS_TEST_DATA).
# main.go is copied into a temporary directory with no version control above it (Eglot must not
# need a project.el project), not where the dump was written, so the server maps the build path.
# Expected: main.go:53 holds 10,000 live Session objects; then `heaplens-load-dump` (README) loads
# the go1.22 dump.
set -euo pipefail
bin=${1:?usage: emacs-eglot.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
[ -x "$bin" ] || { echo "emacs-eglot: FAIL: $bin is not an executable" >&2; exit 1; }
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/leakcache"
cp "$data/go/leakcache/main.go" "$ws/leakcache/main.go"
export HEAPLENS_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export TEST_FILE="$ws/leakcache/main.go" MODE=go-mode
export DUMP="$data/go/leakcache-go1.19.heapdump"
export HOVERS='53:2:10,000' DIAG_LINES=53
export LOAD_DUMP="$data/go/leakcache-go1.22.heapdump" LOAD_DIAG='53:leakcache-go1.22.heapdump' UNLOAD=1
bash "$here/emacs/run.sh"
