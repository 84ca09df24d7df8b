#!/usr/bin/env bash
# `heaplens report` on one big dump, beside `md5sum` of the same file in the same run: each run
# times md5sum and then the report with /usr/bin/time -v; the best wall time of each over the
# runs, their CPU time (user + sys) and the report's peak RSS are printed with the ratios.
# Figures are reported, never asserted.
#   bash bench/report.sh FILE [build-dir] [runs]
# Targets (issues #12, #13): Go <= 6x md5sum and peak RSS <= 1.25x the file; V8 <= 8x and <= 1.5x.
set -uo pipefail
file=${1:?usage: bench/report.sh FILE [build-dir] [runs]}
build=${2:-build}
runs=${3:-3}
bin=$build/lsp/heaplens
[ -f "$file" ] || { echo "skipped: no $file"; exit 0; }
size=$(stat -c %s "$file")
cat "$file" > /dev/null  # into the page cache for both
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# figures LABEL CMD...: "wall cpu rssKB" of one run
figures() {
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || { echo "failed: $*" >&2; tail -3 "$log" >&2; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i]}
              /User time/ {u = $2} /System time/ {s = $2} /Maximum resident set size/ {r = $2}
              END {printf "%.2f %.2f %d\n", w, u + s, r}' "$log"
}

echo "== heaplens report $file ($((size / 1048576)) MiB, $size bytes)"
printf '%-4s %10s %10s %12s %12s %11s %8s\n' run "md5 wall" "md5 cpu" "report wall" "report cpu" "peak RSS" ratio
best_mw=1e9; best_mc=1e9; best_rw=1e9; best_rc=1e9; max_rss=0
for i in $(seq 1 "$runs"); do
  read -r mw mc _ <<< "$(figures md5sum "$file")"
  read -r rw rc rss <<< "$(figures "$bin" report "$file")"
  printf '%-4s %9ss %9ss %11ss %11ss %8d MB %7.1fx\n' "$i" "$mw" "$mc" "$rw" "$rc" $((rss / 1024)) \
    "$(awk -v a="$rw" -v b="$mw" 'BEGIN {print (b > 0 ? a / b : 0)}')"
  best_mw=$(awk -v a="$mw" -v b="$best_mw" 'BEGIN {print (a < b ? a : b)}')
  best_mc=$(awk -v a="$mc" -v b="$best_mc" 'BEGIN {print (a < b ? a : b)}')
  best_rw=$(awk -v a="$rw" -v b="$best_rw" 'BEGIN {print (a < b ? a : b)}')
  best_rc=$(awk -v a="$rc" -v b="$best_rc" 'BEGIN {print (a < b ? a : b)}')
  max_rss=$(awk -v a="$rss" -v b="$max_rss" 'BEGIN {print (a > b ? a : b)}')
done
awk -v mw="$best_mw" -v mc="$best_mc" -v rw="$best_rw" -v rc="$best_rc" -v rss="$max_rss" -v size="$size" 'BEGIN {
  printf "best: md5sum %.2f s wall (%.2f s cpu); report %.2f s wall (%.2f s cpu) = %.1fx md5sum wall, %.1fx cpu; peak RSS %.0f MB = %.2fx the file\n",
    mw, mc, rw, rc, rw / mw, rc / mc, rss / 1024, rss * 1024 / size
}'
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
