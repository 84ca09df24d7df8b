#!/usr/bin/env bash
# Runs every libFuzzer target briefly on a seed corpus made from the real test dumps.
# A crash, leak or sanitizer report fails the run. Longer runs: FUZZ_SECONDS=600 bash tests/fuzz/run-smoke.sh build-asan
set -euo pipefail
build=${1:-build-asan}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
seconds=${FUZZ_SECONDS:-20}
status=0
# The fuzzers run side by side (one thread each), each for the full $seconds.
declare -A pids corpora
names=()
for fuzzer in "$build"/tests/fuzz/*_fuzz; do
  [ -x "$fuzzer" ] || continue
  name=$(basename "$fuzzer" _fuzz)
  corpus=$(mktemp -d)
  corpora[$name]=$corpus
  # Seeds: heads of the real dumps of that format (small, so mutations reach every record kind quickly).
  case $name in
    go) for f in "$data"/go/*.heapdump "$data"/go/rates/*.heapdump; do head -c 65536 "$f" > "$corpus/$(basename "$f")"; done ;;
    moar) "$build"/tests/fuzz/moar_seed "$corpus/tiny.mvmheap"
          head -c 65536 "$data"/moar/leaky.mvmheap > "$corpus/leaky-head" ;;
  esac
  echo "fuzz: $name for ${seconds}s"
  "$fuzzer" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 -print_final_stats=1 "$corpus" \
    > "$build/$name-fuzz.log" 2>&1 &
  pids[$name]=$!
  names+=("$name")
done
if [ ${#names[@]} -eq 0 ]; then echo "fuzz: no fuzz targets in $build/tests/fuzz" >&2; exit 1; fi
for name in "${names[@]}"; do
  if ! wait "${pids[$name]}"; then
    echo "fuzz: $name FAILED; tail of $build/$name-fuzz.log:"; tail -n 40 "$build/$name-fuzz.log"; status=1
  else
    echo "fuzz: $name: $(grep -E 'stat::number_of_executed_units' "$build/$name-fuzz.log" || true)"
  fi
  rm -rf "${corpora[$name]}"
done
exit $status
