#!/usr/bin/env bash
# goexe: `heaplens report --json` on the big Go dump with and without the executable that wrote it,
# each run beside `md5sum` of the same dump, run right before it (bench/measure.sh: /usr/bin/time -v
# wall, user + sys CPU, peak RSS). The issue's targets (#15): typing with the executable adds at
# most 1x the untyped report time, and peak RSS stays at or under 1.5x the dump's size. Figures are
# printed (per run, then the medians), never asserted.
#   bash bench/goexe.sh [build-dir] [runs]
# The dump and executable: HEAPLENS_BIG_GO_DUMP and HEAPLENS_BIG_GO_EXE when both are set (e.g.
# /tmp/big/big.heapdump and /tmp/big/big); else /work/shared/fixtures/go/big (or
# $HEAPLENS_BIG_GO_SRC) is built with Go 1.19 and run once into
# ${HEAPLENS_BENCH_DIR:-/tmp/heaplens-bench}/goexe (about 20 s, a 319 MB dump).
set -uo pipefail
build=${1:-build}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/measure.sh"
src=${HEAPLENS_BIG_GO_SRC:-$here/../../shared/fixtures/go/big}
dir=${HEAPLENS_BENCH_DIR:-/tmp/heaplens-bench}/goexe
go=${HEAPLENS_GO:-/usr/lib/go-1.19/bin/go}
heaplens=$build/lsp/heaplens
if [ -n "${HEAPLENS_BIG_GO_DUMP:-}" ] && [ -n "${HEAPLENS_BIG_GO_EXE:-}" ]; then
  dump=$HEAPLENS_BIG_GO_DUMP
  exe=$HEAPLENS_BIG_GO_EXE
else
  mkdir -p "$dir"
  exe=$dir/big
  dump=$dir/big.heapdump
  if [ ! -f "$dump" ] || [ ! -f "$exe" ]; then
    echo "building $src with $go and running it (about 20 s)..."
    rm -rf "$dir/src" && cp -r "$src" "$dir/src" && chmod -R u+w "$dir/src"
    (cd "$dir/src" && GOCACHE=$dir/cache GOPATH=$dir/gopath GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod \
      "$go" build -o "$exe" .) || exit 1
    "$exe" "$dump" || exit 1
  fi
fi
size=$(stat -c %s "$dump")
echo "== $dump: $size bytes; executable $exe ($("$go" version 2>/dev/null || echo "go not found"))"
cat "$dump" "$exe" >/dev/null  # into the page cache for every contender alike

printf '%-4s %-22s %-26s %-22s %-26s %s\n' run "md5sum wall/cpu" "untyped wall/cpu RSS" "md5sum wall/cpu" \
  "typed wall/cpu RSS" "added (cpu)"
m1c=(); m2c=(); pc=(); tc=(); pw=(); tw=(); m1w=(); m2w=(); prss=0; trss=0
for i in $(seq 1 "$runs"); do
  measure md5sum "$dump"; m1w+=("$M_WALL"); m1c+=("$M_CPU"); a="$M_WALL/$M_CPU s"
  measure "$heaplens" report "$dump" --json; pw+=("$M_WALL"); pc+=("$M_CPU")
  b="$M_WALL/$M_CPU s $((M_RSS / 1024)) MiB"; [ "$M_RSS" -gt "$prss" ] && prss=$M_RSS
  measure md5sum "$dump"; m2w+=("$M_WALL"); m2c+=("$M_CPU"); c="$M_WALL/$M_CPU s"
  measure "$heaplens" report "$dump" --json --executable "$exe"; tw+=("$M_WALL"); tc+=("$M_CPU")
  d="$M_WALL/$M_CPU s $((M_RSS / 1024)) MiB"; [ "$M_RSS" -gt "$trss" ] && trss=$M_RSS
  printf '%-4s %-22s %-26s %-22s %-26s %s\n' "$i" "$a" "$b" "$c" "$d" \
    "$(awk -v a="${tc[-1]}" -v b="${pc[-1]}" 'BEGIN { printf "%.2fx", (b > 0 ? (a - b) / b : 0) }')"
done
md5c=$(median "${m1c[@]}" "${m2c[@]}"); md5w=$(median "${m1w[@]}" "${m2w[@]}")
awk -v mc="$md5c" -v mw="$md5w" -v pc="$(median "${pc[@]}")" -v tc="$(median "${tc[@]}")" \
    -v pw="$(median "${pw[@]}")" -v tw="$(median "${tw[@]}")" -v pr="$prss" -v tr="$trss" -v size="$size" -v runs="$runs" 'BEGIN {
  printf "median of %d: md5sum %.2f s cpu (%.2f s wall)\n", runs, mc, mw
  printf "  untyped report %.2f s cpu = %.1fx md5sum (%.2f s wall = %.1fx); peak RSS %.0f MiB = %.2fx the dump\n", pc, pc / mc, pw, pw / mw, pr / 1024, pr * 1024 / size
  printf "  typed report   %.2f s cpu = %.1fx md5sum (%.2f s wall = %.1fx); peak RSS %.0f MiB = %.2fx the dump\n", tc, tc / mc, tw, tw / mw, tr / 1024, tr * 1024 / size
  printf "  typing adds %.2fx the untyped cpu time (%.2fx wall)   [targets: <= 1x, peak RSS <= 1.5x = %.0f MiB]\n", (tc - pc) / pc, (tw - pw) / pw, size * 1.5 / 1048576
}'
"$heaplens" report "$dump" --json --executable "$exe" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("typedBytesPct:", r["typedBytesPct"])
for t in r["typesByCount"][:6]: print("  %-40s %10d objects" % (t["type"], t["count"]))
for x in r["largestRoots"][:3]: print("  root %-35s %12d bytes retained" % (x["label"], x["retainedBytes"]))'
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
