// Regenerates src/protocol.generated.ts from the server: `heaplens protocol --typescript`.
// HEAPLENS_BIN names the binary (default: ../build/lsp/heaplens).
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const bin = process.env.HEAPLENS_BIN || path.join(__dirname, '..', '..', '..', 'build', 'lsp', 'heaplens');
const out = path.join(__dirname, '..', '..', 'src', 'protocol.generated.ts');
fs.writeFileSync(out, execFileSync(bin, ['protocol', '--typescript'], { encoding: 'utf8' }));
console.log(`wrote ${out}`);
