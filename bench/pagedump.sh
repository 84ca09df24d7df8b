#!/usr/bin/env bash
# pagedump: `heaplens report` on a Kotlin/Native page dump of 10^6 heap samples and 500 GC pairs,
# timed with /usr/bin/time beside `md5sum` of the same file in the same run (the issue's targets:
# --json within 4x md5sum, --html under 10 s). Figures are printed, never asserted.
#   bash bench/pagedump.sh [build-dir] [runs]
# The file is made once by tests/pagedump/gen_pagedump.py (the allocator simulator; about 50 MB,
# a minute or two of Python) and kept in ${HEAPLENS_BENCH_DIR:-/tmp/heaplens-bench}.
set -euo pipefail
build=${1:-build}
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
dir=${HEAPLENS_BENCH_DIR:-/tmp/heaplens-bench}
file=$dir/producer.log
heaplens=$build/lsp/heaplens
if [ ! -f "$file" ]; then
  echo "making $file (10^6 samples, 500 GC pairs)..."
  python3 "$here/../tests/pagedump/gen_pagedump.py" --out "$dir" --samples 1000000 --gcs 500 --shapes producer \
    --no-expected >/dev/null
fi
echo "== $file: $(du -h "$file" | cut -f1), $(grep -c '' "$file") lines, $(grep -c 'before GC' "$file") GC pairs"
cat "$file" >/dev/null  # into the page cache for every contender alike

t() {  # t LABEL CMD...: wall seconds of one run
  /usr/bin/time -f "%e" -o "$dir/time.txt" "${@:2}" >/dev/null 2>&1
  cat "$dir/time.txt"
}
printf "%-4s %10s %14s %9s %14s\n" run md5sum "report --json" ratio "report --html"
best_md5=; best_json=; best_html=
for i in $(seq 1 "$runs"); do
  md5=$(t md5sum md5sum "$file")
  json=$(t json "$heaplens" report "$file" --json)
  html=$(t html "$heaplens" report "$file" --html "$dir/page.html")
  ratio=$(awk -v a="$json" -v b="$md5" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }')
  printf "%-4s %9ss %13ss %9s %13ss\n" "$i" "$md5" "$json" "$ratio" "$html"
  best_md5=$(awk -v a="$md5" -v b="${best_md5:-1e9}" 'BEGIN { print (a < b ? a : b) }')
  best_json=$(awk -v a="$json" -v b="${best_json:-1e9}" 'BEGIN { print (a < b ? a : b) }')
  best_html=$(awk -v a="$html" -v b="${best_html:-1e9}" 'BEGIN { print (a < b ? a : b) }')
done
echo "best: md5sum ${best_md5}s, report --json ${best_json}s ($(awk -v a="$best_json" -v b="$best_md5" 'BEGIN { printf "%.1f", a / b }')x md5sum), report --html ${best_html}s ($(du -h "$dir/page.html" | cut -f1) page)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
