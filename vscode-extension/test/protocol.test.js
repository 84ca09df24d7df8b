// Protocol test, generic part: the real `heaplens serve` driven the way vscode-languageclient drives it.
//
// Needs HEAPLENS_BIN. Covers what does not depend on any dump format being parsed:
// initialize and capabilities, heaplens/summary, load errors for files that are not
// dumps, unknown methods, cancellation with exactly one reply, shutdown/exit code 0.
// The Go-specific features are in goFeatures.test.js.
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { startServer, makeWorkspace, withTimeout, waitFor, testData, pathToFileURL, rpc } = require('./support/server');
const protocol = require('../out/protocol');

describe('heaplens serve: generic protocol', () => {
  let server;
  let ws;
  let init;

  before(() => {
    ws = makeWorkspace({ 'main.go': path.join(testData, 'go', 'leakcache', 'main.go') });
    server = startServer();
  });
  after(() => {
    if (server) server.kill();
    if (ws) ws.remove();
  });

  test('initialize advertises hover, code lenses and the three commands', async () => {
    init = await server.initialize({
      rootUri: pathToFileURL(ws.dir).href,
      workspaceFolders: [{ uri: pathToFileURL(ws.dir).href, name: 'ws' }],
      capabilities: { window: { workDoneProgress: true } },
    });
    const caps = init.capabilities;
    assert.ok(caps.hoverProvider, 'hoverProvider');
    assert.ok(caps.codeLensProvider, 'codeLensProvider');
    assert.ok(caps.textDocumentSync !== undefined, 'textDocumentSync');
    const commands = caps.executeCommandProvider && caps.executeCommandProvider.commands;
    assert.ok(Array.isArray(commands), 'executeCommandProvider.commands is a list');
    for (const c of Object.values(protocol.Commands)) assert.ok(commands.includes(c), `${c} is listed in ${JSON.stringify(commands)}`);
    await server.conn.sendNotification(rpc.InitializedNotification.type, {});
  });

  test('heaplens/summary lists nothing before a load', async () => {
    const r = await withTimeout(server.conn.sendRequest(protocol.SummaryRequest.type, {}), 5000, 'heaplens/summary');
    assert.deepEqual(r.dumps, []);
    // Params are optional: null is accepted as well (Eglot sends null).
    const r2 = await withTimeout(server.conn.sendRequest(protocol.SummaryRequest.method, null), 5000, 'heaplens/summary with null params');
    assert.deepEqual(r2.dumps, []);
  });

  test('heaplens.loadDump on a file that is not a dump answers an error naming its first bytes', async () => {
    const load = server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [ws.files['main.go']] });
    const err = await withTimeout(load.then(() => null, (e) => e), 10000, 'the loadDump reply');
    assert.ok(err, 'loading Go source as a dump must fail');
    assert.equal(typeof err.code, 'number');
    // main.go starts with "// leakcache": the message must show those bytes, as text or as hex.
    assert.match(err.message, /\/\/ leakcache|2f 2f 20 6c/i, `message says what the first bytes were: ${err.message}`);
    const r = await server.conn.sendRequest(protocol.SummaryRequest.type, {});
    assert.deepEqual(r.dumps, [], 'a failed load leaves nothing loaded');
  });

  test('heaplens.loadDump on a missing file answers an error naming the path', async () => {
    const missing = path.join(ws.dir, 'no-such.heapdump');
    const err = await withTimeout(
      server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [missing] }).then(() => null, (e) => e),
      10000, 'the loadDump reply');
    assert.ok(err, 'loading a missing file must fail');
    assert.ok(err.message.includes('no-such.heapdump'), `message names the file: ${err.message}`);
  });

  test('an unknown method answers -32601', async () => {
    const err = await withTimeout(server.conn.sendRequest('heaplens/noSuchMethod', {}).then(() => null, (e) => e), 5000, 'the reply');
    assert.ok(err, 'unknown method must fail');
    assert.equal(err.code, -32601);
    // The server is still serving afterwards.
    await server.conn.sendRequest(protocol.SummaryRequest.type, {});
  });

  test('a request cancelled at once gets exactly one reply: its result or -32800', async () => {
    const uri = pathToFileURL(ws.files['main.go']).href;
    await server.conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'go', version: 1, text: require('fs').readFileSync(ws.files['main.go'], 'utf8') },
    });
    const source = new rpc.CancellationTokenSource();
    const pending = server.conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 52, character: 2 } }, source.token);
    const id = server.lastRequestId('textDocument/hover');
    source.cancel();
    const outcome = await withTimeout(pending.then((r) => ({ result: r }), (e) => ({ error: e })), 5000, 'the cancelled request to settle');
    if (outcome.error) assert.equal(outcome.error.code, -32800, `a cancelled request fails only with -32800: ${outcome.error.message}`);
    assert.ok(server.sent.some((m) => m.method === '$/cancelRequest' && m.params.id === id), '$/cancelRequest was sent');
    // Another round trip, then a pause, so a late duplicate reply would have arrived.
    await server.conn.sendRequest(protocol.SummaryRequest.type, {});
    await new Promise((r) => setTimeout(r, 200));
    await waitFor(() => server.repliesFor(id).length > 0, 5000, `a reply to request ${id} on the wire`);
    assert.equal(server.repliesFor(id).length, 1, `exactly one reply to request ${id}`);
  });

  test('every request so far got exactly one reply', () => {
    const ids = server.sent.filter((m) => m.id !== undefined && m.method !== undefined).map((m) => m.id);
    for (const id of ids) assert.equal(server.repliesFor(id).length, 1, `request ${id} (${server.sent.find((m) => m.id === id).method})`);
  });

  test('shutdown then exit ends the server with exit code 0', async () => {
    const exit = await server.shutdown();
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${server.stderr}`);
  });
});
