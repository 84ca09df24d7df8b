// bundle: builds the page's one JS file and one CSS file into bundle/, or checks that the committed ones are current.
//
//   node scripts/bundle.mjs bundle   writes bundle/pagedump.js and bundle/pagedump.css
//   node scripts/bundle.mjs check    builds in memory and fails if the committed files differ
//
// The C++ build embeds the committed files (lsp/CMakeLists.txt), so building heaplens needs no Node;
// the check runs in `make test` (ctest web.bundle-current), so a stale bundle cannot go unnoticed.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'bundle';
const common = { bundle: true, minify: true, write: false, logLevel: 'warning', legalComments: 'eof', charset: 'utf8' };
const outputs = [
  { entry: 'src/pagedump.ts', out: 'bundle/pagedump.js', options: { format: 'iife', target: 'es2020', platform: 'browser' } },
  { entry: 'src/pagedump.css', out: 'bundle/pagedump.css', options: {} },
];

let stale = 0;
for (const o of outputs) {
  const result = await esbuild.build({ ...common, ...o.options, entryPoints: [join(root, o.entry)], outfile: join(root, o.out) });
  const text = result.outputFiles[0].text;
  const closing = o.out.endsWith('.js') ? /<\/script/i : /<\/style/i;
  if (closing.test(text)) throw new Error(`${o.out} contains ${closing}: it could not be inlined in the page`);
  const path = join(root, o.out);
  if (mode === 'check') {
    let committed = '';
    try { committed = readFileSync(path, 'utf8'); } catch { /* missing counts as stale */ }
    if (committed !== text) {
      console.error(`${o.out} is not what ${o.entry} builds to: run \`npm run bundle\` in web/ and commit the result`);
      stale++;
    }
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`${o.out}: ${text.length} bytes`);
  }
}
if (mode === 'check') {
  if (stale) process.exit(1);
  console.log('bundle/ is current');
}
