#!/usr/bin/env bash
# goexe: `heaplens report --json` on the big Go dump with and without the executable that wrote it,
# timed with /usr/bin/time (wall seconds, peak RSS) beside `md5sum` of the same dump in the same run.
# The issue's targets: typing with the executable adds at most 1x the untyped report time, and peak
# RSS stays at or under 1.5x the dump's size. Figures are printed, never asserted.
#   bash bench/goexe.sh [build-dir] [runs]
# The program is /work/shared/fixtures/go/big (or $HEAPLENS_BIG_GO_SRC), built with Go 1.19 and run
# once into ${HEAPLENS_BENCH_DIR:-/tmp/heaplens-bench}/goexe (about 20 s, a 319 MB dump).
set -euo pipefail
build=${1:-build}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=${HEAPLENS_BIG_GO_SRC:-$here/../../shared/fixtures/go/big}
dir=${HEAPLENS_BENCH_DIR:-/tmp/heaplens-bench}/goexe
go=${HEAPLENS_GO:-/usr/lib/go-1.19/bin/go}
heaplens=$build/lsp/heaplens
mkdir -p "$dir"
exe=$dir/big
dump=$dir/big.heapdump
if [ ! -f "$dump" ] || [ ! -f "$exe" ]; then
  echo "building $src with $go and running it (about 20 s)..."
  rm -rf "$dir/src" && cp -r "$src" "$dir/src" && chmod -R u+w "$dir/src"
  (cd "$dir/src" && GOCACHE=$dir/cache GOPATH=$dir/gopath GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod \
    "$go" build -o "$exe" .)
  "$exe" "$dump"
fi
size=$(stat -c %s "$dump")
echo "== $dump: $size bytes; executable $exe ($("$go" version))"
cat "$dump" "$exe" >/dev/null  # into the page cache for every contender alike

t() {  # t CMD...: "wall_seconds max_rss_kib" of one run
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >/dev/null 2>"$dir/stderr.txt" || { cat "$dir/stderr.txt"; exit 1; }
  cat "$dir/time.txt"
}
printf "%-4s %8s %16s %10s %16s %10s %10s\n" run md5sum "untyped report" "RSS MiB" "with --executable" "RSS MiB" "added"
for i in $(seq 1 "$runs"); do
  read -r md5 _ < <(t md5sum "$dump")
  read -r plain plainRss < <(t "$heaplens" report "$dump" --json)
  read -r typed typedRss < <(t "$heaplens" report "$dump" --json --executable "$exe")
  printf "%-4s %7ss %15ss %10d %16ss %10d %9sx\n" "$i" "$md5" "$plain" $((plainRss / 1024)) "$typed" $((typedRss / 1024)) \
    "$(awk -v a="$typed" -v b="$plain" 'BEGIN { printf "%.2f", (b > 0 ? (a - b) / b : 0) }')"
done
"$heaplens" report "$dump" --json --executable "$exe" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("typedBytesPct:", r["typedBytesPct"])
for t in r["typesByCount"][:6]: print("  %-40s %10d objects" % (t["type"], t["count"]))
for x in r["largestRoots"][:3]: print("  root %-35s %12d bytes retained" % (x["label"], x["retainedBytes"]))'
echo "peak RSS limit (1.5x the dump): $((size * 3 / 2 / 1048576)) MiB"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
