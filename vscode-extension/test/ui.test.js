// Tests of the UI modules (commands, status bar, retention-path picker) against a stub 'vscode'.
// The language client is replaced by a recorder of the requests it would send, so these tests
// check what reaches the server and what the user sees, including that failures are shown.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { install, fakeContext, Uri } = require('./support/vscodeStub');

const stub = install();
const { registerCommands } = require('../out/commands');
const { StatusBar } = require('../out/statusBar');
const { retainersMiddleware, registerRetainersCommand, whyAliveLink } = require('../out/retainers');
const { RetainersTree, DumpRow, SitesTree, DominatorsTree, loadMore } = require('../out/trees');

const summary = { format: 'go', description: 'Go heap dump', path: '/data/leakcache-go1.22.heapdump', objects: 21440, totalBytes: 2500000, sites: 52, unreachableObjects: 0, snapshot: null, snapshotCount: 0, parts: ['heap'], warnings: [] };

/** A host whose client records requests and answers from `answer(method, params)`. */
function fakeHost(answer) {
  const sent = [];
  const status = new StatusBar();
  const host = {
    sent,
    status,
    runningClient() {
      return { sendRequest: async (type, params) => { const method = typeof type === 'string' ? type : type.method; sent.push({ method, params }); return answer(method, params); } };
    },
    restart: async () => { sent.push({ method: 'restart' }); },
    remembered: [],
    rememberLoad(arg) { host.remembered = [...host.remembered.filter((d) => d.path !== arg.path), arg]; },
    forgetDump(path) { host.remembered = host.remembered.filter((d) => d.path !== path); },
    refreshStatus: async () => {
      const r = await host.runningClient().sendRequest('heaplens/summary', {});
      status.show(r.dumps);
    },
  };
  return host;
}

function setup(answer) {
  stub.log.commands.clear();
  stub.log.errors.length = 0;
  stub.log.infos.length = 0;
  stub.log.warnings.length = 0;
  stub.log.quickPicks.length = 0;
  stub.log.progress.length = 0;
  const host = fakeHost(answer);
  const output = stub.vscode.window.createOutputChannel('HeapLens');
  host.shown = [];
  host.sink = { show: (result, subject) => host.shown.push({ result, subject }) };
  const lists = () => ({ sortBy: '', refreshed: 0, refresh() { this.refreshed++; } });
  host.views = { sites: lists(), types: lists(), retainers: host.sink, chosen: [], choose(p) { this.chosen.push(p); } };
  registerCommands(fakeContext(), host, output, host.views);
  return host;
}

test('Open Heap Dump: the picked file goes to heaplens.loadDump, the status bar names it', async () => {
  const loaded = [];
  const host = setup((method, params) => {
    if (method === 'workspace/executeCommand') { loaded.push(summary); return summary; }
    if (method === 'heaplens/summary') return { dumps: loaded };
    if (method === 'heaplens/formats') return { formats: [
      { name: 'go', description: 'Go heap dump', extensions: ['heapdump'], languages: ['go'], parsed: true },
      { name: 'v8', description: 'V8 heap snapshot', extensions: ['heapsnapshot'], languages: ['javascript'], parsed: false },
    ] };
    throw new Error(`unexpected ${method}`);
  });
  stub.replies.openDialog.push([Uri.file('/data/leakcache-go1.22.heapdump')]);
  await stub.vscode.commands.executeCommand('heaplens.openDump');
  const exec = host.sent.find((s) => s.method === 'workspace/executeCommand');
  assert.deepEqual(exec.params, { command: 'heaplens.loadDump', arguments: ['/data/leakcache-go1.22.heapdump'] });
  const filters = stub.log.openDialog.filters;
  // The server's format list decides, and a format it only recognises is not offered.
  assert.deepEqual(filters['Heap dumps'], ['heapdump']);
  assert.deepEqual(filters['Go heap dump'], ['heapdump']);
  assert.deepEqual(filters['All files'], ['*']);
  assert.equal(host.status.loaded.length, 1);
  const item = stub.log.statusItems.at(-1);
  assert.equal(item.text, '$(database) leakcache-go1.22.heapdump · 21,440 objects');
  assert.equal(item.visible, true);
  assert.match(stub.log.infos[0].text, /loaded leakcache-go1\.22\.heapdump \(go\): 21,440 objects/);
  assert.deepEqual(stub.log.errors, []);
});

test('Open Heap Dump: cancelling the dialog loads nothing', async () => {
  const host = setup((method) => { if (method === 'heaplens/formats') return { formats: [] }; throw new Error('nothing should be sent'); });
  stub.replies.openDialog.push(undefined);
  await stub.vscode.commands.executeCommand('heaplens.openDump');
  assert.deepEqual(host.sent.map((s) => s.method), ['heaplens/formats'], 'only the format list was asked for');
  assert.deepEqual(stub.log.errors, []);
});

test('Open Heap Dump: a server error reaches the user through showErrorMessage', async () => {
  setup((method) => {
    if (method === 'workspace/executeCommand') {
      const e = new Error('/bin/ls: unknown file format; expected a Go heap dump');
      e.code = -32602;
      throw e;
    }
    return { dumps: [] };
  });
  await stub.vscode.commands.executeCommand('heaplens.openDump', Uri.file('/bin/ls'));
  assert.equal(stub.log.errors.length, 1);
  assert.match(stub.log.errors[0].text, /HeapLens: could not load ls: \/bin\/ls: unknown file format; expected a Go heap dump/);
});

test('Open Heap Dump: warnings and a malformed answer are shown, not swallowed', async () => {
  setup((method) => (method === 'workspace/executeCommand' ? { ...summary, warnings: ['234 bogus objects skipped', 'x'] } : { dumps: [] }));
  await stub.vscode.commands.executeCommand('heaplens.openDump', Uri.file('/data/leakcache-go1.22.heapdump'));
  assert.match(stub.log.warnings[0].text, /234 bogus objects skipped \(and 1 more in the output\)/);

  setup((method) => (method === 'workspace/executeCommand' ? { format: 'go' } : { dumps: [] }));
  await stub.vscode.commands.executeCommand('heaplens.openDump', Uri.file('/data/leakcache-go1.22.heapdump'));
  assert.match(stub.log.errors[0].text, /heaplens\.loadDump\.path: expected a string, got nothing/);
});

test('Unload Dump: picks from heaplens/summary and sends heaplens.unloadDump with the path', async () => {
  let dumps = [summary, { ...summary, path: '/data/other.mvmheap', format: 'moar', objects: 5 }];
  const host = setup((method, params) => {
    if (method === 'heaplens/summary') return { dumps };
    if (method === 'workspace/executeCommand' && params.command === 'heaplens.unloadDump') {
      dumps = dumps.filter((d) => d.path !== params.arguments[0]);
      return null;
    }
    throw new Error(`unexpected ${method}`);
  });
  stub.replies.quickPick.push((items) => items[1]);
  await stub.vscode.commands.executeCommand('heaplens.closeDump');
  assert.deepEqual(stub.log.quickPicks[0].items.map((i) => i.label), ['leakcache-go1.22.heapdump', 'other.mvmheap']);
  const unload = host.sent.find((s) => s.method === 'workspace/executeCommand');
  assert.deepEqual(unload.params, { command: 'heaplens.unloadDump', arguments: ['/data/other.mvmheap'] });
  assert.equal(stub.log.statusItems.at(-1).text, '$(database) leakcache-go1.22.heapdump · 21,440 objects');
});

test('Unload Dump: nothing loaded says so; a failing summary is an error message', async () => {
  setup(() => ({ dumps: [] }));
  await stub.vscode.commands.executeCommand('heaplens.closeDump');
  assert.match(stub.log.infos[0].text, /no heap dump is loaded/);
  assert.equal(stub.log.quickPicks.length, 0);

  setup(() => { throw new Error('server is not running'); });
  await stub.vscode.commands.executeCommand('heaplens.closeDump');
  assert.match(stub.log.errors[0].text, /could not list the loaded dumps: server is not running/);
});

test('showRetainers lens: the answer goes to the Retainers view, whose steps open their lines', async () => {
  const host = setup(() => null);
  const paths = {
    paths: [{
      dump: '/d', text: 'main.cache → Session', throughInterGenerational: false,
      steps: [
        { label: 'main.cache', node: 3, type: 'global', description: 'main.cache', size: 8, retained: 640000, location: { uri: 'file:///w/main.go', range: { start: { line: 37, character: 1 }, end: { line: 37, character: 6 } } } },
        { label: 'Session', node: 9, type: 'main.Session', description: 'main.Session', size: 64, retained: 80 },
      ],
    }],
  };
  const mw = retainersMiddleware(host, host.sink);
  const arg = { textDocument: { uri: 'file:///w/main.go' }, position: { line: 52, character: 0 } };
  const result = await mw.executeCommand('heaplens.showRetainers', [arg], async () => paths);
  assert.equal(result, paths, 'the server answer is passed through');
  assert.equal(host.shown.length, 1);
  assert.equal(host.shown[0].subject, 'main.go:53');

  // The view: one row per path, expanded into its steps; a step with a line opens it.
  const tree = new RetainersTree(host, () => 5);
  tree.show(paths, 'main.go:53');
  const [row] = tree.getChildren();
  assert.match(row.label, /Path 1: 2 steps/);
  const steps = tree.getChildren(row);
  assert.equal(steps.length, 2);
  assert.equal(steps[0].command.command, 'vscode.open');
  assert.equal(steps[0].command.arguments[0].fsPath, '/w/main.go');
  assert.equal(steps[0].command.arguments[1].selection.start.line, 37);
  assert.equal(steps[1].command, undefined, 'a step without a line is not a link');

  // Other commands are not intercepted.
  assert.equal(await mw.executeCommand('heaplens.loadDump', ['/x'], async () => 'r'), 'r');
  assert.equal(host.shown.length, 1);
});

test('showRetainers lens: without paths in the answer, heaplens/retainers is asked for the lens position', async () => {
  const host = setup((method) => (method === 'heaplens/retainers' ? { paths: [] } : null));
  const mw = retainersMiddleware(host, host.sink);
  const arg = { textDocument: { uri: 'file:///w/main.go' }, position: { line: 52, character: 0 } };
  await mw.executeCommand('heaplens.showRetainers', [arg], async () => null);
  assert.deepEqual(host.sent.at(-1), { method: 'heaplens/retainers', params: arg });
  assert.match(stub.log.infos.at(-1).text, /no retention path found for main\.go:53/);
});

test('Why Is This Alive?: asks heaplens/retainers at the cursor with maxPaths; errors are shown', async () => {
  const host = setup((method) => {
    if (method === 'heaplens/retainers') return { paths: [{ steps: [{ label: 'bss', node: 1, type: 'bss segment', size: 0, retained: 10 }] }] };
    return null;
  });
  registerRetainersCommand(fakeContext(), host, host.sink, () => 3);
  stub.vscode.window.activeTextEditor = undefined;
  await stub.vscode.commands.executeCommand('heaplens.retainersAtCursor');
  assert.match(stub.log.infos.at(-1).text, /put the cursor on an allocation line/);

  stub.vscode.window.activeTextEditor = { document: { uri: Uri.file('/w/main.go') }, selection: { active: { line: 52, character: 7 } } };
  await stub.vscode.commands.executeCommand('heaplens.retainersAtCursor');
  assert.deepEqual(host.sent.at(-1), { method: 'heaplens/retainers', params: { textDocument: { uri: 'file:///w/main.go' }, position: { line: 52, character: 7 }, k: 3 } });
  assert.equal(host.shown.at(-1).subject, 'main.go:53');
  assert.equal(host.shown.at(-1).result.paths[0].steps[0].label, 'bss');

  const failing = setup(() => { throw new Error('no document /w/main.go is open'); });
  registerRetainersCommand(fakeContext(), failing, failing.sink, () => 3);
  await stub.vscode.commands.executeCommand('heaplens.retainersAtCursor');
  assert.match(stub.log.errors.at(-1).text, /could not find retention paths: no document/);
});

test('Compare with Baseline: the target is loaded again with the picked baseline, keeping its snapshot; Clear Baseline drops it', async () => {
  const target = { ...summary, format: 'v8', path: '/data/plain-target.heapsnapshot', snapshot: null, executable: undefined };
  const host = setup((method, params) => {
    if (method === 'heaplens/formats') return { formats: [
      { name: 'go', description: 'Go heap dump', extensions: ['heapdump'], languages: ['go'], parsed: true },
      { name: 'v8', description: 'V8 heap snapshot', extensions: ['heapsnapshot'], languages: ['javascript'], parsed: true },
    ] };
    if (method === 'workspace/executeCommand') return { ...target, baseline: params.arguments[0].baseline };
    if (method === 'heaplens/summary') return { dumps: [target] };
    throw new Error(`unexpected ${method}`);
  });
  stub.replies.openDialog.push([Uri.file('/data/plain-baseline.heapsnapshot')]);
  await stub.vscode.commands.executeCommand('heaplens.compareWithBaseline', new DumpRow(target, true));
  // The dialog offers only the target's format: a baseline must be of the same format.
  assert.deepEqual(stub.log.openDialog.filters['Heap dumps'], ['heapsnapshot']);
  const load = host.sent.find((s) => s.method === 'workspace/executeCommand');
  assert.deepEqual(load.params.arguments, [{ path: '/data/plain-target.heapsnapshot', baseline: '/data/plain-baseline.heapsnapshot' }]);
  assert.deepEqual(host.remembered, [{ path: '/data/plain-target.heapsnapshot', baseline: '/data/plain-baseline.heapsnapshot' }]);
  assert.deepEqual(host.views.chosen, ['/data/plain-target.heapsnapshot'], 'the lists show the compared dump');

  host.sent.length = 0;
  await stub.vscode.commands.executeCommand('heaplens.clearBaseline', new DumpRow({ ...target, baseline: '/data/plain-baseline.heapsnapshot' }, true));
  assert.deepEqual(host.sent.find((s) => s.method === 'workspace/executeCommand').params.arguments, [{ path: '/data/plain-target.heapsnapshot' }]);
  assert.deepEqual(host.remembered, [{ path: '/data/plain-target.heapsnapshot' }]);
});

test('a load that takes over a second shows a cancellable progress notification; a quick one does not', async () => {
  let delay = 0;
  const host = setup(async (method) => {
    if (method === 'workspace/executeCommand') {
      await new Promise((r) => setTimeout(r, delay));
      return summary;
    }
    return { dumps: [summary] };
  });
  await stub.vscode.commands.executeCommand('heaplens.openDump', Uri.file('/data/leakcache-go1.22.heapdump'));
  assert.deepEqual(stub.log.progress, []);
  delay = 1300;
  await stub.vscode.commands.executeCommand('heaplens.openDump', Uri.file('/data/leakcache-go1.22.heapdump'));
  assert.equal(stub.log.progress.length, 1);
  assert.equal(stub.log.progress[0].cancellable, true);
  assert.match(stub.log.progress[0].title, /loading leakcache-go1\.22\.heapdump/);
  assert.deepEqual(host.remembered, [{ path: '/data/leakcache-go1.22.heapdump' }]);
});

test('Unload Dump forgets the dump, so a restart does not load it again', async () => {
  let dumps = [summary];
  const host = setup((method, params) => {
    if (method === 'heaplens/summary') return { dumps };
    if (method === 'workspace/executeCommand' && params.command === 'heaplens.unloadDump') { dumps = []; return null; }
    throw new Error(`unexpected ${method}`);
  });
  host.remembered = [{ path: summary.path }, { path: '/data/other.mvmheap' }];
  await stub.vscode.commands.executeCommand('heaplens.closeDump', new DumpRow(summary, true));
  assert.deepEqual(host.remembered, [{ path: '/data/other.mvmheap' }]);
});

test('status bar sets the heaplens.dumpLoaded context for menus', () => {
  const bar = new StatusBar();
  bar.show([summary]);
  assert.equal(stub.log.context['heaplens.dumpLoaded'], true);
  bar.show([]);
  assert.equal(stub.log.context['heaplens.dumpLoaded'], false);
});

test('side bar lists are read a page at a time; "Load more" fetches the next page; a dominator fetches its children when expanded', async () => {
  const sites = Array.from({ length: 150 }, (_, i) => ({ site: i, function: `f${i}`, where: `main.go:${i + 1}`, count: 150 - i, shallowBytes: 1000 - i, retainedBytes: 2000 }));
  const host = setup((method, params) => {
    if (method === 'heaplens/topSites') return { total: sites.length, items: sites.slice(params.offset, params.offset + params.limit) };
    if (method === 'heaplens/dominators') {
      const kids = params.node === undefined ? [{ node: 7, type: 'bss', description: 'bss segment', size: 0, retained: 900, children: 2 }]
        : [{ node: 8, type: 'x', description: '64 B object (main.go:53)', size: 64, retained: 64, children: 0, location: { uri: 'file:///w/main.go', range: { start: { line: 52, character: 0 }, end: { line: 52, character: 0 } } } }];
      return { total: kids.length, items: kids };
    }
    throw new Error(`unexpected ${method}`);
  });
  const views = { activeDump: summary };
  const tree = new SitesTree(host, views);
  let rows = await tree.getChildren();
  assert.equal(rows.length, 101, '100 sites and a "Load more" row');
  assert.deepEqual(host.sent.map((s) => s.params), [{ dump: summary.path, sortBy: 'live', offset: 0, limit: 100 }]);
  assert.match(rows[100].label, /Load more \(100 of 150\)/);
  await loadMore(rows[100]);
  rows = await tree.getChildren();
  assert.equal(rows.length, 150, 'all of them, no "Load more"');
  assert.equal(host.sent.at(-1).params.offset, 100);
  assert.equal(rows[0].command, undefined, 'a site without a workspace location is not a link');
  assert.equal(rows[0].description, 'main.go:1 · 1,000 B · 150 objects');

  const doms = new DominatorsTree(host, views);
  const [root] = await doms.getChildren();
  assert.equal(root.label, 'bss segment');
  assert.equal(root.collapsibleState, 1, 'collapsed: it keeps 2 nodes alive');
  const before = host.sent.length;
  const [child] = await doms.getChildren(root);
  assert.deepEqual(host.sent.slice(before).map((s) => s.params.node), [7], 'its children were asked for when expanded');
  assert.equal(child.command.arguments[1].selection.start.line, 52);
});

test('a HeapLens hover ends with a trusted "Why is this alive?" link whose command fills the Retainers view', async () => {
  const host = setup((method, params) => (method === 'heaplens/retainers' ? { paths: [{ steps: [{ label: 'bss', node: 1, type: 'bss', size: 0, retained: 9 }] }], params } : null));
  const mw = retainersMiddleware(host, host.sink);
  const doc = { uri: Uri.file('/w/main.go') };
  const hover = await mw.provideHover(doc, { line: 52, character: 4 }, undefined, async () => new stub.vscode.Hover([new stub.vscode.MarkdownString('10,000 live objects')]));
  assert.equal(hover.contents.length, 2);
  const link = hover.contents[1];
  assert.equal(link.value, whyAliveLink('file:///w/main.go', 52, 4));
  assert.deepEqual(link.isTrusted, { enabledCommands: ['heaplens.retainersAt'] });
  const m = /\(command:heaplens\.retainersAt\?(.*)\)$/.exec(link.value);
  const args = JSON.parse(decodeURIComponent(m[1]));
  registerRetainersCommand(fakeContext(), host, host.sink, () => 4);
  await stub.vscode.commands.executeCommand('heaplens.retainersAt', ...args);
  assert.deepEqual(host.sent.at(-1).params, { textDocument: { uri: 'file:///w/main.go' }, position: { line: 52, character: 4 }, k: 4 });
  assert.equal(host.shown.at(-1).subject, 'main.go:53');
  // No hover, no link; a dump file's own lines get none either.
  assert.equal(await mw.provideHover(doc, { line: 1, character: 0 }, undefined, async () => null), null);
  const onDump = await mw.provideHover({ uri: Uri.file('/d/memdump.log') }, { line: 3, character: 0 }, undefined, async () => new stub.vscode.Hover([new stub.vscode.MarkdownString('GC 1')]));
  assert.equal(onDump.contents.length, 1);
});
