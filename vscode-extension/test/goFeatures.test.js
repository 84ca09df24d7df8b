// Protocol test, Go part: leakcache-go1.22.heapdump on its main.go, copied to a workspace elsewhere.
//
// Needs HEAPLENS_BIN. Expected facts come from tests/data/go README (fixtures/go/README.md):
// main.go:53 (`s := &Session{...}` in fillCache) holds 10,000 live 64-byte objects; the dump has
// 21,440 object records of which 234 are Go 1.22 heap-bitmap pseudo-objects. The workspace is a
// temporary directory, so the server must map the dump's build path onto it by path suffix.
'use strict';
const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { serverSuite, shutdownTest, workspaceParams, withTimeout, waitFor, testData, rpc } = require('./support/server');
const protocol = require('../out/protocol');

const SITE_LINE = 52; // main.go:53, zero-based
const dumpPath = path.join(testData, 'go', 'leakcache-go1.22.heapdump');
const workspaceFiles = { 'leakcache/main.go': path.join(testData, 'go', 'leakcache', 'main.go') };

describe('heaplens serve: Go features on leakcache-go1.22', () => {
  const env = serverSuite(workspaceFiles);
  let uri;
  let mainGo;
  let summary;

  before(async () => {
    mainGo = env.ws.files['leakcache/main.go'];
    await env.server.initialize({
      ...workspaceParams(env.ws.dir),
      capabilities: {
        window: { workDoneProgress: true },
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, codeLens: {}, publishDiagnostics: { relatedInformation: true } },
        workspace: { workspaceFolders: true, configuration: true },
      },
    });
    await env.server.conn.sendNotification(rpc.InitializedNotification.type, {});
    uri = await env.server.openDocument(mainGo, 'go');
  });

  test('heaplens.loadDump answers a Go summary', async () => {
    const result = await withTimeout(
      env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [dumpPath] }),
      60000, 'the loadDump reply');
    summary = protocol.asDumpSummary(result, 'heaplens.loadDump');
    assert.equal(summary.format, 'go');
    assert.equal(path.resolve(summary.path), path.resolve(dumpPath));
    // 21,440 records, 234 of them heap-bitmap pseudo-objects that a parser may drop.
    assert.ok(summary.objects >= 21440 - 234 && summary.objects <= 21440, `objects = ${summary.objects}`);
    assert.ok(summary.totalBytes > 1048576, `totalBytes = ${summary.totalBytes} (the dump holds a 1 MiB object alone)`);
    assert.ok(summary.sites > 0, `sites = ${summary.sites}`);
    assert.ok(Array.isArray(result.warnings), 'warnings is a list');
  });

  test('the load reported $/progress begin and end on a token the client created', async () => {
    assert.ok(env.server.createdTokens.length >= 1, 'window/workDoneProgress/create was sent');
    const token = env.server.createdTokens[0];
    const kinds = env.server.progress.filter((p) => p.token === token).map((p) => p.value.kind);
    assert.equal(kinds[0], 'begin', `progress kinds: ${kinds}`);
    await waitFor(() => env.server.progress.some((p) => p.token === token && p.value.kind === 'end'), 5000, 'progress end');
    const begin = env.server.progress.find((p) => p.token === token && p.value.kind === 'begin');
    assert.ok(typeof begin.value.title === 'string' && begin.value.title.length > 0, 'begin has a title');
    for (const r of env.server.progress.filter((p) => p.token === token && p.value.kind === 'report' && p.value.percentage !== undefined)) {
      assert.ok(r.value.percentage >= 0 && r.value.percentage <= 100, `percentage ${r.value.percentage}`);
    }
  });

  test('heaplens/summary lists the loaded dump', async () => {
    const r = await withTimeout(env.server.conn.sendRequest(protocol.SummaryRequest.type, {}), 5000, 'heaplens/summary');
    assert.equal(r.dumps.length, 1);
    assert.equal(r.dumps[0].format, 'go');
    assert.equal(path.resolve(r.dumps[0].path), path.resolve(dumpPath));
    assert.equal(r.dumps[0].objects, summary && summary.objects);
  });

  test('diagnostics for main.go include line 53 (fillCache), source "heaplens"', async () => {
    const diags = await waitFor(() => {
      const d = env.server.diagnostics.get(mainGo);
      return d && d.some((x) => x.range.start.line === SITE_LINE) ? d : undefined;
    }, 15000, () => `a diagnostic on main.go line ${SITE_LINE + 1}; got ${JSON.stringify([...env.server.diagnostics.entries()].map(([k, v]) => [k, v.map((d) => d.range.start.line)]))}`);
    const d = diags.find((x) => x.range.start.line === SITE_LINE);
    assert.equal(d.source, protocol.DiagnosticSource);
    assert.ok(d.severity === 2 || d.severity === 3, `severity ${d.severity} is Warning or Information`);
    assert.ok(d.message.length > 0);
  });

  test('hover on line 53 mentions its 10,000 live objects', async () => {
    const hover = await withTimeout(
      env.server.conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: SITE_LINE, character: 8 } }),
      10000, 'the hover reply');
    assert.ok(hover, 'hover is not null');
    const text = typeof hover.contents === 'string' ? hover.contents : hover.contents.value;
    assert.ok(text.includes('10,000'), `hover text:\n${text}`);
  });

  test('code lenses include one on line 53 with a heaplens.showRetainers command', async () => {
    const lenses = await withTimeout(env.server.conn.sendRequest(rpc.CodeLensRequest.type, { textDocument: { uri } }), 10000, 'the codeLens reply');
    assert.ok(Array.isArray(lenses), 'code lenses are a list');
    let lens = lenses.find((l) => l.range.start.line === SITE_LINE);
    assert.ok(lens, `a lens on line ${SITE_LINE}; lenses on ${lenses.map((l) => l.range.start.line)}`);
    if (!lens.command) lens = await env.server.conn.sendRequest(rpc.CodeLensResolveRequest.type, lens);
    assert.ok(lens.command && lens.command.title.length > 0, 'the lens has a title');
    assert.equal(lens.command.command, protocol.Commands.showRetainers);
    // What the extension does on a click: executeCommand with the lens's arguments.
    const r = await withTimeout(
      env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: lens.command.command, arguments: lens.command.arguments }),
      10000, 'the showRetainers reply');
    // The extension turns this answer into its pick list.
    const shown = protocol.asRetainersResult(r);
    assert.ok(shown && shown.paths.length >= 1, `showRetainers answers retention paths: ${JSON.stringify(r).slice(0, 300)}`);
  });

  test('heaplens/retainers at line 53 answers at least one path from a root', async () => {
    const r = await withTimeout(
      env.server.conn.sendRequest(protocol.RetainersRequest.type, { textDocument: { uri }, position: { line: SITE_LINE, character: 0 }, k: 3 }),
      20000, 'the heaplens/retainers reply');
    assert.ok(Array.isArray(r.paths) && r.paths.length >= 1, `paths: ${JSON.stringify(r).slice(0, 300)}`);
    assert.ok(r.paths.length <= 3, 'k limits the number of paths');
    // Each path runs from a root to one of the objects allocated on that line.
    const last = (p) => p.steps[p.steps.length - 1];
    assert.ok(r.paths.some((p) => last(p).location && last(p).location.range.start.line === SITE_LINE &&
      path.resolve(require('url').fileURLToPath(last(p).location.uri)) === path.resolve(mainGo)),
      `a path ends at an object from main.go:${SITE_LINE + 1} in the workspace copy: ${JSON.stringify(r.paths.map(last))}`);
    for (const p of r.paths) {
      assert.ok(p.steps.length >= 2, 'a path has a root and the object');
      for (const s of p.steps) {
        assert.equal(typeof s.label, 'string');
        assert.equal(typeof s.size, 'number');
        assert.equal(typeof s.retained, 'number');
      }
    }
  });

  test('cancelling a load at once: result or -32800, exactly one reply', async () => {
    const source = new rpc.CancellationTokenSource();
    const pending = env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type,
      { command: protocol.Commands.loadDump, arguments: [path.join(testData, 'go', 'leakcache-go1.19.heapdump')] }, source.token);
    const id = env.server.lastRequestId('workspace/executeCommand');
    source.cancel();
    const outcome = await withTimeout(pending.then((r) => ({ result: r }), (e) => ({ error: e })), 60000, 'the cancelled load to settle');
    if (outcome.error) assert.equal(outcome.error.code, -32800, outcome.error.message);
    await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(env.server.repliesFor(id).length, 1, `exactly one reply to request ${id}`);
    if (outcome.error) {
      const r = await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
      assert.ok(!r.dumps.some((d) => d.path.endsWith('go1.19.heapdump')), 'a cancelled load leaves nothing behind');
    } else {
      await env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.unloadDump, arguments: [outcome.result.path] });
    }
  });

  test('heaplens.unloadDump empties the summary and clears main.go diagnostics', async () => {
    await withTimeout(
      env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.unloadDump, arguments: [dumpPath] }),
      10000, 'the unloadDump reply');
    const r = await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
    assert.deepEqual(r.dumps, []);
    await waitFor(() => (env.server.diagnostics.get(mainGo) || []).length === 0, 10000, 'main.go diagnostics to be cleared after unload');
  });

  shutdownTest(env);
});

describe('heaplens serve: the settings the extension sends', () => {
  const env = serverSuite(workspaceFiles);

  test('heaplens.dumps in initializationOptions is loaded at start; a bad entry is shown to the user', async () => {
    const { parseSettings, toServerSettings } = require('../out/config');
    const missing = path.join(env.ws.dir, 'missing.heapdump');
    // Exactly what the extension computes from the user's settings.
    const { settings, problems } = parseSettings({ get: (k) => ({ dumps: [path.join(testData, 'go', 'leakcache-go1.19.heapdump'), 'missing.heapdump'] })[k] }, env.ws.dir);
    assert.deepEqual(problems, []);
    assert.equal(settings.dumps[1], missing, 'relative entries resolve against the workspace folder');
    await env.server.initialize({
      ...workspaceParams(env.ws.dir),
      capabilities: { window: { workDoneProgress: true } },
      initializationOptions: toServerSettings(settings),
    });
    await env.server.conn.sendNotification(rpc.InitializedNotification.type, {});
    let last;
    await waitFor(async () => {
      last = await withTimeout(env.server.conn.sendRequest(protocol.SummaryRequest.type, {}), 5000, 'heaplens/summary');
      return last.dumps.some((d) => d.path.endsWith('leakcache-go1.19.heapdump')) && (last.loading || []).length === 0;
    }, 30000, () => `the configured dump to be loaded; last summary ${JSON.stringify(last)}`);
    assert.equal(last.dumps.length, 1, 'only the dump that exists is loaded');
    assert.equal(last.dumps[0].format, 'go');
    await waitFor(() => env.server.logs.some((m) => m.includes('missing.heapdump')), 10000,
      () => `window/showMessage or logMessage naming missing.heapdump; got ${JSON.stringify(env.server.logs)}`);
  });

  test('didChangeConfiguration {"heaplens": {...}} with another dump loads it too', async () => {
    const { parseSettings, toServerSettings } = require('../out/config');
    const { settings } = parseSettings({ get: (k) => ({ dumps: [dumpPath], maxPaths: 2 })[k] }, env.ws.dir);
    await env.server.conn.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: { heaplens: toServerSettings(settings) } });
    let last;
    await waitFor(async () => {
      last = await withTimeout(env.server.conn.sendRequest(protocol.SummaryRequest.type, {}), 5000, 'heaplens/summary');
      return last.dumps.some((d) => path.resolve(d.path) === path.resolve(dumpPath));
    }, 30000, () => `the newly configured dump to be loaded; last summary ${JSON.stringify(last)}`);
  });

  shutdownTest(env);
});

describe('heaplens serve: during a slow load (serve --test-load-delay-ms 3000)', () => {
  // The server's test hook: every load waits this long (cancellably) before reading.
  const env = serverSuite(workspaceFiles, ['--test-load-delay-ms', '3000']);
  let uri;
  const slowDump = path.join(testData, 'go', 'leakcache-go1.19.heapdump');

  before(async () => {
    await env.server.initialize({
      ...workspaceParams(env.ws.dir),
      capabilities: { window: { workDoneProgress: true } },
    });
    await env.server.conn.sendNotification(rpc.InitializedNotification.type, {});
    uri = await env.server.openDocument(env.ws.files['leakcache/main.go'], 'go');
  });

  /** Starts a load and waits for its progress begin; returns {pending, token}. */
  async function startLoad(cancelToken) {
    const before = env.server.createdTokens.length;
    const pending = env.server.conn
      .sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [slowDump] }, cancelToken)
      .then((r) => ({ result: r }), (e) => ({ error: e }));
    const token = await waitFor(() => env.server.createdTokens[before], 5000, 'window/workDoneProgress/create for the load');
    await waitFor(() => env.server.progress.some((p) => p.token === token && p.value.kind === 'begin'), 5000, 'progress begin');
    return { pending, token };
  }

  test('requests are answered at once while a load runs, from the state already loaded', async () => {
    const { pending, token } = await startLoad();
    const t0 = Date.now();
    const summary = await withTimeout(env.server.conn.sendRequest(protocol.SummaryRequest.type, {}), 1500, 'heaplens/summary during the load');
    assert.deepEqual(summary.dumps, [], 'nothing is loaded yet');
    assert.ok((summary.loading || []).some((p) => path.resolve(p) === path.resolve(slowDump)), `the load is listed as running: ${JSON.stringify(summary)}`);
    await withTimeout(env.server.conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 52, character: 2 } }), 1500, 'hover during the load');
    await withTimeout(env.server.conn.sendRequest(rpc.CodeLensRequest.type, { textDocument: { uri } }), 1500, 'codeLens during the load');
    assert.ok(Date.now() - t0 < 2500, 'answered well before the 3 s load delay ended');
    const outcome = await withTimeout(pending, 60000, 'the load');
    assert.ok(outcome.result, `the load succeeds: ${outcome.error && outcome.error.message}`);
    assert.ok(env.server.progress.some((p) => p.token === token && p.value.kind === 'end'));
    await env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.unloadDump, arguments: [slowDump] });
  });

  test('$/cancelRequest during the load answers -32800 and keeps the previous state', async () => {
    const source = new rpc.CancellationTokenSource();
    const { pending, token } = await startLoad(source.token);
    const id = env.server.lastRequestId('workspace/executeCommand');
    source.cancel();
    const outcome = await withTimeout(pending, 2500, 'the cancelled load to be answered');
    assert.ok(outcome.error, 'a load cancelled during its delay cannot have finished');
    assert.equal(outcome.error.code, -32800, outcome.error.message);
    await waitFor(() => env.server.progress.some((p) => p.token === token && p.value.kind === 'end'), 5000, 'progress end after the cancel');
    const summary = await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
    assert.deepEqual(summary.dumps, []);
    assert.equal(env.server.repliesFor(id).length, 1, 'exactly one reply');
  });

  test('window/workDoneProgress/cancel (the progress notification\'s Cancel button) stops the load with -32800', async () => {
    const { pending, token } = await startLoad();
    await env.server.conn.sendNotification(rpc.WorkDoneProgressCancelNotification.type, { token });
    const outcome = await withTimeout(pending, 2500, 'the cancelled load to be answered');
    assert.ok(outcome.error, 'a load cancelled during its delay cannot have finished');
    assert.equal(outcome.error.code, -32800, outcome.error.message);
    const summary = await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
    assert.deepEqual(summary.dumps, []);
  });

  shutdownTest(env);
});
