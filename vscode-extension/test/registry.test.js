// Registry drift: what the extension says about formats and protocol types against the real server.
//
// The server's format registry (analysis/formats/Registry.cpp) and its C++ protocol types
// (protocol/HeapLensProtocol.cpp) are the source of truth. These tests run the built binary
// (HEAPLENS_BIN) and fail when the extension's committed copies differ from what it prints.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const bin = process.env.HEAPLENS_BIN;
const root = path.join(__dirname, '..');

function run(args) {
  assert.ok(bin, 'HEAPLENS_BIN names the heaplens binary');
  return execFileSync(bin, args, { encoding: 'utf8' });
}

test('src/protocol.generated.ts is what `heaplens protocol --typescript` prints (npm run protocol regenerates it)', () => {
  const committed = fs.readFileSync(path.join(root, 'src', 'protocol.generated.ts'), 'utf8');
  assert.equal(committed, run(['protocol', '--typescript']));
});

test('the built-in open-dialog filters equal those made from `heaplens formats --json`', () => {
  require('./support/vscodeStub').install();
  const { dumpFileFilters, DumpFileFilters } = require('../out/commands');
  const { formats } = JSON.parse(run(['formats', '--json']));
  assert.deepEqual(DumpFileFilters, dumpFileFilters(formats));
  // Only formats the server reads are offered.
  const offered = new Set(dumpFileFilters(formats)['Heap dumps']);
  for (const f of formats) {
    for (const e of f.extensions) if (!f.parsed) assert.ok(!offered.has(e) || formats.some((g) => g.parsed && g.extensions.includes(e)), `.${e} (${f.name}) is not offered`);
  }
});

test("the explorer's Open Heap Dump menu matches the extensions of the formats the server reads", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const entry = manifest.contributes.menus['explorer/context'].find((m) => m.command === 'heaplens.openDump');
  const m = /\(([^)]*)\)/.exec(entry.when);
  assert.ok(m, `an extension list in ${entry.when}`);
  const inMenu = new Set(m[1].split('|'));
  const { formats } = JSON.parse(run(['formats', '--json']));
  const parsed = new Set(formats.filter((f) => f.parsed).flatMap((f) => f.extensions));
  assert.deepEqual([...inMenu].sort(), [...parsed].sort());
});
