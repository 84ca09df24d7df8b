// drive: the VS Code extension in a real VS Code (code-server) in Debian's headless Chromium.
//
//   node drive.mjs HEAPLENS VSIX OUTDIR        (run by run.sh, on the Node 24 that code-server needs)
//
// Builds a fixture workspace in OUTDIR/ws (the leakcache Go program and the leaky_app.js sources, at
// paths the dumps do not record), installs the .vsix into a fresh code-server, opens the workspace in
// Chromium through puppeteer-core and does what a user does, checking what the user would read:
//   1. the workspace opens;                     5. the Types and Retainers trees, click to the line;
//   2. a dump is loaded from the palette;       6. Compare with Baseline shows the growth;
//   3. a code lens with the figure appears;     7. the server restarts and the dumps come back (workspace state).
//   4. a hover shows the figures, its link the paths;
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
for (const d of [ws, dumps, shots, extDir, join(userData, 'User'), join(userData, 'Machine')]) mkdirSync(d, { recursive: true });
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
// heaplens.serverPath is machine-overridable: code-server's workbench is remote, so it reads it from the
// Machine settings; the rest from the User settings.
writeFileSync(join(userData, 'Machine/settings.json'), JSON.stringify({ 'heaplens.serverPath': heaplens }, null, 2));
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
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // Chromium draws in software here: a blinking cursor and VS Code's animations repaint the window
  // many times a second, which cost most of the test's CPU.
  'workbench.reduceMotion': 'on',
  'editor.cursorBlinking': 'solid',
  // No npm installs of type packages for the workspace's .js files (TypeScript's type acquisition).
  'typescript.disableAutomaticTypeAcquisition': true,
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
  defaultViewport: { width: 1280, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--window-size=1280,800'],
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
    const seen = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((el) => (el.innerText || '').slice(0, 200)).slice(0, 8), selector);
    throw new Error(`${what}: no ${selector} with ${JSON.stringify(parts)} (seen: ${JSON.stringify(seen)})`);
  }
}

async function visible(selector, timeout = STEP_TIMEOUT) {
  return page.waitForSelector(selector, { visible: true, timeout });
}

/** Picks the quick-input row whose label is exactly `label` (arrowing down to it), with Enter. */
async function pickRow(label) {
  await waitText('.quick-input-list .monaco-list-row', [label], `a row "${label}"`);
  for (let i = 0; i < 20; i++) {
    const focused = await page.evaluate(() => {
      const row = document.querySelector('.quick-input-list .monaco-list-row.focused .label-name');
      return row ? row.textContent.trim() : '';
    });
    if (focused === label) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no row labelled exactly "${label}" could be focused`);
}

/** Runs a command from the palette (F1), by its full title. */
async function palette(title) {
  await page.keyboard.press('F1');
  const input = await visible('.quick-input-widget .quick-input-box input');
  await input.type(title);
  await pickRow(title);
}

/** Opens a workspace file with Quick Open, and puts the cursor on a 1-based line. */
async function openFile(relative, line) {
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyP');
  await page.keyboard.up('Control');
  const input = await visible('.quick-input-widget .quick-input-box input');
  await input.type(relative);
  // Enter only once the list is for what was typed and its first row is the file.
  await page.waitForFunction((rel) => {
    const box = document.querySelector('.quick-input-widget .quick-input-box input');
    const row = document.querySelector('.quick-input-list .monaco-list-row.focused');
    return box && box.value === rel && row && row.innerText.includes(rel.split('/').pop()) && row.innerText.includes(rel.split('/')[0]);
  }, { polling: 100 }, relative);
  await page.keyboard.press('Enter');
  await waitText('.tabs-container .tab.active', [relative.split('/').pop()], `editor tab of ${relative}`);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyG');
  await page.keyboard.up('Control');
  const go = await visible('.quick-input-widget .quick-input-box input');
  await go.type(String(line));
  await waitText('.quick-input-list .monaco-list-row', [`go to line ${line}`], `go to line ${line}`);
  await page.keyboard.press('Enter');
  await waitText('.statusbar-item', [`Ln ${line},`], `cursor on line ${line}`);
}

/** What the open dialog shows: its value, message, focused row and rows (for an error). */
async function dialogState() {
  return page.evaluate(() => {
    const w = document.querySelector('.quick-input-widget');
    if (!w) return 'no dialog';
    const rows = [...w.querySelectorAll('.quick-input-list .monaco-list-row')].map((r) => r.innerText.replace(/\s+/g, ' ').trim());
    return JSON.stringify({
      value: w.querySelector('.quick-input-box input')?.value,
      message: w.querySelector('.quick-input-message')?.innerText,
      focused: w.querySelector('.quick-input-list .monaco-list-row.focused')?.innerText.replace(/\s+/g, ' ').trim(),
      rows: rows.slice(0, 12),
    });
  });
}

/**
 * Answers VS Code's own open dialog (the simple file dialog in a browser) with a path, as a user
 * would: once the dialog has listed the folder it opened in, the path goes in, and Enter is pressed
 * once the dialog has listed the file's folder and made the file its focused row. The dialog reads
 * folders over the remote connection; a whole path put in at once from another folder leaves the
 * file listed but not focused (seen every time with code-server 4.139), so the folder goes in
 * first. A dialog that has not focused the file, or is still open after Enter, gets the path again.
 */
async function answerOpenDialog(title, file) {
  await waitText('.quick-input-widget .quick-input-title', [title], `the open dialog "${title}"`);
  const input = await visible('.quick-input-widget .quick-input-box input');
  const base = file.split('/').pop();
  // The folder it opened in is listed (its rows are there).
  await page.waitForFunction(() => document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row').length > 0,
    { polling: 100, timeout: STEP_TIMEOUT });
  for (let attempt = 1; ; attempt++) {
    // Empty the box (it holds the folder the dialog opened in), then put the path in.
    await input.click();
    await input.evaluate((el) => { el.focus(); el.select(); });
    await page.waitForFunction(() => {
      const el = document.querySelector('.quick-input-widget .quick-input-box input');
      return el && document.activeElement === el && el.selectionStart === 0 && el.selectionEnd === el.value.length;
    }, { polling: 100 });
    await page.keyboard.press('Backspace');
    await page.waitForFunction(() => document.querySelector('.quick-input-widget .quick-input-box input')?.value === '', { polling: 100 });
    // As a user types it: the folder first (with its slash the dialog lists it), then the file's
    // name in that folder, which the dialog focuses. Each part goes in whole (typed key by key, the
    // dialog's completion races the keys).
    const folder = file.slice(0, file.length - base.length);
    const put = (v) => input.evaluate((el, f) => {
      el.value = f;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, v);
    await put(folder);
    await page.waitForFunction((b) => [...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')]
      .some((r) => r.innerText.includes(b)), { polling: 100, timeout: 20_000 }, base).catch(() => {});
    await put(file);
    // The dialog has listed the file's folder and focused the file's row (Enter takes the focused row).
    const ready = await page.waitForFunction((f, b) => {
      const w = document.querySelector('.quick-input-widget');
      const focused = w?.querySelector('.quick-input-list .monaco-list-row.focused');
      return w?.querySelector('.quick-input-box input')?.value === f && focused && focused.innerText.includes(b);
    }, { polling: 100, timeout: 8_000 }, file, base).then(() => true, () => false);
    // The last attempt presses Enter whatever the dialog focused: it then takes the typed path.
    if (ready || attempt === 5) {
      await page.keyboard.press('Enter');
      const closed = await page.waitForFunction(() => {
        const w = document.querySelector('.quick-input-widget');
        return !w || w.style.display === 'none' || w.getClientRects().length === 0;
      }, { polling: 100, timeout: 10_000 }).then(() => true, () => false);
      if (closed) return;
    }
    const state = await dialogState();
    console.log(`  (open dialog, attempt ${attempt}: ${ready ? 'still open after Enter' : 'the file is not its focused row'}: ${state})`);
    if (attempt === 5) {
      await page.screenshot({ path: join(shots, `${stepNo}-open-dialog.png`) }).catch(() => {});
      throw new Error(`the open dialog did not take ${file}: ${state}`);
    }
  }
}

/** Waits for a row of the side-bar view titled `view` whose text has every part (level: the tree depth); returns its text. */
async function viewRow(view, parts, what, level) {
  const found = await page.waitForFunction((v, ps, lvl) => {
    for (const pane of document.querySelectorAll('.pane')) {
      const title = pane.querySelector('.pane-header .title');
      if (!title || title.textContent.trim().toLowerCase() !== v.toLowerCase()) continue;
      for (const row of pane.querySelectorAll('.pane-body .monaco-list-row')) {
        if (lvl !== undefined && row.getAttribute('aria-level') !== String(lvl)) continue;
        const t = row.innerText || '';
        if (ps.every((p) => t.includes(p))) return t;
      }
    }
    return false;
  }, { timeout: STEP_TIMEOUT, polling: 100 }, view, parts, level).catch(() => undefined);
  if (!found) throw new Error(`${what}: no row of the ${view} view with ${JSON.stringify(parts)}`);
  return found.jsonValue();
}

/** Clicks the row of view `view` whose text has every part. */
async function clickViewRow(view, parts, what, level) {
  await viewRow(view, parts, what, level);
  const handle = await page.evaluateHandle((v, ps, lvl) => {
    for (const pane of document.querySelectorAll('.pane')) {
      const title = pane.querySelector('.pane-header .title');
      if (!title || title.textContent.trim().toLowerCase() !== v.toLowerCase()) continue;
      for (const row of pane.querySelectorAll('.pane-body .monaco-list-row')) {
        if (lvl !== undefined && row.getAttribute('aria-level') !== String(lvl)) continue;
        if (ps.every((p) => (row.innerText || '').includes(p))) return row;
      }
    }
    return null;
  }, view, parts, level);
  await handle.asElement().click();
}

/** Folds (or unfolds) the side-bar view titled `view` by its header. */
async function clickPaneHeader(view) {
  const handle = await page.evaluateHandle((v) => {
    for (const pane of document.querySelectorAll('.pane')) {
      const title = pane.querySelector('.pane-header .title');
      if (title && title.textContent.trim().toLowerCase() === v.toLowerCase()) return pane.querySelector('.pane-header');
    }
    return null;
  }, view);
  if (!handle.asElement()) throw new Error(`no view titled ${view}`);
  await handle.asElement().click();
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
    // The side bar's container is in the activity bar before anything activates the extension.
    await visible('.activitybar .action-item a[aria-label^="HeapLens"]');
  });

  await step('load-dump-from-palette', async () => {
    // An editor already open before the load: its lenses must appear without reopening it.
    await openFile('leakcache/main.go', 53);
    // A Go file activates the extension (onLanguage:go); it says so in the status bar.
    await waitText('.statusbar-item', ['HeapLens: no dump'], 'the HeapLens status bar item');
    await palette('HeapLens: Open Heap Dump…');
    await answerOpenDialog('Open Heap Dump', goDump);
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
    await page.screenshot({ path: join(shots, `${stepNo}-hover-lens.png`) });
    // The hover's link fills the Retainers view with the paths of main.go:53's objects.
    await waitText('.monaco-hover a', ['Why is this alive?'], 'the hover link');
    const link = await page.evaluateHandle(() => [...document.querySelectorAll('.monaco-hover a')].find((a) => a.textContent.includes('Why is this alive?')));
    await link.asElement().click();
    await viewRow('Retainers', ['Path 1'], 'the Retainers view after the hover link', 1);
    await viewRow('Retainers', ['(main.go:53)'], 'the step at main.go:53', 2);
  });

  if (process.env.HEAPLENS_E2E_TREES !== '0') {
    await step('trees', async () => {
      await page.keyboard.press('Escape');
      // Types: Go's size classes; 64 B holds the 10,000 Sessions of main.go:53 and the 1,000 of main.go:48
      // (fixture README) and 9 more. Expanding a type shows why its largest instance is alive.
      await palette('HeapLens: Focus on Types View');
      await viewRow('Types', ['64 B object', '11,009'], 'the Types view');
      await clickViewRow('Types', ['64 B object', '11,009'], 'the 64 B type');
      await viewRow('Types', ['retains'], 'the expanded type', 2);
      // Top sites by live bytes: main.go:83's one 1 MiB object first.
      await viewRow('Top Sites', ['main.allocHuge', 'main.go:83', '1.00 MiB'], 'the Top Sites view');
      await page.screenshot({ path: join(shots, `${stepNo}-trees-types.png`) });
      // Room for the Retainers view: fold the two lists above it.
      for (const title of ['Top Sites', 'Types']) await clickPaneHeader(title);
      // Retainers of main.go:53, from the editor; the path's step with that line opens it.
      await openFile('leakcache/main.go', 53);
      await palette('HeapLens: Why Is This Alive? (Retention Paths at Cursor)');
      await viewRow('Retainers', ['Path 1'], 'the Retainers view', 1);
      await viewRow('Retainers', ['(main.go:53)'], 'the last step of path 1', 2);
      await openFile('leakcache/main.go', 1);
      await clickViewRow('Retainers', ['(main.go:53)'], 'the step at main.go:53', 2);
      await waitText('.statusbar-item', ['Ln 53,'], 'the editor at main.go:53 after the click');
    });
  }

  if (process.env.HEAPLENS_E2E_COMPARE !== '0') {
    await step('compare', async () => {
      await clearNotifications();
      await openFile('leaky/lib/sessions.js', 10);
      await palette('HeapLens: Open Heap Dump…');
      await answerOpenDialog('Open Heap Dump', jsTarget);
      await notification(['plain-target.heapsnapshot'], 'the load of the JS target');
      await palette('HeapLens: Compare with Baseline…');
      // Which loaded dump to compare, when there are several.
      await pickRow('plain-target.heapsnapshot');
      await answerOpenDialog('Baseline for plain-target.heapsnapshot', jsBaseline);
      // class SessionState (sessions.js:10): 100 -> 2,100 instances (fixture README), 40 B each.
      await waitText('.monaco-editor .codelens-decoration', ['grew +2,000 objects'], 'the growth lens on sessions.js:10');
    });
  }

  await step('restart-server', async () => {
    await clearNotifications();
    // The same path as a window reload or a crash: the client runs anew, the server has nothing but
    // heaplens.dumps, and the extension loads what workspace state remembers.
    await palette('HeapLens: Restart Server');
    await notification(['loaded again what this workspace had loaded', 'leakcache-go1.22.heapdump', 'plain-target.heapsnapshot'],
      'the dumps coming back');
    await waitText('.statusbar-item', ['2 dumps'], 'the status bar after the restart');
    await openFile('leakcache/main.go', 53);
    await waitText('.monaco-editor .codelens-decoration', ['10,000 live objects'], 'the lens after the restart');
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
