// Tests of the extension's pure logic: settings parsing, status text, side-bar rows, remembered dumps,
// answer narrowing, the manifest.
// These modules never load 'vscode', so they run in plain Node from the esbuild output in out/.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { parseSettings, toServerSettings, Defaults } = require('../out/config');
const { statusText, formatBytes, formatCount, dumpName, retainerItems, dumpRow, siteRow, typeRow, dominatorRow } = require('../out/format');
const { remember, forget, toRestore, asRemembered } = require('../out/remembered');
const { asDumpSummary, asRetainersResult, Commands, SummaryRequest, RetainersRequest } = require('../out/protocol');

const source = (obj) => ({ get: (key) => obj[key] });

test('settings: absent values give the documented defaults and no problems', () => {
  const { settings, problems } = parseSettings(source({}));
  assert.deepEqual(problems, []);
  assert.equal(settings.serverPath, 'heaplens');
  assert.equal(settings.warningShare, 0.1);
  assert.equal(settings.hotspotShare, 0.005);
  assert.equal(settings.maxPaths, 5);
  assert.deepEqual(settings.pathMappings, []);
  assert.deepEqual(settings.dumps, []);
});

test('settings: package.json declares every setting with a description and the same defaults', () => {
  const pkg = require('../package.json');
  const props = pkg.contributes.configuration.properties;
  for (const key of ['serverPath', 'pathMappings', 'warningShare', 'hotspotShare', 'maxPaths', 'dumps']) {
    const p = props[`heaplens.${key}`];
    assert.ok(p, `heaplens.${key} is contributed`);
    assert.ok((p.markdownDescription || p.description || '').length > 20, `heaplens.${key} has a description`);
    assert.deepEqual(p.default, Defaults[key], `heaplens.${key} default matches config.ts`);
  }
});

test('settings: valid values are kept, relative dumps resolve against the workspace', () => {
  const { settings, problems } = parseSettings(
    source({
      serverPath: '/opt/heaplens/bin/heaplens',
      warningShare: 0.25,
      hotspotShare: 0,
      maxPaths: 12,
      pathMappings: [{ from: '/build/src', to: '/home/me/src' }],
      dumps: ['dumps/a.heapdump', '/abs/b.mvmheap'],
    }),
    '/work/project',
  );
  assert.deepEqual(problems, []);
  assert.equal(settings.serverPath, '/opt/heaplens/bin/heaplens');
  assert.equal(settings.warningShare, 0.25);
  assert.equal(settings.hotspotShare, 0);
  assert.equal(settings.maxPaths, 12);
  assert.deepEqual(settings.pathMappings, [{ from: '/build/src', to: '/home/me/src' }]);
  assert.deepEqual(settings.dumps, [path.resolve('/work/project/dumps/a.heapdump'), '/abs/b.mvmheap']);
  const server = toServerSettings(settings);
  assert.equal('serverPath' in server, false, 'the server never sees serverPath');
  assert.equal(server.maxPaths, 12);
});

test('settings: each bad value is reported with its key, and the default kept', () => {
  const { settings, problems } = parseSettings(
    source({ serverPath: 42, warningShare: 3, hotspotShare: 'x', maxPaths: 2.5, pathMappings: [{ from: '/a' }, { from: '/b', to: '/c' }], dumps: 'one.heapdump' }),
  );
  assert.equal(settings.serverPath, 'heaplens');
  assert.equal(settings.warningShare, 0.1);
  assert.equal(settings.hotspotShare, 0.005);
  assert.equal(settings.maxPaths, 5);
  assert.deepEqual(settings.pathMappings, [{ from: '/b', to: '/c' }]);
  assert.deepEqual(settings.dumps, []);
  const joined = problems.join('\n');
  for (const key of ['heaplens.serverPath', 'heaplens.warningShare', 'heaplens.hotspotShare', 'heaplens.maxPaths', 'heaplens.pathMappings[0]', 'heaplens.dumps']) {
    assert.ok(joined.includes(key), `problem names ${key}: ${joined}`);
  }
  assert.equal(problems.length, 6);
  assert.match(problems.find((p) => p.startsWith('heaplens.warningShare')), /expected a number from 0 to 1, got 3; using 0.1/);
});

test('status bar: one dump is named with its object count', () => {
  const s = statusText([{ format: 'go', path: '/tmp/x/leakcache.heapdump', objects: 21206, totalBytes: 3 * 1024 * 1024, sites: 52, warnings: [] }]);
  assert.equal(s.text, '$(database) leakcache.heapdump · 21,206 objects');
  assert.match(s.tooltip, /leakcache\.heapdump \(go\): 21,206 objects, 3\.00 MiB, 52 allocation sites/);
});

test('status bar: several dumps are counted, nothing loaded says so', () => {
  const a = { format: 'go', path: '/a.heapdump', objects: 1, totalBytes: 64, sites: 1, warnings: ['w1'] };
  const b = { format: 'moar', path: '/b.mvmheap', objects: 1000, totalBytes: 2048, sites: 3, snapshot: 2, snapshotCount: 7, warnings: [] };
  const s = statusText([a, b]);
  assert.equal(s.text, '$(database) 2 dumps', 'counted, not summed');
  assert.match(s.tooltip, /b\.mvmheap \(snapshot 3 of 7\) \(moar\)/);
  assert.match(s.tooltip, /1 warning$/m);
  assert.equal(statusText([a]).text, '$(database) a.heapdump · 1 object');
  assert.equal(statusText([]).text, '$(database) HeapLens: no dump');
  const busy = statusText([a], ['/d/leakcache-go1.19.heapdump']);
  assert.equal(busy.text, '$(sync~spin) HeapLens: loading leakcache-go1.19.heapdump');
  assert.match(busy.tooltip, /Loaded:\na\.heapdump/);
});

test('format: bytes and counts', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1,023 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(458752), '448 KiB');
  assert.equal(formatBytes(1048576), '1.00 MiB');
  assert.equal(formatCount(10000), '10,000');
  assert.equal(dumpName({ path: '/x/y.mvmheap', snapshot: 0, snapshotCount: 1 }), 'y.mvmheap');
});

test('retainer pick list: one row per step, root first, with the source line of steps that have one', () => {
  const items = retainerItems([
    {
      steps: [
        { label: 'main.cache', node: 1, type: 'global', size: 8, retained: 1000, location: { uri: 'file:///src/main.go', range: { start: { line: 37, character: 0 }, end: { line: 37, character: 1 } } } },
        { label: '[map bucket]', node: 2, type: 'map.bucket', size: 208, retained: 900 },
        { label: '', description: '64 B object (main.go:53)', node: 5, type: '64 B object', size: 64, retained: 64 },
      ],
    },
  ]);
  assert.equal(items.length, 3);
  assert.match(items[2].label, /→ 64 B object \(main\.go:53\)$/, 'an unnamed step shows its description');
  assert.match(items[0].label, /^path 1: main\.cache/);
  assert.equal(items[0].detail, 'main.go:38');
  assert.equal(items[1].detail, undefined);
  assert.match(items[1].description, /map\.bucket · 208 B · retains 900 B/);
});

test('remembered dumps: a load replaces its path, an unload forgets it, a restart loads what is missing', () => {
  let list = remember([], { path: '/a.heapdump' });
  list = remember(list, { path: '/b.heapsnapshot', baseline: '/base.heapsnapshot', snapshot: undefined });
  list = remember(list, { path: '/a.heapdump', executable: '/bin/app' });
  assert.deepEqual(list, [{ path: '/b.heapsnapshot', baseline: '/base.heapsnapshot' }, { path: '/a.heapdump', executable: '/bin/app' }]);
  assert.deepEqual(toRestore(list, ['/a.heapdump']), [{ path: '/b.heapsnapshot', baseline: '/base.heapsnapshot' }]);
  assert.deepEqual(forget(list, '/b.heapsnapshot'), [{ path: '/a.heapdump', executable: '/bin/app' }]);
  // What an older version (or a hand-edited state) left: only entries with a path survive.
  assert.deepEqual(asRemembered([{ path: '/x', snapshot: 2 }, { nope: 1 }, 'y', null]), [{ path: '/x', snapshot: 2 }]);
  assert.deepEqual(asRemembered(undefined), []);
});

test('side bar rows: what a user reads for a dump, a site, a type with growth and a dominator', () => {
  const row = dumpRow({ format: 'v8', description: 'V8 heap snapshot', path: '/d/plain-target.heapsnapshot', objects: 62606, totalBytes: 4 * 1048576, sites: 1, unreachableObjects: 0, snapshot: null, snapshotCount: 0, parts: [], warnings: [], baseline: '/d/plain-baseline.heapsnapshot' });
  assert.equal(row.label, 'plain-target.heapsnapshot');
  assert.equal(row.description, 'v8 · 4.00 MiB · 62,606 objects · vs plain-baseline.heapsnapshot');
  assert.match(row.tooltip, /compared with the baseline \/d\/plain-baseline\.heapsnapshot/);
  const site = { site: 3, function: 'main.fillCache', where: 'main.go:53', count: 10000, shallowBytes: 640000, retainedBytes: 700000 };
  assert.deepEqual(siteRow(site, 'live'), { label: 'main.fillCache', description: 'main.go:53 · 625 KiB · 10,000 objects' });
  assert.deepEqual(siteRow(site, 'count'), { label: 'main.fillCache', description: 'main.go:53 · 10,000 objects · 625 KiB' });
  assert.equal(siteRow({ ...site, function: '', where: '' }, 'retained').description, '(no source line) · retains 684 KiB · 10,000 objects');
  assert.deepEqual(typeRow({ type: 'SessionState', count: 2100, shallowBytes: 84000, retainedBytes: 0, countDelta: 2000, sizeDelta: 80000 }),
    { label: 'SessionState', description: '2,100 · 82.0 KiB · grew +2,000 (+78.1 KiB)' });
  assert.equal(dominatorRow({ node: 1, type: 'x', description: 'bss', size: 0, retained: 512, children: 2 }, 1024).description, 'retains 512 B · 50.0%');
});

test('protocol: summary narrowing keeps fields and names what is wrong', () => {
  const s = asDumpSummary({ format: 'go', path: '/d', objects: 5, totalBytes: 320, sites: 2, snapshot: 0, snapshotCount: 1, warnings: ['a'] });
  assert.deepEqual(s.warnings, ['a']);
  assert.equal(s.sites, 2);
  assert.throws(() => asDumpSummary({ format: 'go', path: '/d', objects: '5', totalBytes: 1 }, 'heaplens.loadDump'), /heaplens\.loadDump\.objects: expected a number, got a string/);
  assert.throws(() => asDumpSummary(null), /expected a dump summary object, got null/);
  assert.equal(asRetainersResult({ nope: 1 }), undefined);
  assert.deepEqual(asRetainersResult({ paths: [{ steps: [] }, 7] }), { paths: [{ dump: '', text: '', throughInterGenerational: false, steps: [] }] });
  assert.equal(Commands.loadDump, 'heaplens.loadDump');
  assert.equal(SummaryRequest.type.method, 'heaplens/summary');
  assert.equal(RetainersRequest.type.method, 'heaplens/retainers');
});

test('package.json: activation events and commands', () => {
  const pkg = require('../package.json');
  // Languages the server serves, nothing else; onCommand/onView events are implied since VS Code 1.74
  // for contributed commands and views, and engines.vscode asks for more than that.
  assert.deepEqual(pkg.activationEvents, ['onLanguage:go', 'onLanguage:raku', 'onLanguage:javascript', 'onLanguage:typescript']);
  assert.ok(/^\^1\.(7[4-9]|[89]\d)/.test(pkg.engines.vscode), pkg.engines.vscode);
  // A stranger's workspace (an untrusted one) must not choose the executable that runs.
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['heaplens.serverPath']);
  assert.equal(pkg.contributes.configuration.properties['heaplens.serverPath'].scope, 'machine-overridable');
  // The side bar, and a menu entry for every command a view uses.
  assert.deepEqual(pkg.contributes.views.heaplens.map((v) => v.id), ['heaplens.dumps', 'heaplens.topSites', 'heaplens.types', 'heaplens.dominators', 'heaplens.retainers']);
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const [where, entries] of Object.entries(pkg.contributes.menus)) {
    for (const e of entries) assert.ok(contributed.has(e.command), `${where}: ${e.command} is contributed`);
  }
  const titles = Object.fromEntries(pkg.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
  assert.equal(titles['heaplens.openDump'], 'HeapLens: Open Heap Dump…');
  assert.equal(titles['heaplens.closeDump'], 'HeapLens: Unload Dump');
  assert.equal(titles['heaplens.compareWithBaseline'], 'HeapLens: Compare with Baseline…');
  // The language client registers the server's own commands; contributing the same ids would clash.
  for (const id of Object.values(Commands)) assert.equal(titles[id], undefined, `${id} is not contributed`);
  assert.equal(pkg.main, './dist/extension.js');
});

test('package.json: the walkthrough names media that exist and go into the .vsix, and commands that exist', () => {
  const fs = require('fs');
  const pkg = require('../package.json');
  const ignore = fs.readFileSync(path.join(__dirname, '..', '.vscodeignore'), 'utf8').split('\n');
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  const views = new Set(pkg.contributes.views.heaplens.map((v) => `${v.id}.focus`));
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.ok(walkthrough.steps.length >= 3);
  for (const step of walkthrough.steps) {
    const media = step.media.markdown;
    assert.ok(fs.existsSync(path.join(__dirname, '..', media)), `${media} exists`);
    assert.ok(ignore.includes(`!${path.dirname(media)}/*.md`), `${media} is packaged`);
    for (const m of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
      assert.ok(contributed.has(m[1]) || views.has(m[1]), `${step.id}: ${m[1]} exists`);
    }
  }
  // The sample the first step opens is packaged (copied from tests/data by `npm run sample`).
  assert.ok(ignore.includes('!sample/workers-go1.19.heapdump') && ignore.includes('!sample/main.go'));
  assert.match(pkg.scripts.package, /npm run --silent sample/);
});
