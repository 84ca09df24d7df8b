#!/usr/bin/env bash
# The fault campaign (issue #12): per format, MUTANTS mutants of real dumps loaded under ASan/UBSan
# (tests/fuzz/mutants.cpp), then every libFuzzer target for FUZZ_SECONDS on a corpus of real dumps;
# prints what each found: crashes (sanitizer reports, aborts), hangs, out-of-memory kills, and
# exceptions other than LoadError. Not part of `make test` (which keeps its 20-second fuzz smoke).
#   bash tests/fuzz/campaign.sh [asan-build-dir]     (build it first: make asan)
# MUTANTS (default 10000) and FUZZ_SECONDS (default 120) set the sizes, FORMATS (default
# "go moar v8 heapdiff pagedump") which formats run; findings are kept in
# ${CAMPAIGN_DIR:-/tmp/heaplens-campaign}/<format>/ (crash-<n>, oom-<n>, hang-<n>, and the logs).
set -uo pipefail
build=$(cd "${1:-build-asan}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
fixtures=${HEAPLENS_FIXTURES:-$here/../../../shared/fixtures}
mutants=${MUTANTS:-10000}
formats=${FORMATS:-go moar v8 heapdiff pagedump}
seconds=${FUZZ_SECONDS:-120}
dir=${CAMPAIGN_DIR:-/tmp/heaplens-campaign}
driver=$build/tests/fuzz/mutants
[ -x "$driver" ] || { echo "campaign: no $driver; build it with: make asan" >&2; exit 2; }
rm -rf "$dir"
mkdir -p "$dir/seeds"
# Out of memory: ASan stops a process past 3 GB and reports it; allocations over 2 GB fail loudly.
export ASAN_OPTIONS=${ASAN_OPTIONS:-hard_rss_limit_mb=3072:malloc_limit_mb=2048:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Seeds: real dumps of each format, small enough that 10^4 mutants take minutes under ASan.
# (Cut dumps end early, which the readers must take too; the mutations reach every record kind.)
head -c 131072 "$data/go/leakcache-go1.22.heapdump" > "$dir/seeds/leakcache-head.heapdump"
head -c 131072 "$data/go/rates/linked-godebug1-go1.23.heapdump" > "$dir/seeds/rates-head.heapdump"
seeds_go=("$data"/go/workers-go1.19.heapdump "$dir/seeds/leakcache-head.heapdump" "$dir/seeds/rates-head.heapdump")
"$build/tests/fuzz/moar_seed" "$dir/seeds/tiny.mvmheap"
head -c 262144 "$data/moar/leaky.mvmheap" > "$dir/seeds/leaky-head.mvmheap"
seeds_moar=("$dir/seeds/tiny.mvmheap" "$dir/seeds/leaky-head.mvmheap")
zstd -dqf "$data/js/plain-baseline.heapsnapshot.zst" -o "$dir/seeds/plain-baseline.heapsnapshot"
head -c 131072 "$dir/seeds/plain-baseline.heapsnapshot" > "$dir/seeds/plain-head.heapsnapshot"
# The fuzz smoke's complete Node 20 snapshot, cut out of run-smoke.sh so the two stay one.
sed -n "/<<'SNAP'/,/^SNAP/p" "$here/run-smoke.sh" | sed '1d;$d' > "$dir/seeds/tiny.heapsnapshot"
seeds_v8=("$dir/seeds/tiny.heapsnapshot" "$dir/seeds/plain-head.heapsnapshot")
seeds_heapdiff=("$data"/js/*.heapdiff.ndjson)
python3 "$here/../pagedump/gen_pagedump.py" --out "$dir/seeds" --samples 2000 --gcs 5 --no-expected > /dev/null
rm -f "$dir/seeds"/*.json
seeds_pagedump=("$data"/pagedump/seed-template.txt "$data"/pagedump/malformed/*.txt "$dir/seeds"/*.log)

# mutate FORMAT SEEDS...: all mutants, restarting the driver after the one that brought it down.
mutate() {
  local name=$1
  shift
  local out=$dir/$name crashes=0 hangs=0 ooms=0 findings=0 next=0 status start=$SECONDS
  local -a summaries=()
  mkdir -p "$out"
  while [ "$next" -lt "$mutants" ]; do
    "$driver" "$out" "$next" $((mutants - next)) "$@" > "$out/run-$next.log" 2>&1
    status=$?
    findings=$((findings + $(grep -c '^FINDING' "$out/run-$next.log")))
    if grep -q '^mutants ' "$out/run-$next.log"; then
      summaries+=("$(grep '^mutants ' "$out/run-$next.log")")
      break
    fi
    local at
    at=$(cat "$out/progress" 2>/dev/null || echo "$next")
    if [ "$status" -eq 3 ]; then
      hangs=$((hangs + 1))
    elif grep -q -E 'hard rss limit|allocation-size-too-big|out of memory|malloc_limit' "$out/run-$next.log"; then
      ooms=$((ooms + 1))
      cp "$out/mutant" "$out/oom-$at"
    else
      crashes=$((crashes + 1))
      cp "$out/mutant" "$out/crash-$at"
      # What brought it down, by place: the first sanitizer line, without the values.
      { grep -a -m 1 -oE '[^ /]+\.(cpp|h):[0-9]+:[0-9]+: runtime error: [a-z -]+|ERROR: AddressSanitizer: [a-z-]+|terminate called.*' \
          "$out/run-$next.log" || echo "exit $status"; } | head -1 \
        >> "$out/crash-signatures"
      [ "$crashes" -le 3 ] && echo "  $name: mutant $at brought the driver down (exit $status); kept as $out/crash-$at"
    fi
    next=$((at + 1))
  done
  printf '%-9s %6d mutants in %4d s: %d crashes, %d hangs, %d out-of-memory, %d other exceptions  [last run: %s]\n' \
    "$name" "$mutants" $((SECONDS - start)) "$crashes" "$hangs" "$ooms" "$findings" "${summaries[*]:-no summary}"
  [ -f "$out/crash-signatures" ] && sort "$out/crash-signatures" | uniq -c | sed 's/^/    crashes at: /'
  return 0
}

# runs "CMD FORMAT" for each format, two at a time; FORMAT's seeds are seeds_FORMAT.
two_at_a_time() {
  local cmd=$1 running=0 f
  for f in $formats; do
    local -a args
    eval "args=(\"\${seeds_$f[@]}\")"
    "$cmd" "$f" "${args[@]}" > "$dir/$f.$cmd" &
    running=$((running + 1))
    if [ "$running" -eq 2 ]; then wait -n; running=1; fi
  done
  wait
  for f in $formats; do cat "$dir/$f.$cmd"; done
}

echo "== mutants under ASan/UBSan ($build), $mutants per format; two formats at a time"
two_at_a_time mutate

echo "== libFuzzer, ${seconds} s per target (two at a time), seeded with the same dumps"
fuzz() {
  local name=$1 fuzzer=$build/tests/fuzz/${1}_fuzz
  shift
  local work=$dir/$name/libfuzzer corpus=$dir/$name/libfuzzer/corpus
  mkdir -p "$corpus"
  cp "$@" "$corpus/"
  # The libFuzzer targets read from memory: the V8 one gets heads, not the 4 MB snapshot.
  [ "$name" = v8 ] && rm -f "$corpus/plain-baseline.heapsnapshot"
  (cd "$work" && "$fuzzer" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=3072 -timeout=20 \
      -print_final_stats=1 "$corpus" > "$work/libfuzzer.log" 2>&1)
  local status=$?
  local runs
  runs=$(grep -a -oE 'stat::number_of_executed_units: [0-9]+' "$work/libfuzzer.log" | grep -oE '[0-9]+$')
  local found
  found=$(ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | tr '\n' ' ')
  printf '%-9s exit %d, %s inputs run, cov %s; found: %s\n' "$name" "$status" "${runs:-?}" \
    "$(grep -a -oE 'cov: [0-9]+' "$work/libfuzzer.log" | tail -1 | grep -oE '[0-9]+')" "${found:-nothing}"
  [ -n "$found" ] && grep -a -m 3 -E 'ERROR: AddressSanitizer|runtime error|ERROR: libFuzzer' "$work/libfuzzer.log" | sed 's/^/    /'
  return 0
}
two_at_a_time fuzz
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); findings kept in $dir"
