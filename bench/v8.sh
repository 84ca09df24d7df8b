#!/usr/bin/env bash
# V8 heap snapshots at scale: the 68 MB / 324 MB pair of shared/fixtures/js/big_app.js (1 M Order
# objects in a Map), timed beside md5sum of the target in the same run. Wall time, CPU time and
# peak RSS come from /usr/bin/time -v; figures are reported, never asserted.
#   bash bench/v8.sh [build-dir]
# HEAPLENS_BIG_JS_DIR (default /tmp/bigjs) holds big-baseline.heapsnapshot and
# big-target.heapsnapshot; they are made there first when missing (needs node; about 90 s and
# 2.7 GB of memory for node).
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
dir=${HEAPLENS_BIG_JS_DIR:-/tmp/bigjs}
app=${HEAPLENS_BIG_JS_APP:-$here/../../shared/fixtures/js/big_app.js}
bin=$build/lsp/heaplens
base=$dir/big-baseline.heapsnapshot
target=$dir/big-target.heapsnapshot

if [ ! -f "$target" ] || [ ! -f "$base" ]; then
  if ! command -v node > /dev/null || [ ! -f "$app" ]; then
    echo "skipped: no $target, and node or $app is missing to make it"
    exit 0
  fi
  mkdir -p "$dir"
  echo "== making the big pair in $dir (node $app)"
  OUT_DIR=$dir node "$app" || exit 1
fi

# One measured run: prints wall, user+sys CPU and peak RSS.
measure() {
  local label=$1
  shift
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  local status=$?
  local wall cpu rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  printf '%-34s wall %7.2f s  cpu %7.2f s  peak RSS %5d MB  (exit %d)\n' "$label" "$wall" "$cpu" $((rss / 1024)) "$status"
  echo "$wall $cpu $rss" > "$log.figures"
  eval "${label%% *}_fig=\$(cat \"\$log.figures\")"
  rm -f "$log" "$log.figures"
}

size=$(stat -c %s "$target")
echo "== V8: report and diff on $target ($((size / 1048576)) MB), beside md5sum of it"
cat "$target" "$base" > /dev/null  # both in the page cache, as for every command below
measure "md5sum target" md5sum "$target"
measure "report target" "$bin" report "$target"
measure "diff base target" "$bin" diff "$base" "$target" -o /dev/null
read -r md5_wall md5_cpu _ <<< "$md5sum_fig"
read -r rep_wall rep_cpu rep_rss <<< "$report_fig"
read -r diff_wall diff_cpu diff_rss <<< "$diff_fig"
awk -v mw="$md5_wall" -v mc="$md5_cpu" -v rw="$rep_wall" -v rc="$rep_cpu" -v rr="$rep_rss" \
    -v dw="$diff_wall" -v dc="$diff_cpu" -v dr="$diff_rss" -v size="$size" 'BEGIN {
  printf "report: %.1fx md5sum (wall), %.1fx (cpu); peak RSS %.2fx the file   [targets: <= 8x, <= 1.5x]\n", rw / mw, rc / mc, rr * 1024 / size
  printf "diff:   %.1fx md5sum (wall), %.1fx (cpu); peak RSS %.2fx the target [target: <= 12x]\n", dw / mw, dc / mc, dr * 1024 / size
}'
