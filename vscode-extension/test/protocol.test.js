// Protocol test, generic part: the real `heaplens serve` driven the way vscode-languageclient drives it.
//
// Needs HEAPLENS_BIN. Covers what does not depend on any dump format being parsed:
// initialize and capabilities, heaplens/summary, load errors for files that are not
// dumps, unknown methods, cancellation with exactly one reply, shutdown/exit code 0.
// The Go-specific features are in goFeatures.test.js.
'use strict';
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { serverSuite, shutdownTest, workspaceParams, withTimeout, waitFor, testData, rpc } = require('./support/server');
const protocol = require('../out/protocol');

describe('heaplens serve: generic protocol', () => {
  const env = serverSuite({ 'main.go': path.join(testData, 'go', 'leakcache', 'main.go') });
  let init;

  test('initialize advertises hover, code lenses and the three commands', async () => {
    init = await env.server.initialize({
      ...workspaceParams(env.ws.dir),
      capabilities: { window: { workDoneProgress: true } },
    });
    const caps = init.capabilities;
    assert.ok(caps.hoverProvider, 'hoverProvider');
    assert.ok(caps.codeLensProvider, 'codeLensProvider');
    assert.ok(caps.textDocumentSync !== undefined, 'textDocumentSync');
    const commands = caps.executeCommandProvider && caps.executeCommandProvider.commands;
    assert.ok(Array.isArray(commands), 'executeCommandProvider.commands is a list');
    for (const c of Object.values(protocol.Commands)) assert.ok(commands.includes(c), `${c} is listed in ${JSON.stringify(commands)}`);
    await env.server.conn.sendNotification(rpc.InitializedNotification.type, {});
  });

  test('heaplens/summary lists nothing before a load', async () => {
    const r = await withTimeout(env.server.conn.sendRequest(protocol.SummaryRequest.type, {}), 5000, 'heaplens/summary');
    assert.deepEqual(r.dumps, []);
    // Params are optional: null is accepted as well (Eglot sends null).
    const r2 = await withTimeout(env.server.conn.sendRequest(protocol.SummaryRequest.method, null), 5000, 'heaplens/summary with null params');
    assert.deepEqual(r2.dumps, []);
  });

  test('heaplens.loadDump on a file that is not a dump answers an error naming the formats expected, not its bytes', async () => {
    const load = env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [env.ws.files['main.go']] });
    const err = await withTimeout(load.then(() => null, (e) => e), 10000, 'the loadDump reply');
    assert.ok(err, 'loading Go source as a dump must fail');
    assert.equal(typeof err.code, 'number');
    assert.match(err.message, /unknown file format; expected a Go heap dump/, `message names the formats expected: ${err.message}`);
    // main.go starts with "// leakcache": the file's content must not be echoed, as text or as hex.
    assert.doesNotMatch(err.message, /leakcache:|2f 2f 20 6c/i, `message echoes the file's bytes: ${err.message}`);
    const r = await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
    assert.deepEqual(r.dumps, [], 'a failed load leaves nothing loaded');
  });

  test('heaplens.loadDump on a missing file answers an error naming the path', async () => {
    const missing = path.join(env.ws.dir, 'no-such.heapdump');
    const err = await withTimeout(
      env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [missing] }).then(() => null, (e) => e),
      10000, 'the loadDump reply');
    assert.ok(err, 'loading a missing file must fail');
    assert.ok(err.message.includes('no-such.heapdump'), `message names the file: ${err.message}`);
  });

  test('an unknown method answers -32601', async () => {
    const err = await withTimeout(env.server.conn.sendRequest('heaplens/noSuchMethod', {}).then(() => null, (e) => e), 5000, 'the reply');
    assert.ok(err, 'unknown method must fail');
    assert.equal(err.code, -32601);
    // The server is still serving afterwards.
    await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
  });

  test('a request cancelled at once gets exactly one reply: its result or -32800', async () => {
    const uri = await env.server.openDocument(env.ws.files['main.go'], 'go');
    const source = new rpc.CancellationTokenSource();
    const pending = env.server.conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 52, character: 2 } }, source.token);
    const id = env.server.lastRequestId('textDocument/hover');
    source.cancel();
    const outcome = await withTimeout(pending.then((r) => ({ result: r }), (e) => ({ error: e })), 5000, 'the cancelled request to settle');
    if (outcome.error) assert.equal(outcome.error.code, -32800, `a cancelled request fails only with -32800: ${outcome.error.message}`);
    assert.ok(env.server.sent.some((m) => m.method === '$/cancelRequest' && m.params.id === id), '$/cancelRequest was sent');
    // Another round trip, then a pause, so a late duplicate reply would have arrived.
    await env.server.conn.sendRequest(protocol.SummaryRequest.type, {});
    await new Promise((r) => setTimeout(r, 200));
    await waitFor(() => env.server.repliesFor(id).length > 0, 5000, `a reply to request ${id} on the wire`);
    assert.equal(env.server.repliesFor(id).length, 1, `exactly one reply to request ${id}`);
  });

  test('every request so far got exactly one reply', () => {
    const ids = env.server.sent.filter((m) => m.id !== undefined && m.method !== undefined).map((m) => m.id);
    for (const id of ids) assert.equal(env.server.repliesFor(id).length, 1, `request ${id} (${env.server.sent.find((m) => m.id === id).method})`);
  });

  shutdownTest(env);
});
