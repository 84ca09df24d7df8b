// check-page: renders `heaplens report FILE --html` in headless Chromium and checks what a person would see.
//
//   node web/test/check-page.mjs HEAPLENS FILE...
//
// Chromium is Debian's (/usr/bin/chromium), driven over the DevTools protocol by puppeteer-core, in a
// fresh profile, with no network: any request other than the page itself fails the test. For each file:
// no console errors (CSP violations are console errors), the timeline chart drew its line and one marker
// per GC tied to a sample, and for each GC checked the number of heat-map cells equals the number of
// pages `heaplens report --json` gives (before, after, and the compacted grids' pages needed); a click
// on a page cell shows its details.
//
// The first two files are also checked as the VS Code webview gets them: the HTML the real server
// answers to heaplens/pageDumpHtml (`heaplens serve`, over stdio) with a webview's nonce and
// cspSource, under the page's own Content-Security-Policy (a blocked script or style is a console
// error, so a page that is not CSP-compliant fails).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch {
  console.error('check-page: puppeteer-core is not installed: run scripts/setup.sh (npm ci in web/)');
  process.exit(2);
}

const CHROMIUM = process.env.HEAPLENS_CHROMIUM ?? '/usr/bin/chromium';
const [heaplens, ...files] = process.argv.slice(2);
if (!heaplens || files.length === 0) {
  console.error('usage: check-page.mjs HEAPLENS FILE...');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'heaplens-page-'));
const profile = join(work, 'profile');
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: profile,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});

let passed = 0, failed = 0;
try {
  const runs = files.map((file) => ({ file, webview: false }));
  for (const file of files.slice(0, 2)) runs.push({ file, webview: true });
  for (const { file, webview } of runs) {
    const name = `${basename(file)}${webview ? ' (webview HTML from heaplens/pageDumpHtml)' : ''}`;
    const problems = await checkFile(file, webview);
    if (problems.length) {
      failed++;
      console.log(`FAIL ${name}`);
      for (const p of problems) console.log(`  ${p}`);
    } else {
      passed++;
      console.log(`ok   ${name}`);
    }
  }
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// The page as a VS Code webview receives it: loadDump then heaplens/pageDumpHtml on a real server.
async function webviewHtml(file) {
  const server = spawn(heaplens, ['serve'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const waiting = new Map();
  const send = (message) => {
    const body = JSON.stringify({ jsonrpc: '2.0', ...message });
    server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  server.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      if (message.method && message.id !== undefined) send({ id: message.id, result: null });  // a request to the client
      else if (message.id !== undefined && waiting.has(message.id)) {
        waiting.get(message.id)(message);
        waiting.delete(message.id);
      }
    }
  });
  const request = (method, params) => new Promise((done) => {
    const id = nextId++;
    waiting.set(id, done);
    send({ id, method, params });
  });
  try {
    await request('initialize', { processId: null, rootUri: null, capabilities: {} });
    send({ method: 'initialized', params: {} });
    const path = resolve(file);
    const loaded = await request('workspace/executeCommand', { command: 'heaplens.loadDump', arguments: [{ path }] });
    if (loaded.error) throw new Error(`heaplens.loadDump: ${loaded.error.message}`);
    const answer = await request('heaplens/pageDumpHtml', { dump: path, nonce: 'Zm9yLXRoZS13ZWJ2aWV3', cspSource: 'https://*.vscode-cdn.net' });
    if (answer.error) throw new Error(`heaplens/pageDumpHtml: ${answer.error.message}`);
    await request('shutdown', null);
    send({ method: 'exit' });
    return answer.result.html;
  } finally {
    setTimeout(() => server.kill(), 2000).unref();
  }
}

async function checkFile(file, webview) {
  const problems = [];
  const report = JSON.parse(execFileSync(heaplens, ['report', file, '--json'], { maxBuffer: 1 << 28 }).toString()).pageDump;
  const html = join(work, `${basename(file)}${webview ? '.webview' : ''}.html`);
  if (webview) {
    const text = await webviewHtml(file);
    if (!text.includes("'nonce-Zm9yLXRoZS13ZWJ2aWV3'")) problems.push('the webview HTML does not carry the webview\'s nonce in its CSP');
    if (!text.includes('https://*.vscode-cdn.net')) problems.push('the webview HTML does not allow the webview\'s cspSource');
    writeFileSync(html, text);
  } else {
    execFileSync(heaplens, ['report', file, '--html', html], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const url = pathToFileURL(html).href;

  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === url || r.url().startsWith('data:')) return r.continue();
    problems.push(`the page requested ${r.url()}`);
    r.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });

  // The timeline: points drawn (LTTB keeps it to a few thousand), GC markers, and the line's pixels.
  if (report.sampleCount > 0) {
    const t = await page.$eval('#timeline', (c) => {
      const ctx = c.getContext('2d');
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let line = 0;
      for (let i = 0; i < data.length; i += 4)
        if (Math.abs(data[i] - 37) < 40 && Math.abs(data[i + 1] - 99) < 40 && data[i + 2] > 180 && data[i + 3] > 100) line++;
      return { points: Number(c.dataset.points), markers: Number(c.dataset.markers), line };
    });
    const tied = report.gcs.filter((g) => g.sampleLine !== null).length;
    if (!(t.points >= 2 || report.sampleCount < 2)) problems.push(`timeline: ${t.points} points drawn`);
    if (t.points > 2000 + report.gcs.length * 2 + 2) problems.push(`timeline: ${t.points} points drawn, not downsampled`);
    if (t.markers !== tied) problems.push(`timeline: ${t.markers} GC markers, ${tied} GCs tied to samples`);
    if (t.line < 50) problems.push(`timeline: the heap line has ${t.line} pixels: the chart looks empty`);
  }

  // Heat maps: a few GCs across the file, each checked against the report's page counts.
  const n = report.gcs.length;
  const picks = [...new Set([0, 1, 2, Math.floor(n / 2), n - 2, n - 1].filter((i) => i >= 0 && i < n))];
  for (const i of picks) {
    const g = report.gcs[i];
    await page.$$eval('table.gcs tbody tr', (rows, k) => rows[k].click(), i);
    const cells = await page.$$eval('#gc-detail canvas.heat', (cs) => cs.map((c) => {
      let painted = 0;
      if (c.width && c.height) {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        for (let p = 3; p < data.length; p += 4) painted += data[p] > 0;
      }
      return { cls: c.className, cells: Number(c.dataset.cells), painted };
    }));
    const want = [];
    for (const when of ['before', 'after']) {
      if (!g[when]) continue;
      want.push({ cls: `heat ${when}`, cells: g[when].pages });
      want.push({ cls: `heat ${when} compacted`, cells: g[when].compaction.pagesNeeded });
    }
    for (const w of want) {
      const got = cells.find((c) => c.cls === w.cls);
      if (!got) { problems.push(`${g.label}: no ${w.cls} heat map`); continue; }
      if (got.cells !== w.cells) problems.push(`${g.label}: ${w.cls} has ${got.cells} cells, the report says ${w.cells} pages`);
      if (w.cells > 0 && got.painted === 0) problems.push(`${g.label}: ${w.cls} is blank`);
    }
    if (cells.length !== want.length) problems.push(`${g.label}: ${cells.length} heat maps, expected ${want.length}`);
    const bars = await page.$eval('#class-bars', (c) => Number(c.dataset.bars));
    if (!(bars > 0) && (g.before?.pages || g.after?.pages)) problems.push(`${g.label}: the class bar chart is empty`);
  }

  // Click the first page of the first heat map: its details appear.
  if (n > 0) {
    await page.$eval('#gc-detail canvas.heat', (c) => c.scrollIntoView({ block: 'center' }));
    // Let the scroll and Chart.js's resize settle before measuring.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const box = await page.$eval('#gc-detail canvas.heat', (c) => {
      const r = c.getBoundingClientRect();
      return { x: r.left, y: r.top, cell: Number(c.dataset.cellPx), cells: Number(c.dataset.cells) };
    });
    if (box.cells > 0) {
      // The middle of the first cell (the grid has 2 px of padding).
      await page.mouse.click(box.x + 2 + box.cell / 2, box.y + 2 + box.cell / 2);
      // Chart.js hands events on at the next animation frame.
      await page.waitForFunction(() => document.getElementById('page-info')?.textContent?.includes('Page info'),
        { timeout: 5000 }).catch(() => {});
      const info = await page.$eval('#page-info', (e) => e.textContent ?? '');
      if (!info.includes('Page info') || !info.includes('occupancy')) problems.push(`clicking a page showed "${info.slice(0, 80)}"`);
    }
  }

  // Malformed lines are listed.
  const listed = await page.$$eval('ul.problems li', (li) => li.length);
  if (listed !== Math.min(report.errors.length, 1000)) problems.push(`${listed} problems listed, the report has ${report.errors.length}`);

  for (const e of consoleErrors) problems.push(`console error: ${e}`);
  await page.close();
  return problems;
}
