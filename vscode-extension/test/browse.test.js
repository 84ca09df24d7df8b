// Protocol test of the side bar's requests and of baselines, against the real `heaplens serve`.
//
// Needs HEAPLENS_BIN. On real dumps, with expected figures from the fixtures' READMEs
// (shared/fixtures/go/README.md, shared/fixtures/js/README.md):
//  - heaplens/topSites: leakcache's one 1,048,576-byte object (main.go:83) leads by live bytes, the
//    10,000 Sessions of main.go:53 by count; pages do not overlap and add up to `total`;
//  - heaplens/types and heaplens/dominators: pages, sorting, a dominator's children fetched on demand;
//  - heaplens.loadDump {path, baseline}: the plain V8 pair grows SessionState by 2,000 instances
//    (+80,000 B), which shows in heaplens/types, the summary, a code lens and a hover on
//    sessions.js:11 (where V8 records the class: its constructor); a baseline of another format is refused with a clear error; loading again
//    without the baseline removes the growth;
//  - heaplens/dumpsChanged is sent when a load starts and ends.
'use strict';
const { describe, test, before } = require('node:test');
const assert = require('node:assert/strict');
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { serverSuite, shutdownTest, workspaceParams, withTimeout, waitFor, testData, rpc } = require('./support/server');
const protocol = require('../out/protocol');

const goDump = path.join(testData, 'go', 'leakcache-go1.22.heapdump');

describe('heaplens serve: the side bar requests and baselines', () => {
  const env = serverSuite({
    'leakcache/main.go': path.join(testData, 'go', 'leakcache', 'main.go'),
    'leaky/leaky_app.js': path.join(testData, 'js', 'leaky_app.js'),
    'leaky/lib/records.js': path.join(testData, 'js', 'lib', 'records.js'),
    'leaky/lib/sessions.js': path.join(testData, 'js', 'lib', 'sessions.js'),
  });
  const changes = [];
  let jsBaseline;
  let jsTarget;
  const req = (type, params) => withTimeout(env.server.conn.sendRequest(type, params), 30000, type.method ?? String(type));
  const load = (arg) =>
    withTimeout(
      env.server.conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: protocol.Commands.loadDump, arguments: [arg] }),
      60000,
      `loading ${JSON.stringify(arg)}`,
    );

  before(async () => {
    // The snapshots are committed compressed; the server reads files, so they are unpacked beside the workspace.
    const dir = path.join(env.ws.dir, 'dumps');
    fs.mkdirSync(dir);
    jsBaseline = path.join(dir, 'plain-baseline.heapsnapshot');
    jsTarget = path.join(dir, 'plain-target.heapsnapshot');
    for (const f of [jsBaseline, jsTarget]) {
      cp.execFileSync('zstd', ['-q', '-d', '-f', path.join(testData, 'js', `${path.basename(f)}.zst`), '-o', f]);
    }
    env.server.conn.onNotification(protocol.DumpsChangedNotification.type, (p) => changes.push(p));
    await env.server.initialize(workspaceParams(env.ws.dir));
    await env.server.conn.sendNotification(rpc.InitializedNotification.type, {});
  });

  test('heaplens/dumpsChanged says when a load starts and when it ends', async () => {
    await load(goDump);
    await waitFor(() => changes.some((c) => c.dumps.some((d) => d.path === goDump)), 10000, 'a notification with the dump loaded');
    assert.ok(changes.some((c) => c.loading.includes(goDump)), `a notification while it loads: ${JSON.stringify(changes)}`);
    const last = changes[changes.length - 1];
    assert.deepEqual(last.loading, []);
  });

  test('heaplens/topSites: the 1 MiB object leads by live bytes, the 10,000 Sessions by count', async () => {
    const live = await req(protocol.TopSitesRequest.type, { dump: goDump, sortBy: 'live', offset: 0, limit: 5 });
    assert.equal(live.items.length, 5);
    assert.equal(live.items[0].shallowBytes, 1048576, JSON.stringify(live.items[0]));
    assert.equal(live.items[0].where, 'main.go:83');
    assert.equal(live.items[0].function, 'main.allocHuge');
    assert.ok(live.items[0].location && live.items[0].location.uri.endsWith('/leakcache/main.go'), 'a jump into the workspace copy');
    assert.equal(live.items[0].location.range.start.line, 82);
    for (let i = 1; i < live.items.length; i++) assert.ok(live.items[i - 1].shallowBytes >= live.items[i].shallowBytes, 'sorted by live bytes');

    const byCount = await req(protocol.TopSitesRequest.type, { dump: goDump, sortBy: 'count', offset: 0, limit: 1 });
    assert.equal(byCount.items[0].count, 10000);
    assert.equal(byCount.items[0].where, 'main.go:53');
    assert.equal(byCount.items[0].shallowBytes, 640000);

    // Pages: the second starts where the first ended, and all of them hold `total` sites.
    const all = [];
    for (let offset = 0; offset < live.total; offset += 20) {
      const p = await req(protocol.TopSitesRequest.type, { dump: goDump, sortBy: 'live', offset, limit: 20 });
      all.push(...p.items);
    }
    assert.equal(all.length, live.total);
    assert.equal(new Set(all.map((s) => s.site)).size, live.total, 'no site twice');
  });

  test('heaplens/types and heaplens/dominators page and sort on the server', async () => {
    const types = await req(protocol.TypesRequest.type, { dump: goDump, sortBy: 'count', offset: 0, limit: 3 });
    assert.equal(types.growth, false);
    assert.ok(types.total > 3);
    assert.ok(types.items[0].count >= types.items[1].count && types.items[1].count >= types.items[2].count);
    assert.ok(types.items.every((t) => t.countDelta === undefined), 'no growth without a baseline');
    assert.ok(types.items[0].node !== undefined, 'an instance to ask retention paths for');

    const roots = await req(protocol.DominatorsRequest.type, { dump: goDump, offset: 0, limit: 10 });
    assert.ok(roots.total >= roots.items.length && roots.items.length > 0);
    for (let i = 1; i < roots.items.length; i++) assert.ok(roots.items[i - 1].retained >= roots.items[i].retained);
    const parent = roots.items.find((r) => r.children > 0);
    assert.ok(parent, 'a root that keeps something alive');
    const kids = await req(protocol.DominatorsRequest.type, { dump: goDump, node: parent.node, offset: 0, limit: 1000 });
    assert.equal(kids.total, parent.children);
    const sum = kids.items.reduce((s, k) => s + k.retained, 0);
    assert.ok(sum <= parent.retained, `children retain ${sum} of the parent's ${parent.retained}`);
  });

  test('a bad page is an InvalidParams error that names the field', async () => {
    await assert.rejects(req(protocol.TypesRequest.type, { dump: goDump, limit: 5000 }), (e) => e.code === -32602 && /limit/.test(e.message));
    await assert.rejects(req(protocol.TopSitesRequest.type, { dump: '/nowhere.heapdump' }), (e) => /not loaded/.test(e.message));
  });

  test('Compare with a baseline: SessionState grew by 2,000 (+80,000 B) in types, summary, lens and hover at sessions.js:11', async () => {
    const summary = await load({ path: jsTarget, baseline: jsBaseline });
    assert.equal(summary.baseline, jsBaseline);
    assert.ok(summary.parts.includes('growth'), JSON.stringify(summary.parts));
    const types = await req(protocol.TypesRequest.type, { dump: jsTarget, sortBy: 'growth', offset: 0, limit: 50 });
    assert.equal(types.growth, true);
    const session = types.items.find((t) => t.type === 'SessionState');
    assert.ok(session, `SessionState among the growing types: ${types.items.map((t) => t.type).join(', ')}`);
    assert.equal(session.countDelta, 2000);
    assert.equal(session.sizeDelta, 80000);
    assert.equal(session.count, 2100);
    assert.ok(session.location && session.location.uri.endsWith('/leaky/lib/sessions.js'), JSON.stringify(session.location));
    // The README: V8 records SessionState at (10, 13) 0-based, its constructor's parameters (sessions.js:11).
    assert.equal(session.location.range.start.line, 10);

    const uri = await env.server.openDocument(path.join(env.ws.dir, 'leaky/lib/sessions.js'), 'javascript');
    const lenses = await req(rpc.CodeLensRequest.type, { textDocument: { uri } });
    const grew = lenses.filter((l) => l.range.start.line === 10 && /grew \+2,000 objects/.test(l.command.title));
    assert.equal(grew.length, 1, JSON.stringify(lenses.map((l) => [l.range.start.line, l.command.title])));
    const hover = await req(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 10, character: 4 } });
    assert.match(hover.contents.value, /SessionState\*\* grew \+2,000 objects \(100 → 2,100\)/);
    const file = path.join(env.ws.dir, 'leaky/lib/sessions.js');
    await waitFor(
      () => (env.server.diagnostics.get(file) || []).some((d) => d.code === 'heaplens.growth' && d.range.start.line === 10 &&
        /SessionState grew \+2,000 objects \(100 → 2,100\).*since plain-baseline\.heapsnapshot/.test(d.message)),
      10000,
      () => `a growth diagnostic on sessions.js:11; got ${JSON.stringify(env.server.diagnostics.get(file))}`,
    );
  });

  test('a baseline of another format is refused, saying so; the dump loaded before stays', async () => {
    await assert.rejects(load({ path: jsTarget, baseline: goDump }), (e) => /same format/.test(e.message) && e.message.includes(goDump));
    const s = await req(protocol.SummaryRequest.type, {});
    assert.equal(s.dumps.find((d) => d.path === jsTarget).baseline, jsBaseline);
  });

  test('loading again without the baseline removes the growth', async () => {
    const summary = await load({ path: jsTarget });
    assert.equal(summary.baseline, undefined);
    assert.ok(!summary.parts.includes('growth'));
    const types = await req(protocol.TypesRequest.type, { dump: jsTarget, offset: 0, limit: 1000 });
    assert.equal(types.growth, false);
    assert.ok(types.items.every((t) => t.countDelta === undefined));
  });

  test('heaplens/pageDumpHtml: the page of a page dump under the caller\'s nonce; other dumps and bad nonces are refused', async () => {
    const pages = path.join(testData, 'pagedump', 'seed-template.txt');
    await load(pages);
    const nonce = 'Ab3dEf6hIj9kLmN0pQrStUvWxYz12345';
    const { html } = await req(protocol.PageDumpHtmlRequest.type, { dump: pages, nonce, cspSource: 'https://webview.test' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    assert.ok(csp, 'the page carries its CSP');
    assert.match(csp[1], /default-src 'none'/);
    assert.match(csp[1], new RegExp(`script-src 'nonce-${nonce}'`));
    assert.match(csp[1], /https:\/\/webview\.test/);
    assert.ok(html.includes(`<script nonce="${nonce}"`), 'the script runs under that nonce');
    assert.ok(!/<script(?![^>]*(nonce=|type="application\/json"))/.test(html), 'no script without the nonce but the data block');
    await assert.rejects(req(protocol.PageDumpHtmlRequest.type, { dump: goDump, nonce }), (e) => /heap timeline or page maps/.test(e.message));
    await assert.rejects(req(protocol.PageDumpHtmlRequest.type, { dump: pages, nonce: 'x" onload="1' }), (e) => e.code === -32602 && /nonce/.test(e.message));
  });

  shutdownTest(env);
});
