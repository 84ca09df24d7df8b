// server: starts the real `heaplens serve` and connects to it with vscode-languageserver-protocol.
//
// That library is the one vscode-languageclient sits on, so this is the
// extension's view of the server minus the VS Code UI. Every message in both
// directions is recorded, so tests can count replies per request id and look
// at progress, diagnostics and log messages after the fact.
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');
const { before, after, test } = require('node:test');
const assert = require('node:assert/strict');
const rpc = require('vscode-languageserver-protocol/node');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const testData = process.env.HEAPLENS_TEST_DATA || path.join(repoRoot, 'tests', 'data');

function serverBinary() {
  const bin = process.env.HEAPLENS_BIN;
  if (!bin) throw new Error('HEAPLENS_BIN is not set: point it at the built heaplens (make test-extension does)');
  if (!fs.existsSync(bin)) throw new Error(`HEAPLENS_BIN=${bin} does not exist: build the heaplens target first`);
  return bin;
}

/** Rejects after `ms` with a message naming what was awaited. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `predicate` until it returns (or resolves to) a truthy value; an async one is awaited before the next poll.
 * `what` names what was awaited: a string, or a function called only on timeout, so the message can show the state then.
 */
async function waitFor(predicate, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A temporary workspace holding copies of the given files (workspace elsewhere than the build). */
function makeWorkspace(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplens-ext-'));
  const copies = {};
  for (const [name, from] of Object.entries(files)) {
    const to = path.join(dir, name);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    copies[name] = to;
  }
  return { dir, files: copies, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** initialize params naming `dir` as the workspace root and its one folder. */
function workspaceParams(dir) {
  const uri = pathToFileURL(dir).href;
  return { rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }] };
}

/** Starts `heaplens serve [extraArgs...]`. */
function startServer(extraArgs = []) {
  const proc = cp.spawn(serverBinary(), ['serve', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  const session = {
    proc,
    stderr: '',
    received: [],
    sent: [],
    progress: [],
    createdTokens: [],
    diagnostics: new Map(), // local path -> latest diagnostics
    diagnosticEvents: [],
    logs: [],
    exit: null,
  };
  session.exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      session.exit = { code, signal };
      resolve(session.exit);
    });
  });
  proc.on('error', (e) => { session.stderr += `spawn error: ${e.message}\n`; });
  proc.stderr.on('data', (d) => { session.stderr += d.toString(); });

  const reader = new rpc.StreamMessageReader(proc.stdout);
  const writer = new rpc.StreamMessageWriter(proc.stdin);
  const listen = reader.listen.bind(reader);
  reader.listen = (cb) => listen((msg) => { session.received.push(msg); cb(msg); });
  const write = writer.write.bind(writer);
  writer.write = (msg) => { session.sent.push(msg); return write(msg); };

  const conn = rpc.createProtocolConnection(reader, writer);
  conn.onRequest(rpc.WorkDoneProgressCreateRequest.type, (p) => { session.createdTokens.push(p.token); return null; });
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onNotification('$/progress', (p) => session.progress.push(p));
  conn.onNotification(rpc.LogMessageNotification.type, (p) => session.logs.push(p.message));
  conn.onNotification(rpc.ShowMessageNotification.type, (p) => session.logs.push(p.message));
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    let key = p.uri;
    try { key = fileURLToPath(p.uri); } catch { /* keep the URI */ }
    session.diagnostics.set(key, p.diagnostics);
    session.diagnosticEvents.push({ path: key, diagnostics: p.diagnostics });
  });
  conn.listen();
  session.conn = conn;

  /** Replies (results and errors) the server sent for one request id. */
  session.repliesFor = (id) => session.received.filter((m) => m.id === id && (m.result !== undefined || m.error !== undefined));
  /** Id of the last request sent with this method. */
  session.lastRequestId = (method) => {
    for (let i = session.sent.length - 1; i >= 0; i--) if (session.sent[i].method === method && session.sent[i].id !== undefined) return session.sent[i].id;
    return undefined;
  };
  session.initialize = (params) =>
    withTimeout(conn.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'heaplens-node-protocol-test', version: '1' },
      rootUri: null,
      capabilities: {},
      ...params,
    }), 10000, 'the initialize reply');
  /** shutdown, exit, and the process's exit code. */
  session.shutdown = async () => {
    await withTimeout(conn.sendRequest(rpc.ShutdownRequest.type), 10000, 'the shutdown reply');
    await conn.sendNotification(rpc.ExitNotification.type);
    const exit = await withTimeout(session.exited, 10000, 'the server process to exit after exit');
    conn.dispose();
    return exit;
  };
  /** didOpen for `file` with its text on disk; returns its URI. */
  session.openDocument = async (file, languageId) => {
    const uri = pathToFileURL(file).href;
    await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, 'utf8') },
    });
    return uri;
  };
  session.kill = () => { if (!session.exit) proc.kill('SIGKILL'); };
  return session;
}

/**
 * The hooks of one describe block: before it, `files` are copied to a temporary workspace and
 * `heaplens serve [extraArgs...]` is started; after it, the server is killed and the workspace
 * removed. Returns the object before() fills in: {server, ws}.
 */
function serverSuite(files, extraArgs = []) {
  const suite = { server: undefined, ws: undefined };
  before(() => {
    suite.ws = makeWorkspace(files);
    suite.server = startServer(extraArgs);
  });
  after(() => {
    if (suite.server) suite.server.kill();
    if (suite.ws) suite.ws.remove();
  });
  return suite;
}

/** The last test of a serverSuite: shutdown and exit end the server with code 0. */
function shutdownTest(suite) {
  test('shutdown then exit ends the server with exit code 0', async () => {
    const exit = await suite.server.shutdown();
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${suite.server.stderr}`);
  });
}

module.exports = {
  serverBinary, serverSuite, startServer, shutdownTest, workspaceParams, makeWorkspace, withTimeout, waitFor, testData, rpc,
};
