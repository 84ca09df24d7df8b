#!/usr/bin/env bash
# report-memory-budget.sh: `heaplens report` refuses, early and clearly, a dump it has not the memory for.
#
# Usage: bash tests/e2e/report-memory-budget.sh <path-to-heaplens> (with HEAPLENS_TEST_DATA).
# 1. A 50 GB sparse file with a Go header is refused at once with the estimate and the default
#    budget, and loads (as an empty dump) when --max-memory lets it through: no bare std::bad_alloc.
# 2. --max-memory 1M refuses the 4 MB leakcache dump; a bad size is a usage error.
# 3. Running out of memory anyway (address space capped with ulimit -v, budget raised) is a clear
#    error too, not "std::bad_alloc".
set -euo pipefail
bin=${1:?usage: report-memory-budget.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "report-memory-budget: FAIL: $*" >&2; exit 1; }

printf 'go1.7 heap dump\n' > "$dir/big.heapdump"
truncate -s 50G "$dir/big.heapdump"
status=0
timeout 20 "$bin" report "$dir/big.heapdump" > /dev/null 2> "$dir/err" || status=$?
[ "$status" -eq 1 ] || fail "50 GB sparse file: exit status $status, expected 1: $(cat "$dir/err")"
grep -q "loading this 50 GiB Go heap dump .* needs about 100 GiB, over the memory budget of .* (--max-memory / heaplens.maxMemory)" "$dir/err" ||
  fail "50 GB sparse file: $(cat "$dir/err")"
timeout 60 "$bin" report "$dir/big.heapdump" --max-memory 200G > "$dir/out" 2> "$dir/err" ||
  fail "50 GB sparse file with --max-memory 200G: $(cat "$dir/err")"
grep -q "objects      0" "$dir/out" || fail "50 GB sparse file with --max-memory 200G: $(head -5 "$dir/out")"

status=0
"$bin" report "$data/go/leakcache-go1.22.heapdump" --max-memory 1M > /dev/null 2> "$dir/err" || status=$?
[ "$status" -eq 1 ] && grep -q "needs about 8.08 MiB, over the memory budget of 1 MiB" "$dir/err" ||
  fail "--max-memory 1M: status $status: $(cat "$dir/err")"
"$bin" report "$data/go/leakcache-go1.22.heapdump" --max-memory 512M > /dev/null || fail "--max-memory 512M refused"
status=0
"$bin" report "$data/go/leakcache-go1.22.heapdump" --max-memory lots > /dev/null 2> "$dir/err" || status=$?
[ "$status" -ne 0 ] && grep -q "expected a size above 0 such as 4G" "$dir/err" || fail "--max-memory lots: $(cat "$dir/err")"

status=0
(ulimit -v 100000; "$bin" report "$data/moar/leaky.mvmheap" --max-memory 10G) > /dev/null 2> "$dir/err" || status=$?
[ "$status" -eq 1 ] || fail "ulimit -v: exit status $status: $(cat "$dir/err")"
grep -q "ran out of memory while loading it (estimated about 205 MiB, memory budget 10 GiB); nothing was kept" "$dir/err" ||
  fail "ulimit -v: $(cat "$dir/err")"
echo "report-memory-budget: PASS"
