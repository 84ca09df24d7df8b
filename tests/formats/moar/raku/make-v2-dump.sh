#!/usr/bin/env bash
# Runs a Raku program under Debian's rakudo with the heap profiler and writes its snapshot file.
# Debian's moarvm is built without libzstd, so the file is format v2 ("MoarHeapDumpv002"); the
# file is written beside OUT and renamed, so a test never reads half a file.
# Usage: make-v2-dump.sh PROGRAM.raku OUT.mvmheap
set -euo pipefail
src=$1
out=$2
if ! command -v raku >/dev/null 2>&1; then
  echo "make-v2-dump: raku is not installed (scripts/setup.sh installs Debian's rakudo)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
# raku picks the heap profiler by the .mvmheap extension (another name gets the call-graph profiler).
tmp="${out%.mvmheap}.tmp$$.mvmheap"
work=$(mktemp -d)
trap 'rm -rf "$work" "$tmp"' EXIT
# The program's own output goes to a file: tests read the dump, not stdout.
(cd "$work" && raku --profile="$tmp" "$src" > "$work/stdout" 2> "$work/stderr") || {
  echo "make-v2-dump: raku failed on $src:" >&2
  cat "$work/stderr" >&2
  exit 1
}
if [ ! -s "$tmp" ]; then
  echo "make-v2-dump: raku did not write $tmp" >&2
  exit 1
fi
magic=$(head -c 16 "$tmp")
if [ "$magic" != "MoarHeapDumpv002" ]; then
  echo "make-v2-dump: raku wrote a file starting \"$magic\", expected MoarHeapDumpv002 (Debian's moarvm)" >&2
  exit 1
fi
mv "$tmp" "$out"
