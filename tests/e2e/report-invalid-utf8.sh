#!/usr/bin/env bash
# report-invalid-utf8.sh: `heaplens report --json` on a dump whose strings are not UTF-8.
#
# Usage: bash tests/e2e/report-invalid-utf8.sh <path-to-heaplens>. The dump is a minimal Go heap
# dump (header, params record, EOF) whose architecture string is the single byte 0xff. The report
# must be valid JSON that shows that byte as U+FFFD, and the command must succeed.
set -euo pipefail
bin=${1:?usage: report-invalid-utf8.sh <path-to-heaplens>}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# params: little-endian, 8-byte pointers, heap 0..0, arch "\xff", GOEXPERIMENT "go1.23", 1 CPU; then EOF.
printf 'go1.7 heap dump\n\x06\x00\x08\x00\x00\x01\xff\x06go1.23\x01\x00' > "$dir/bad.heapdump"
status=0
"$bin" report "$dir/bad.heapdump" --json > "$dir/out.json" 2> "$dir/err.txt" || status=$?
if [ "$status" -ne 0 ]; then
  echo "report-invalid-utf8: FAIL: exit status $status" >&2
  cat "$dir/err.txt" >&2
  exit 1
fi
python3 - "$dir/out.json" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")  # strict: the output itself must be UTF-8
report = json.loads(text)
arch = [f for f in report["facts"] if f["id"] == "arch"]
assert arch and arch[0]["value"] == "\ufffd", "architecture fact: %r, expected U+FFFD" % (arch,)
print("report-invalid-utf8: PASS")
PY
