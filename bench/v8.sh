#!/usr/bin/env bash
# V8 heap snapshots at scale (issue #13): the 68 MB / 324 MB pair of shared/fixtures/js/big_app.js
# (1 M Order objects in a Map). Each measured command runs right after `md5sum` of the target, and
# the set is repeated (bench/measure.sh: /usr/bin/time -v wall, user + sys CPU, peak RSS); the
# medians are printed beside the targets: report <= 8x md5sum with peak RSS <= 1.5x the file, diff
# <= 12x md5sum of the target. Figures are reported, never asserted.
#   bash bench/v8.sh [build-dir] [runs]
# With HEAPLENS_MEMLAB=1, memlab (npm; installed into $HEAPLENS_MEMLAB_DIR, default
# /tmp/heaplens-memlab, never into the repo, without puppeteer's browser download) runs beside on
# the same files in the first run: `memlab analyze object-size --snapshot TARGET` (one load of the
# target and a per-object ranking, as `heaplens report`) and `memlab find-leaks --baseline BASE
# --target TARGET --final TARGET` (both snapshots, as `heaplens diff`).
# HEAPLENS_BIG_JS_DIR (default /tmp/bigjs) holds big-baseline.heapsnapshot and
# big-target.heapsnapshot; they are made there first when missing (needs node; about 90 s and
# 2.7 GB of memory for node).
set -uo pipefail
build=${1:-build}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/measure.sh"
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

size=$(stat -c %s "$target")
echo "== V8: report and diff on $target ($((size / 1048576)) MiB, $size bytes), each beside md5sum of it"
cat "$target" "$base" > /dev/null  # both in the page cache, as for every command below

# contender NAME CMD...: md5sum of the target, then CMD; appends to NAME's arrays.
declare -A W C R
contender() {
  local name=$1
  shift
  measure md5sum "$target"
  W[md5]+=" $M_WALL"; C[md5]+=" $M_CPU"
  local mw=$M_WALL mc=$M_CPU
  measure "$@"
  W[$name]+=" $M_WALL"; C[$name]+=" $M_CPU"; R[$name]+=" $M_RSS"
  printf '  %-8s md5sum %5.2f s wall %5.2f s cpu | %-7s %6.2f s wall %6.2f s cpu  peak RSS %5d MiB  (exit %d)\n' \
    "$run" "$mw" "$mc" "$name" "$M_WALL" "$M_CPU" $((M_RSS / 1024)) "$M_STATUS"
}
summary() {  # summary NAME TARGET-TEXT
  local name=$1
  # shellcheck disable=SC2086
  awk -v mw="$(median ${W[md5]})" -v mc="$(median ${C[md5]})" -v w="$(median ${W[$name]})" -v c="$(median ${C[$name]})" \
      -v r="$(median ${R[$name]})" -v size="$size" -v name="$name" -v t="$2" 'BEGIN {
    printf "%-7s %6.2f s cpu = %5.1fx md5sum (%.2f s); %6.2f s wall = %5.1fx (%.2f s); peak RSS %5.0f MiB = %.2fx the target  [%s]\n",
      name, c, c / mc, mc, w, w / mw, mw, r / 1024, r * 1024 / size, t
  }'
}

memlab=()
if [ "${HEAPLENS_MEMLAB:-0}" = 1 ]; then
  mdir=${HEAPLENS_MEMLAB_DIR:-/tmp/heaplens-memlab}
  mkdir -p "$mdir/npm" "$mdir/work"
  if [ ! -x "$mdir/npm/node_modules/.bin/memlab" ]; then
    (cd "$mdir/npm" && PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
      npm install --no-save --no-audit --no-fund memlab > "$mdir/install.log" 2>&1) ||
      echo "memlab: npm install failed (see $mdir/install.log); measured without it"
  fi
  if [ -x "$mdir/npm/node_modules/.bin/memlab" ]; then
    memlab=("$mdir/npm/node_modules/.bin/memlab")
    echo "memlab $(cd "$mdir/npm" && node -p 'require("memlab/package.json").version' 2>/dev/null) ($mdir)"
  fi
fi

for run in $(seq 1 "$runs"); do
  echo "run $run"
  contender report "$bin" report "$target"
  contender diff "$bin" diff "$base" "$target" -o /dev/null
  if [ ${#memlab[@]} -gt 0 ] && [ "$run" = 1 ]; then
    contender memlab-r "${memlab[@]}" analyze object-size --snapshot "$target" --work-dir "$mdir/work"
    contender memlab-d "${memlab[@]}" find-leaks --baseline "$base" --target "$target" --final "$target" \
      --work-dir "$mdir/work"
  fi
done
echo "medians of $runs runs (md5sum of the target: all its runs):"
summary report "targets: <= 8x md5sum, <= 1.5x the file"
summary diff "target: <= 12x md5sum"
if [ ${#memlab[@]} -gt 0 ]; then
  summary memlab-r "memlab analyze object-size on the target, one run"
  summary memlab-d "memlab find-leaks baseline/target, one run"
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
