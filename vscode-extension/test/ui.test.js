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
const { retainersMiddleware, registerRetainersCommand } = require('../out/retainers');

const summary = { format: 'go', path: '/data/leakcache-go1.22.heapdump', objects: 21440, totalBytes: 2500000, sites: 52, snapshot: 0, snapshotCount: 1, warnings: [] };

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
  const host = fakeHost(answer);
  const output = stub.vscode.window.createOutputChannel('HeapLens');
  registerCommands(fakeContext(), host, output);
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
      const e = new Error('unknown file format: first bytes are 7f 45 4c 46 ("\\x7fELF")');
      e.code = -32602;
      throw e;
    }
    return { dumps: [] };
  });
  await stub.vscode.commands.executeCommand('heaplens.openDump', Uri.file('/bin/ls'));
  assert.equal(stub.log.errors.length, 1);
  assert.match(stub.log.errors[0].text, /HeapLens: could not load ls: unknown file format: first bytes are 7f 45 4c 46/);
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

test('showRetainers lens: the answer becomes a pick list, and a chosen step opens its line', async () => {
  const host = setup(() => null);
  const paths = {
    paths: [{
      steps: [
        { label: 'main.cache', node: 3, type: 'global', size: 8, retained: 640000, location: { uri: 'file:///w/main.go', range: { start: { line: 37, character: 1 }, end: { line: 37, character: 6 } } } },
        { label: 'Session', node: 9, type: 'main.Session', size: 64, retained: 80 },
      ],
    }],
  };
  const mw = retainersMiddleware(host);
  stub.replies.quickPick.push((items) => items[0]);
  const result = await mw.executeCommand('heaplens.showRetainers', [{ site: 1 }], async () => paths);
  assert.equal(result, paths, 'the server answer is passed through');
  assert.equal(stub.log.quickPicks[0].items.length, 2);
  const opened = stub.log.opened.at(-1);
  assert.equal(opened.uri.fsPath, '/w/main.go');
  assert.equal(opened.options.selection.start.line, 37);

  // Other commands are not intercepted.
  const before = stub.log.quickPicks.length;
  assert.equal(await mw.executeCommand('heaplens.loadDump', ['/x'], async () => 'r'), 'r');
  assert.equal(stub.log.quickPicks.length, before);
});

test('showRetainers lens: without paths in the answer, heaplens/retainers is asked for the lens position', async () => {
  const host = setup((method) => (method === 'heaplens/retainers' ? { paths: [] } : null));
  const mw = retainersMiddleware(host);
  const arg = { textDocument: { uri: 'file:///w/main.go' }, position: { line: 52, character: 0 } };
  await mw.executeCommand('heaplens.showRetainers', [arg], async () => null);
  assert.deepEqual(host.sent.at(-1), { method: 'heaplens/retainers', params: arg });
  assert.match(stub.log.infos.at(-1).text, /no retention path found/);
});

test('Why Is This Alive?: asks heaplens/retainers at the cursor with maxPaths; errors are shown', async () => {
  const host = setup((method) => {
    if (method === 'heaplens/retainers') return { paths: [{ steps: [{ label: 'bss', node: 1, type: 'bss segment', size: 0, retained: 10 }] }] };
    return null;
  });
  registerRetainersCommand(fakeContext(), host, () => 3);
  stub.vscode.window.activeTextEditor = undefined;
  await stub.vscode.commands.executeCommand('heaplens.retainersAtCursor');
  assert.match(stub.log.infos.at(-1).text, /put the cursor on an allocation line/);

  stub.vscode.window.activeTextEditor = { document: { uri: Uri.file('/w/main.go') }, selection: { active: { line: 52, character: 7 } } };
  await stub.vscode.commands.executeCommand('heaplens.retainersAtCursor');
  assert.deepEqual(host.sent.at(-1), { method: 'heaplens/retainers', params: { textDocument: { uri: 'file:///w/main.go' }, position: { line: 52, character: 7 }, k: 3 } });
  assert.equal(stub.log.quickPicks.at(-1).items[0].label, 'path 1: bss');

  const failing = setup(() => { throw new Error('no document /w/main.go is open'); });
  registerRetainersCommand(fakeContext(), failing, () => 3);
  await stub.vscode.commands.executeCommand('heaplens.retainersAtCursor');
  assert.match(stub.log.errors.at(-1).text, /could not find retention paths: no document/);
});

test('status bar sets the heaplens.dumpLoaded context for menus', () => {
  const bar = new StatusBar();
  bar.show([summary]);
  assert.equal(stub.log.context['heaplens.dumpLoaded'], true);
  bar.show([]);
  assert.equal(stub.log.context['heaplens.dumpLoaded'], false);
});
