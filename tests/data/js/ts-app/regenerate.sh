#!/usr/bin/env bash
# Rebuilds everything in this folder but src/ and README.md: the compiled JavaScript with its source
# maps (tsc into out/, an esbuild bundle into bundle/, the same bundle with an inline map into
# inline/), a heap snapshot of each compiled program (and a baseline of the tsc one, taken part way),
# and oracle.json, the original positions Mozilla's
# source-map package (0.6.1) gives for positions in each generated file.
#
# Needs the npm packages of the extension and the page: run `bash scripts/setup.sh npm` first.
# The programs are compiled and run in /tmp/heaplens-ts-app, so the snapshots record paths there
# (which no test machine has: the tests find the files through a workspace, as an editor would).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
ext="$repo/vscode-extension/node_modules"
tsc="$ext/.bin/tsc"
esbuild="$ext/.bin/esbuild"
oracle_lib="$repo/web/node_modules/source-map"
for tool in "$tsc" "$esbuild" "$oracle_lib/package.json"; do
  [[ -e "$tool" ]] || { echo "regenerate.sh: $tool is missing; run bash scripts/setup.sh npm" >&2; exit 1; }
done

work=/tmp/heaplens-ts-app
rm -rf "$work"
mkdir -p "$work"
cp -r "$here/src" "$work/src"
cd "$work"

# tsc: one .js and one .js.map per .ts; the types of Node from the extension's @types/node.
"$tsc" --sourceMap --strict --target es2020 --module commonjs --outDir out \
  --typeRoots "$ext/@types" --types node src/main.ts src/session.ts src/cache.ts
# esbuild: one bundle.js of the three sources, its map beside it; and once with the map inline.
"$esbuild" src/main.ts --log-level=warning --bundle --platform=node --format=cjs --target=node18 \
  --sourcemap --outfile=bundle/bundle.js
"$esbuild" src/main.ts --log-level=warning --bundle --platform=node --format=cjs --target=node18 \
  --sourcemap=inline --outfile=inline/bundle.js

node out/main.js tsc.heapsnapshot tsc-baseline.heapsnapshot
node bundle/bundle.js esbuild.heapsnapshot

# The oracle: for every segment's generated position and the columns between, what source-map's
# originalPositionFor (GREATEST_LOWER_BOUND) answers.
NODE_PATH="$repo/web/node_modules" node - out/main.js out/session.js out/cache.js bundle/bundle.js >oracle.json <<'JS'
const fs = require("fs");
const path = require("path");
const { SourceMapConsumer } = require("source-map");
const out = { tool: "source-map " + require("source-map/package.json").version, files: {} };
for (const js of process.argv.slice(2)) {
  const map = JSON.parse(fs.readFileSync(js + ".map", "utf8"));
  const consumer = new SourceMapConsumer(map);
  const lines = fs.readFileSync(js, "utf8").split("\n");
  const cases = [];
  lines.forEach((text, i) => {
    for (let column = 0; column <= text.length; column += 3) {
      const p = consumer.originalPositionFor({ line: i + 1, column, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
      // 1-based lines as source-map gives them, 0-based columns; sources relative to the map.
      cases.push([i + 1, column, p.source, p.line, p.column]);
    }
  });
  out.files[js] = cases;
}
process.stdout.write(JSON.stringify(out) + "\n");
JS

rm -rf "$here/out" "$here/bundle" "$here/inline"
cp -r out bundle inline oracle.json "$here/"
for s in tsc tsc-baseline esbuild; do
  zstd -q -19 -f "$s.heapsnapshot" -o "$here/$s.heapsnapshot.zst"
done
{
  echo "node $(node --version)"
  echo "typescript $("$tsc" --version | sed 's/Version //')"
  echo "esbuild $("$esbuild" --version)"
  echo "source-map $(node -p 'require(process.argv[1]).version' "$oracle_lib/package.json")"
} >"$here/versions.txt"
cd /
rm -rf "$work"
ls -l "$here"/*.zst
