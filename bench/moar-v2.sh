#!/usr/bin/env bash
# MoarVM heap snapshots of format v2 (Debian's moarvm): `heaplens report` on the biggest v2 dump we
# make (bench/programs/moar-v2-big.raku: 60,000 objects held by one Array, 13 snapshots, ~490 MB),
# timed beside md5sum of the same file in the same run, five times each. Wall time and peak RSS come
# from /usr/bin/time; figures are printed, never asserted.
#   bash bench/moar-v2.sh [build-dir]
# The dump is made in HEAPLENS_MOAR_V2_DIR (default /tmp/heaplens-moar-v2) when missing: needs
# Debian's raku (scripts/setup.sh), about a minute.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
dir=${HEAPLENS_MOAR_V2_DIR:-/tmp/heaplens-moar-v2}
bin=$build/lsp/heaplens
dump=$dir/moar-v2-big.mvmheap

if [ ! -f "$dump" ]; then
  echo "== making $dump (raku, about a minute)"
  bash "$here/../tests/formats/moar/raku/make-v2-dump.sh" "$here/programs/moar-v2-big.raku" "$dump" || exit 1
fi
size=$(stat -c %s "$dump")
echo "== MoarVM v2: report on $dump ($((size / 1048576)) MB), beside md5sum of it"
cat "$dump" > /dev/null  # in the page cache, for both
for i in 1 2 3 4 5; do
  m=$( { /usr/bin/time -f '%e %M' md5sum "$dump" > /dev/null; } 2>&1 | tail -1)
  r=$( { /usr/bin/time -f '%e %M' "$bin" report "$dump" > /dev/null; } 2>&1 | tail -1)
  set -- $m $r
  printf 'run %d: md5sum %5.2f s (%4d MB)   heaplens report %5.2f s (peak RSS %4d MB)   ratio %.1fx\n' \
    "$i" "$1" $(($2 / 1024)) "$3" $(($4 / 1024)) "$(echo "$3 / $1" | bc -l)"
done
