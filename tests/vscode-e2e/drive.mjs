// drive: the VS Code extension in a real VS Code (code-server) in Debian's headless Chromium.
//
//   node drive.mjs HEAPLENS VSIX OUTDIR        (run by run.sh, on the Node 24 that code-server needs)
//
// Builds a fixture workspace in OUTDIR/ws (the leakcache Go program and the leaky_app.js sources, at
// paths the dumps do not record), installs the .vsix into a fresh code-server, opens the workspace in
// Chromium through puppeteer-core and does what a user does, checking what the user would read:
//   1. the workspace opens;                     5. the Types and Retainers trees, click to the line;
//   2. a dump is loaded from the palette;       6. Compare with Baseline shows the growth;
//   3. a code lens with the figure appears;     7. the server restarts and the dumps come back.
//   4. a hover shows the figures;
// Expected figures come from the fixtures' READMEs (shared/fixtures/go/README.md: leakcache/main.go:53
// holds 10,000 live 64-byte Sessions; shared/fixtures/js/README.md: SessionState grows 100 -> 2,100).
// Every wait is on a DOM condition, never a sleep. A screenshot of each step goes to OUTDIR/shots,
// and one of the moment of failure as failure.png; OUTDIR is kept.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zstdDecompressSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const [heaplensArg, vsixArg, outArg] = process.argv.slice(2);
if (!heaplensArg || !vsixArg || !outArg) {
  console.error('usage: drive.mjs HEAPLENS VSIX OUTDIR');
  process.exit(2);
}
const heaplens = resolve(heaplensArg);
const vsix = resolve(vsixArg);
const out = resolve(outArg);
const CHROMIUM = process.env.HEAPLENS_CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 60_000;

let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch {
  console.error('drive: puppeteer-core is not installed: run scripts/setup.sh npm');
  process.exit(2);
}

// ---- the fixture workspace ----------------------------------------------------------------------
rmSync(out, { recursive: true, force: true });
const ws = join(out, 'ws');
const dumps = join(out, 'dumps');
const shots = join(out, 'shots');
const extDir = join(out, 'extensions');
const userData = join(out, 'user-data');
for (const d of [ws, dumps, shots, extDir, join(userData, 'User')]) mkdirSync(d, { recursive: true });
mkdirSync(join(ws, 'leakcache'));
copyFileSync(join(root, 'tests/data/go/leakcache/main.go'), join(ws, 'leakcache/main.go'));
cpSync(join(root, 'tests/data/js/lib'), join(ws, 'leaky/lib'), { recursive: true });
copyFileSync(join(root, 'tests/data/js/leaky_app.js'), join(ws, 'leaky/leaky_app.js'));
const goDump = join(dumps, 'leakcache-go1.22.heapdump');
copyFileSync(join(root, 'tests/data/go/leakcache-go1.22.heapdump'), goDump);
const jsBaseline = join(dumps, 'plain-baseline.heapsnapshot');
const jsTarget = join(dumps, 'plain-target.heapsnapshot');
for (const f of [jsBaseline, jsTarget])
  writeFileSync(f, zstdDecompressSync(readFileSync(join(root, 'tests/data/js', `${f.split('/').pop()}.zst`))));
writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({
  'heaplens.serverPath': heaplens,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'editor.hover.delay': 100,
  'window.commandCenter': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
}, null, 2));

// ---- code-server --------------------------------------------------------------------------------
const codeServer = join(here, 'node_modules/code-server/out/node/entry.js');
const env = { ...process.env, XDG_CONFIG_HOME: join(out, 'config'), XDG_DATA_HOME: join(out, 'data') };
const csArgs = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  '--disable-getting-started-override', '--extensions-dir', extDir, '--user-data-dir', userData,
  '--config', join(out, 'config.yaml')];
execFileSync(process.execPath, [codeServer, ...csArgs, '--install-extension', vsix], { env, stdio: ['ignore', 'pipe', 'inherit'] });

const port = await new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});
const server = spawn(process.execPath, [codeServer, ...csArgs, '--bind-addr', `127.0.0.1:${port}`, ws],
  { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let serverLog = '';
server.stdout.on('data', (d) => { serverLog += d; });
server.stderr.on('data', (d) => { serverLog += d; });
await new Promise((res, rej) => {
  const t = setTimeout(() => rej(new Error(`code-server did not start:\n${serverLog}`)), 60_000);
  const check = () => { if (/HTTP server listening/.test(serverLog)) { clearTimeout(t); res(); } };
  server.stdout.on('data', check);
  server.stderr.on('data', check);
  server.on('exit', (c) => rej(new Error(`code-server exited (${c}):\n${serverLog}`)));
});

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: join(out, 'chromium-profile'),
  defaultViewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--window-size=1400,900'],
});
const page = await browser.newPage();
page.setDefaultTimeout(STEP_TIMEOUT);

// ---- helpers ------------------------------------------------------------------------------------
const started = Date.now();
let stepNo = 0;
const results = [];
async function step(name, body) {
  stepNo++;
  const t0 = Date.now();
  try {
    await body();
    await page.screenshot({ path: join(shots, `${stepNo}-${name}.png`) });
    results.push(`ok   ${stepNo}. ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(results.at(-1));
  } catch (e) {
    results.push(`FAIL ${stepNo}. ${name}: ${e.message}`);
    console.log(results.at(-1));
    await page.screenshot({ path: join(shots, `${stepNo}-${name}-failure.png`) }).catch(() => {});
    throw e;
  }
}

/** Waits until some element matching `selector` has text containing every one of `parts`; returns its text. */
async function waitText(selector, parts, what, timeout = STEP_TIMEOUT) {
  try {
    const handle = await page.waitForFunction((sel, ps) => {
      for (const el of document.querySelectorAll(sel)) {
        const t = el.textContent || '';
        if (el.getClientRects().length > 0 && ps.every((p) => t.includes(p))) return t;
      }
      return false;
    }, { timeout, polling: 100 }, selector, parts);
    return await handle.jsonValue();
  } catch (e) {
    const seen = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((el) => el.textContent).slice(0, 8), selector);
    throw new Error(`${what}: no ${selector} with ${JSON.stringify(parts)} (seen: ${JSON.stringify(seen)})`);
  }
}

async function visible(selector, timeout = STEP_TIMEOUT) {
  return page.waitForSelector(selector, { visible: true, timeout });
}

/** Runs a command from the palette (F1), by the title a user types. */
async function palette(title) {
  await page.keyboard.press('F1');
  const input = await visible('.quick-input-widget .quick-input-box input');
  await input.type(title);
  await waitText('.quick-input-list .monaco-list-row', [title], `palette entry "${title}"`);
  await page.keyboard.press('Enter');
}

/** Opens a workspace file with Quick Open, and puts the cursor on a 1-based line. */
async function openFile(relative, line) {
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyP');
  await page.keyboard.up('Control');
  const input = await visible('.quick-input-widget .quick-input-box input');
  await input.type(relative);
  await waitText('.quick-input-list .monaco-list-row', [relative.split('/').pop()], `quick open ${relative}`);
  await page.keyboard.press('Enter');
  await waitText('.tabs-container .tab.active', [relative.split('/').pop()], `editor tab of ${relative}`);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyG');
  await page.keyboard.up('Control');
  const go = await visible('.quick-input-widget .quick-input-box input');
  await go.type(String(line));
  await page.keyboard.press('Enter');
  await waitText('.statusbar-item', [`Ln ${line},`], `cursor on line ${line}`);
}

/** Answers VS Code's own open dialog (the simple file dialog in a browser) with a path. */
async function answerOpenDialog(file) {
  const input = await visible('.quick-input-widget .quick-input-box input');
  await input.click({ clickCount: 3 });
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.type(file);
  await page.waitForFunction((f) => document.querySelector('.quick-input-widget .quick-input-box input')?.value === f,
    { polling: 100 }, file);
  await page.keyboard.press('Enter');
}

async function notification(parts, what) {
  return waitText('.notification-toast, .notifications-center .notification-list-item', parts, what);
}

/** Dismisses the notification toasts (they cover the lower right of the editor). */
async function clearNotifications() {
  await palette('Notifications: Clear All Notifications');
  await page.waitForFunction(() => document.querySelectorAll('.notification-toast').length === 0, { polling: 100 });
}

// ---- the steps ----------------------------------------------------------------------------------
let failed = false;
try {
  await step('workspace-open', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    await visible('.monaco-workbench');
    // The explorer lists the workspace's folders, and the extension is up (its status bar item).
    await waitText('.explorer-folders-view .monaco-list-row', ['leakcache'], 'explorer');
    await waitText('.statusbar-item', ['HeapLens'], 'the HeapLens status bar item');
  });

  await step('load-dump-from-palette', async () => {
    // An editor already open before the load: its lenses must appear without reopening it.
    await openFile('leakcache/main.go', 53);
    await palette('HeapLens: Open Heap Dump');
    await answerOpenDialog(goDump);
    await notification(['leakcache-go1.22.heapdump'], 'the load notification');
    await waitText('.statusbar-item', ['leakcache-go1.22.heapdump'], 'status bar after the load');
  });

  await step('code-lens', async () => {
    // main.go:53 `s := &Session{...}`: 10,000 live 64-byte objects (fixture README) = 625 KiB.
    await waitText('.monaco-editor .codelens-decoration', ['10,000 live objects', '625 KiB'], 'the lens on main.go:53');
  });

  await step('hover', async () => {
    await clearNotifications();
    await palette('Show or Focus Hover');
    await waitText('.monaco-hover', ['10,000', '64'], 'the hover on main.go:53');
  });

  if (process.env.HEAPLENS_E2E_TREES !== '0') {
    await step('trees', async () => {
      await page.keyboard.press('Escape');
      await palette('HeapLens: Focus on Types View');
      await waitText('.pane-body .monaco-list-row', ['64 B object'], 'the Types view');
      // Retainers of the site under the cursor, from the editor: every step with a line is a link.
      await openFile('leakcache/main.go', 53);
      await palette('HeapLens: Why Is This Alive');
      const row = await waitText('.pane-body .monaco-list-row', ['main.go:53'], 'the Retainers view');
      void row;
    });
  }

  if (process.env.HEAPLENS_E2E_COMPARE !== '0') {
    await step('compare', async () => {
      await clearNotifications();
      await openFile('leaky/lib/sessions.js', 10);
      await palette('HeapLens: Open Heap Dump');
      await answerOpenDialog(jsTarget);
      await notification(['plain-target.heapsnapshot'], 'the load of the JS target');
      await palette('HeapLens: Compare with Baseline');
      // Which loaded dump to compare, when there are several.
      await waitText('.quick-input-list .monaco-list-row', ['plain-target.heapsnapshot'], 'the dump to compare');
      await page.keyboard.type('plain-target');
      await page.keyboard.press('Enter');
      await answerOpenDialog(jsBaseline);
      // class SessionState (sessions.js:10): 100 -> 2,100 instances (fixture README), 40 B each.
      await waitText('.monaco-editor .codelens-decoration', ['grew +2,000 objects'], 'the growth lens on sessions.js:10');
    });
  }

  await step('restart-server', async () => {
    await clearNotifications();
    await palette('HeapLens: Restart Server');
    await waitText('.statusbar-item', ['2 dumps'], 'the status bar after the restart');
    // A fresh window (a new extension host and server): the dumps come back from workspace state.
    await page.reload();
    await visible('.monaco-workbench');
    await waitText('.statusbar-item', ['2 dumps'], 'the status bar after a window reload');
    await openFile('leakcache/main.go', 53);
    await waitText('.monaco-editor .codelens-decoration', ['10,000 live objects'], 'the lens after the reload');
  });
} catch (e) {
  failed = true;
  console.log(`\n${e.stack}`);
} finally {
  await browser.close().catch(() => {});
  try { process.kill(-server.pid, 'SIGTERM'); } catch {}
  writeFileSync(join(out, 'code-server.log'), serverLog);
}
console.log(`${failed ? 'FAILED' : 'passed'}: ${stepNo} steps in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
