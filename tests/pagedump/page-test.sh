#!/usr/bin/env bash
# page-test: `heaplens report --html`, and the webview HTML from heaplens/pageDumpHtml, rendered in headless Chromium (web/test/check-page.mjs) for the seed's
# template, every simulated shape and the malformed files. Needs Debian's chromium and web/'s npm packages
# (scripts/setup.sh installs both).
set -euo pipefail
heaplens=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rm -rf "$work" && mkdir -p "$work"
python3 "$here/gen_pagedump.py" --out "$work" --samples 6000 --gcs 12 --seed 7 --no-expected >/dev/null
exec node "$root/web/test/check-page.mjs" "$heaplens" \
  "$root/tests/data/pagedump/seed-template.txt" \
  "$work/producer.log" "$work/viewer.txt" "$work/viewer-numeric.txt" "$work/marker.txt" \
  "$root/tests/data/pagedump/malformed/headers.txt" "$root/tests/data/pagedump/malformed/pages.txt"
