#!/usr/bin/env bash
# report-source-maps.sh: `heaplens report` and `heaplens diff` put a compiled TypeScript program's figures
# on its .ts lines when --workspace holds the generated JavaScript and its source maps.
#
# Usage: bash tests/e2e/report-source-maps.sh <path-to-heaplens> (with HEAPLENS_TEST_DATA).
# The snapshots (tests/data/js/ts-app, tsc's output under Node 20) record /tmp/heaplens-ts-app/out/*.js,
# which is not on this machine; the workspace is a copy of the program's folder. Expected: the line of
# Session's constructor in src/session.ts (V8 places a class there), 1,500 sessions (src/main.ts) plus
# the class's own function object on that site, +1,000 sessions since the baseline.
set -euo pipefail
bin=${1:?usage: report-source-maps.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
app=$data/js/ts-app
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "report-source-maps: FAIL: $*" >&2; exit 1; }

mkdir -p "$dir/ws/app"
cp -r "$app/src" "$app/out" "$dir/ws/app/"
zstd -q -d "$app/tsc.heapsnapshot.zst" -o "$dir/tsc.heapsnapshot"
zstd -q -d "$app/tsc-baseline.heapsnapshot.zst" -o "$dir/base.heapsnapshot"
ts_line=$(grep -n "constructor(options: SessionOptions" "$app/src/session.ts" | cut -d: -f1)
js_line=$(grep -n "constructor(options, now)" "$app/out/session.js" | cut -d: -f1)
[ -n "$ts_line" ] && [ -n "$js_line" ] && [ "$ts_line" != "$js_line" ] ||
  fail "the .ts and .js lines of Session's constructor are '$ts_line' and '$js_line': nothing to tell apart"

# (Without --workspace the generated files are not found and session.js:$js_line stays: V8SourceMapTests.)
"$bin" report "$dir/tsc.heapsnapshot" --workspace "$dir/ws" > "$dir/report.txt"
grep -q "Session session.ts:$ts_line " "$dir/report.txt" || fail "text report: $(grep -m3 Session "$dir/report.txt")"
# (The table of scripts still names session.js: that is the script that ran. No line of it is left.)
grep -q "session.js:" "$dir/report.txt" && fail "text report still names a line of session.js: $(grep -m3 session.js: "$dir/report.txt")"
grep -q "Source maps followed" "$dir/report.txt" || fail "text report: no 'Source maps followed' fact"

"$bin" report "$dir/tsc.heapsnapshot" --workspace "$dir/ws" --json > "$dir/report.json"
python3 - "$dir/report.json" "$dir/ws/app/src/session.ts" "$ts_line" <<'PY' || fail "json report"
import json, sys
r = json.load(open(sys.argv[1]))
site = next(s for s in r["sitesByLiveBytes"] if s["name"].startswith("Session "))
frame = site["stack"][0]
assert frame["file"] == sys.argv[2] and frame["line"] == int(sys.argv[3]), frame
assert site["count"] == 1501, site
PY

"$bin" diff "$dir/base.heapsnapshot" "$dir/tsc.heapsnapshot" --workspace "$dir/ws" -o "$dir/diff.ndjson"
python3 - "$dir/diff.ndjson" "$dir/ws/app/src/session.ts" "$ts_line" <<'PY' || fail "heap-diff"
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
g = next(r for r in records if r.get("type") == "growth" and r["constructor"] == "Session")
assert g["count_delta"] == 1000, g
assert g["location"]["url"] == sys.argv[2] and g["location"]["line"] == int(sys.argv[3]), g
PY
echo "report-source-maps: ok"
