// Activation test: the bundled extension (dist/extension.js) with the real vscode-languageclient
// and the real `heaplens serve`, inside a fake extension host (support/vscodeHost.js).
//
// Needs HEAPLENS_BIN. Checks what a VS Code user would see: the commands exist (and do not clash
// with the ones the client registers for the server), the status bar names the dump after
// "Open Heap Dump…", hover and code lenses on main.go:53 come through the client's providers,
// diagnostics land in the client's collection, and after repeated crashes the server is
// restarted at most 4 times before the user gets an error.
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { serverBinary, makeWorkspace, waitFor, withTimeout, testData } = require('./support/server');
const { install } = require('./support/vscodeHost');

const SITE_LINE = 52;

// The crash test SIGKILLs the server. A reply the client was sending it at that moment (to a
// workspace/codeLens/refresh or a progress request) fails inside vscode-jsonrpc's stream writer
// (a destroyed stream, or EPIPE), which leaves that promise unhandled ("Sending response failed.").
// Only that is tolerated; any other unhandled rejection still fails the run.
// The test runner's own handlers (installed when the tests start) still get every other one.
function tolerateWritesToTheKilledServer() {
  const runnerHandlers = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', (e, promise) => {
    if (e && e.code === 'ERR_STREAM_DESTROYED' && /StreamMessageWriter/.test(String(e.stack))) return;
    if (e && e.code === 'EPIPE' && e.syscall === 'write') return;
    if (runnerHandlers.length === 0) throw e;
    for (const h of runnerHandlers) h(e, promise);
  });
}
const dumpPath = path.join(testData, 'go', 'leakcache-go1.22.heapdump');

// /proc/<pid>/stat shows at most 15 characters of the executable's name.
const serverComm = path.basename(process.env.HEAPLENS_BIN || 'heaplens').slice(0, 15);

/** Pids of server processes whose parent is this test process (the client spawns them). */
function serverPids() {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === serverComm && Number(m[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}

describe('bundled extension in a fake extension host', () => {
  let host;
  let ext;
  let ws;
  let doc;
  const state = new Map();
  const ctx = { subscriptions: [], workspaceState: { get: (k, d) => (state.has(k) ? state.get(k) : d), update: async (k, v) => { state.set(k, v); }, keys: () => [...state.keys()] } };
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

  before(() => {
    tolerateWritesToTheKilledServer();
    const bin = serverBinary();
    ws = makeWorkspace({ 'leakcache/main.go': path.join(testData, 'go', 'leakcache', 'main.go') });
    host = install({ settings: { 'heaplens.serverPath': path.resolve(bin) }, workspaceFolder: ws.dir });
    ext = require('../dist/extension.js');
  });
  after(async () => {
    for (const pid of serverPids()) process.kill(pid, 'SIGKILL');
    if (ws) ws.remove();
  });

  test('activate starts the server; the commands are registered without clashing', async () => {
    await withTimeout(ext.activate(ctx), 20000, 'activate');
    for (const id of ['heaplens.openDump', 'heaplens.closeDump', 'heaplens.restartServer', 'heaplens.loadDump', 'heaplens.unloadDump', 'heaplens.showRetainers']) {
      assert.ok(host.rec.commands.has(id), `${id} is registered`);
    }
    assert.deepEqual(host.rec.messages.filter((m) => m.level === 'error'), []);
    assert.equal(serverPids().length, 1, 'one server process');
    const status = host.rec.statusItems[0];
    await waitFor(() => status.text === '$(database) HeapLens: no dump', 5000, () => `the empty status; it shows "${status.text}"`);
  });

  test('Open Heap Dump… loads the dump and the status bar names it', async () => {
    await withTimeout(host.vscode.commands.executeCommand('heaplens.openDump', host.vscode.Uri.file(dumpPath)), 60000, 'the load');
    const errors = host.rec.messages.filter((m) => m.level === 'error');
    assert.deepEqual(errors, []);
    // 21,440 object records, 234 of which are Go 1.22 heap-bitmap pseudo-objects (tests/data/go README).
    assert.match(host.rec.statusItems[0].text, /^\$\(database\) leakcache-go1\.22\.heapdump · 21,(206|440) objects$/);
  });

  test('adding a dump to heaplens.dumps loads it; the status bar follows the load', async () => {
    host.settings['heaplens.dumps'] = [path.join(testData, 'go', 'leakcache-go1.19.heapdump')];
    host.fire('config', { affectsConfiguration: (section) => section === 'heaplens' || section.startsWith('heaplens.') });
    // 21,247 objects in the 1.19 dump, 21,206 or 21,440 in the 1.22 one (tests/data/go README).
    await waitFor(() => /^\$\(database\) 2 dumps$/.test(host.rec.statusItems[0].text), 20000,
      () => `the status bar to show both dumps; it shows "${host.rec.statusItems[0].text}"`);
    assert.deepEqual(host.rec.messages.filter((m) => m.level === 'error'), []);
  });

  test('diagnostics, hover and code lenses on main.go:53 come through the language client', async () => {
    const file = path.join(ws.dir, 'leakcache', 'main.go');
    doc = host.openDocument(file, 'go', fs.readFileSync(file, 'utf8'));
    const uri = doc.uri.toString();
    const diags = await waitFor(() => {
      for (const coll of host.rec.diagnostics.values()) {
        const d = coll.get(uri);
        if (d && d.some((x) => x.range.start.line === SITE_LINE)) return d;
      }
      return undefined;
    }, 15000, `diagnostics on line ${SITE_LINE + 1} in the client's collection`);
    assert.ok(diags.find((d) => d.range.start.line === SITE_LINE).message.length > 0);

    const hoverProviders = host.rec.providers.Hover || [];
    assert.equal(hoverProviders.length, 1, 'the client registered one hover provider');
    const hover = await hoverProviders[0].provider.provideHover(doc, new host.vscode.Position(SITE_LINE, 8), token);
    const text = hover.contents.map((c) => c.value ?? String(c)).join('\n');
    assert.ok(text.includes('10,000'), `hover text:\n${text}`);

    const lensProviders = host.rec.providers.CodeLens || [];
    assert.equal(lensProviders.length, 1, 'the client registered one code lens provider');
    const lenses = await lensProviders[0].provider.provideCodeLenses(doc, token);
    const lens = lenses.find((l) => l.range.start.line === SITE_LINE);
    assert.ok(lens, `a lens on line ${SITE_LINE + 1}: ${lenses.map((l) => l.range.start.line)}`);
    assert.equal(lens.command.command, 'heaplens.showRetainers');

    // Clicking the lens: VS Code runs its command; the client forwards it to the server and the
    // extension shows the retention paths in the Retainers view; the path's last step opens main.go:53.
    await withTimeout(host.vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments), 20000, 'showRetainers');
    const view = host.rec.views.get('heaplens.retainers');
    const paths = view.provider.getChildren();
    assert.ok(paths.length >= 1 && paths.length <= 5, `1 to 5 paths, got ${paths.length}`);
    assert.match(paths[0].label, /^Path 1: /);
    const last = view.provider.getChildren(paths[0]).at(-1);
    assert.equal(last.command.command, 'vscode.open');
    assert.equal(last.command.arguments[0].fsPath, doc.uri.fsPath);
    assert.equal(last.command.arguments[1].selection.start.line, SITE_LINE);

    // "Why Is This Alive?" at the cursor on line 53 asks the same, limited to heaplens.maxPaths (5).
    assert.equal(host.rec.context['heaplens.dumpLoaded'], true, 'the menu context key is set once a dump is loaded');
    host.vscode.window.activeTextEditor = { document: doc, selection: { active: new host.vscode.Position(SITE_LINE, 4) } };
    view.description = undefined;
    await withTimeout(host.vscode.commands.executeCommand('heaplens.retainersAtCursor'), 20000, 'retainersAtCursor');
    assert.equal(view.description, 'main.go:53');
    const again = view.provider.getChildren().length;
    assert.ok(again >= 1 && again <= 5, `1 to 5 paths, got ${again}`);
    assert.deepEqual(host.rec.messages.filter((m) => m.level === 'error'), []);
  });

  test('the side bar lists the dumps, and the types of the one chosen', async () => {
    const dumps = host.rec.views.get('heaplens.dumps').provider.getChildren();
    assert.deepEqual(dumps.map((d) => d.label).sort(), ['leakcache-go1.19.heapdump', 'leakcache-go1.22.heapdump']);
    host.rec.views.get('heaplens.dumps').selectionListeners.forEach((l) => l({ selection: [dumps.find((d) => d.label === 'leakcache-go1.22.heapdump')] }));
    const sites = await host.rec.views.get('heaplens.topSites').provider.getChildren();
    // main.go:83's one 1,048,576-byte object leads by live bytes (shared/fixtures/go/README.md).
    assert.equal(sites[0].label, 'main.allocHuge');
    assert.match(sites[0].description, /^main\.go:83 · 1\.00 MiB · 1 object$/);
    const types = await host.rec.views.get('heaplens.types').provider.getChildren();
    assert.ok(types.length > 0);
  });

  test('a crashing server is restarted at most 4 times in 3 minutes, each time with its dumps, then the user is told', async () => {
    const status = host.rec.statusItems[0];
    for (let crash = 1; crash <= 5; crash++) {
      const pid = await waitFor(() => serverPids()[0], 15000, `a server process before crash ${crash}`);
      // The extension rewrites the status once the (re)started client is running; mark it to see that.
      status.text = 'marked by the test';
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !serverPids().includes(pid), 5000, `server ${pid} to go away`);
      if (crash <= 4) {
        await waitFor(() => serverPids().some((p) => p !== pid), 15000, `restart after crash ${crash}`);
        // The restarted server gets the current settings, so it loads heaplens.dumps (the 1.19 dump) again,
        // and the extension loads the one opened from the palette (remembered in workspace state).
        await waitFor(() => /^\$\(database\) 2 dumps$/.test(status.text), 15000,
          () => `the restarted client to be running with the configured dump after crash ${crash}; status "${status.text}"`);
      }
    }
    // vscode-languageclient's own rule and message.
    await waitFor(() => host.rec.messages.find((m) => m.level === 'error' && /crashed 5 times in the last 3 minutes/.test(m.text)), 10000,
      () => `the give-up error message: ${JSON.stringify(host.rec.messages)}`);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(serverPids(), [], 'no fifth restart');
    assert.match(host.rec.statusItems[0].text, /\$\(warning\) HeapLens/);
  });

  test('Restart Server brings it back, and deactivate stops it', async () => {
    await withTimeout(host.vscode.commands.executeCommand('heaplens.restartServer'), 20000, 'restart');
    assert.equal(serverPids().length, 1, 'one server process after the restart');
    await waitFor(() => /^\$\(database\) 2 dumps$/.test(host.rec.statusItems[0].text), 10000,
      () => `the status after the restart; it shows "${host.rec.statusItems[0].text}"`);
    await withTimeout(ext.deactivate(), 10000, 'deactivate');
    await waitFor(() => serverPids().length === 0, 5000, 'the server to exit after deactivate');
    for (const d of ctx.subscriptions.splice(0)) d.dispose();
  });

  test('a serverPath that does not exist: activation finishes, the user is told, commands say why', async () => {
    const missing = path.join(ws.dir, 'no-such-heaplens');
    host.settings['heaplens.serverPath'] = missing;
    host.rec.messages.length = 0;
    await withTimeout(ext.activate(ctx), 10000, 'activate with a missing server');
    // vscode-languageclient shows its own generic error too; ours names the path and the setting.
    const err = host.rec.messages.find((m) => m.level === 'error' && m.text.includes(missing));
    assert.ok(err, `an error message names the path: ${JSON.stringify(host.rec.messages)}`);
    assert.match(err.text, /heaplens\.serverPath/);
    assert.ok(err.items.includes('Open Settings'), 'it offers to open the settings');
    assert.match(host.rec.statusItems.at(-1).text, /\$\(warning\) HeapLens/);
    await host.vscode.commands.executeCommand('heaplens.openDump', host.vscode.Uri.file(dumpPath));
    const why = host.rec.messages.filter((m) => m.level === 'error').at(-1);
    assert.match(why.text, /could not load leakcache-go1\.22\.heapdump: the HeapLens server .* could not be started/);
    await ext.deactivate();
    for (const d of ctx.subscriptions.splice(0)) d.dispose();
  });
});
