#!/usr/bin/env bash
# Runs the benchmarks, each beside a reference measured in the same run (md5sum of the same file,
# or the synthetic graph's own build), and prints the figures. Not part of `make test`: figures are
# reported, never asserted.
#   bash bench/run.sh [build-dir]
# Big inputs: HEAPLENS_BIG_GO_DUMP (default /tmp/big/big.heapdump, made by shared/fixtures/go/big),
# HEAPLENS_BIG_MOAR_DUMP (default ../shared/fixtures/moar/big.mvmheap). Missing inputs are skipped
# with a message saying how to make them.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
go_dump=${HEAPLENS_BIG_GO_DUMP:-/tmp/big/big.heapdump}
moar_dump=${HEAPLENS_BIG_MOAR_DUMP:-$here/../../shared/fixtures/moar/big.mvmheap}

echo "== synthetic heap graphs (1 M and 10 M nodes, 2.5 edges per node)"
"$build/bench/graph_bench" --benchmark_counters_tabular=true

echo "== Go: load + dominators on $go_dump"
if [ -f "$go_dump" ]; then
  "$build/bench/go_load_bench" "$go_dump"
  bash "$here/report.sh" "$go_dump" "$build" 3
else
  echo "skipped: no $go_dump (cd shared/fixtures/go/big && go build -o /tmp/big/big . && /tmp/big/big $go_dump)"
fi

echo "== MoarVM: load of the last snapshot + dominators, then all summaries, on $moar_dump"
if [ -f "$moar_dump" ]; then
  "$build/bench/moar_load_bench" "$moar_dump"
  "$build/bench/moar_load_bench" "$moar_dump" --summaries-only
else
  echo "skipped: no $moar_dump"
fi

echo "== Kotlin/Native page dump: report --json and --html beside md5sum"
bash "$here/pagedump.sh" "$build" 3
echo "== V8: report and diff of the big .heapsnapshot pair"
bash "$here/v8.sh" "$build"
