#!/usr/bin/env bash
# Runs every libFuzzer target briefly on a seed corpus made from the real test dumps.
# A crash, leak or sanitizer report fails the run. Longer runs: FUZZ_SECONDS=600 bash tests/fuzz/run-smoke.sh build-asan
set -euo pipefail
build=${1:-build-asan}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
seconds=${FUZZ_SECONDS:-10}
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
    moar) "$build"/tests/fuzz/moar_seed "$corpus/tiny.mvmheap" "$corpus/tiny-v2.mvmheap"
          head -c 65536 "$data"/moar/leaky.mvmheap > "$corpus/leaky-head" ;;
    pagedump) cp "$data"/pagedump/seed-template.txt "$data"/pagedump/malformed/*.txt "$corpus/"
              python3 "$here/../pagedump/gen_pagedump.py" --out "$corpus" --samples 300 --gcs 3 --no-expected >/dev/null
              rm -f "$corpus"/*.json ;;
    v8) # A small complete snapshot in Node 20's layout (the same as tests/formats/v8/V8TestData.h).
        cat > "$corpus/tiny.heapsnapshot" <<'SNAP'
{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],"trace_node_fields":["id","function_info_index","count","size","children"],"sample_fields":["timestamp_us","last_assigned_id"],"location_fields":["object_index","script_id","line","column"]},"node_count":5,"edge_count":5,"trace_function_count":1},
"nodes":[9,0,1,0,2,0,0
,9,1,3,0,1,0,0
,3,2,61,56,2,2,0
,2,3,63,32,0,0,0
,3,4,65,24,0,0,0],
"edges":[1,1,7
,5,2,14
,1,0,14
,2,5,21
,6,6,28],
"trace_function_infos":[1,2,5,7,3,4],
"trace_tree":[1,0,0,0,[2,0,1,56,[]]],
"samples":[0,61],
"locations":[14,7,4,2],
"strings":["<dummy>","(GC roots)","Foo","payload-\u00e9","Bar","name","cache"]}
SNAP
        ;;
    heapdiff) cp "$data"/js/*.heapdiff.ndjson "$corpus"/ ;;
    sourcemap) # tsc's and esbuild's maps of tests/data/js/ts-app, and their "mappings" strings alone.
               for f in "$data"/js/ts-app/out/*.map "$data"/js/ts-app/bundle/*.map; do
                 cp "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
                 python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mappings"], end="")' "$f" \
                   > "$corpus/mappings-$(basename "$(dirname "$f")")-$(basename "$f")"
               done ;;
    goexe) # Small ELF files with DWARF (a Go program is over the length limit): a C program built with -g.
           printf 'int g[4]; struct s { int a; char *b; } v; int main(void) { return g[0] + v.a; }\n' \
             | ${CC:-cc} -g -x c - -o "$corpus/tiny-c"
           cp /bin/true "$corpus/true"
           # The same with a small Go PC table, moduledata and inline tree whose functions are its .text.
           text=$(readelf -SW "$corpus/tiny-c" | awk '{for (i = 1; i < NF; i++) if ($i == ".text") print "0x" $(i + 2)}')
           seed=$(mktemp -d)
           "$build"/tests/fuzz/goexe_seed "$text" 0x900000 0x980000 "$seed/pcln" "$seed/noptrdata" "$seed/gofunc"
           objcopy --add-section .gopclntab="$seed/pcln" --set-section-flags .gopclntab=alloc,readonly,contents \
                   --change-section-address .gopclntab=0x900000 \
                   --add-section .noptrdata="$seed/noptrdata" --set-section-flags .noptrdata=alloc,contents \
                   --change-section-address .noptrdata=0x940000 \
                   --add-section .gofunc="$seed/gofunc" --set-section-flags .gofunc=alloc,readonly,contents \
                   --change-section-address .gofunc=0x980000 \
                   --strip-debug "$corpus/tiny-c" "$corpus/tiny-go-pclntab" 2>/dev/null \
             || echo "fuzz: objcopy could not add the .gopclntab seed; goexe starts from the other seeds"
           rm -rf "$seed" ;;
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
