// commands: opening, unloading, reloading and comparing dumps; the side bar's actions; restarting the server.
//
// Each command talks to the server through workspace/executeCommand
// (heaplens.loadDump / heaplens.unloadDump) or a heaplens/ request, and every
// failure reaches the user through window.showErrorMessage (and the output
// channel), never only a log. A load that takes over a second shows a
// notification with its progress and a Cancel button. Extension host thread.
import * as path from 'path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageserver-protocol';
import {
  Commands,
  DumpSummary,
  FormatInfo,
  FormatsRequest,
  LoadDumpArg,
  LoadDumpArgument,
  SummaryRequest,
  asDumpSummary,
  asSummaryResult,
} from './protocol';
import { dumpName, errorText, formatBytes, formatCount, loadedMessage } from './format';
import { ClientHost } from './host';
import { DumpRow, Views, loadMore, objectOf } from './trees';

/** A load shows a notification with progress and Cancel once it has taken this long. */
export const ProgressDelayMs = 1000;

/**
 * The open dialog's filters for the formats the server reads: one entry with every extension, one per
 * format (named by its description), and "All files" (formats are detected by content, not by name).
 * Formats the server only recognises are left out: offering them would only lead to an error.
 */
export function dumpFileFilters(formats: FormatInfo[]): Record<string, string[]> {
  const parsed = formats.filter((f) => f.parsed && f.extensions.length > 0);
  const all = [...new Set(parsed.flatMap((f) => f.extensions))];
  const filters: Record<string, string[]> = { 'Heap dumps': all };
  for (const f of parsed) filters[f.description] = f.extensions;
  filters['All files'] = ['*'];
  return filters;
}

/**
 * Used when the server cannot be asked (it is not running). Equal to dumpFileFilters() of what
 * `heaplens formats --json` prints: the logic test fails when the two drift apart.
 */
export const DumpFileFilters: Record<string, string[]> = {
  'Heap dumps': ['heapdump', 'mvmheap', 'heapsnapshot', 'ndjson', 'jsonl', 'log', 'txt'],
  'Go heap dump (runtime/debug.WriteHeapDump)': ['heapdump'],
  'MoarVM heap snapshot (format v3)': ['mvmheap'],
  'MoarVM heap snapshot (format v2, MoarVM without zstd)': ['mvmheap'],
  'V8 heap snapshot (.heapsnapshot: Node.js, Chrome)': ['heapsnapshot'],
  'heap-diff NDJSON (growth between two heap snapshots)': ['ndjson', 'jsonl'],
  'Kotlin/Native allocator heap timeline and page dump ("phase1: heap use", memdump.log)': ['log', 'txt'],
  'All files': ['*'],
};

/** The filters from the running server's format list (only `format`'s, when given), or the built-in ones. */
async function currentFilters(host: ClientHost, format?: string): Promise<Record<string, string[]>> {
  try {
    const r = await host.runningClient().sendRequest(FormatsRequest.type, {});
    if (r && Array.isArray(r.formats)) return dumpFileFilters(format ? r.formats.filter((f) => f.name === format) : r.formats);
  } catch {
    // Not running yet, or an older server: the built-in list serves.
  }
  return DumpFileFilters;
}

export function registerCommands(ctx: vscode.ExtensionContext, host: ClientHost, output: vscode.OutputChannel, views: Views): void {
  const fail = (what: string, e: unknown): void => {
    const msg = `HeapLens: ${what}: ${errorText(e)}`;
    output.appendLine(msg);
    void vscode.window.showErrorMessage(msg, 'Show Output').then((choice) => {
      if (choice === 'Show Output') output.show(true);
    });
  };

  /** The dump a side-bar action names, or the one the user picks (the only one, without asking). */
  const dumpFor = async (row: unknown, title: string): Promise<DumpSummary | undefined> => {
    if (row instanceof DumpRow) return row.dump;
    let dumps: DumpSummary[];
    try {
      dumps = await loadedDumps(host);
    } catch (e) {
      fail('could not list the loaded dumps', e);
      return undefined;
    }
    if (dumps.length === 0) {
      void vscode.window.showInformationMessage('HeapLens: no heap dump is loaded. Open one first (HeapLens: Open Heap Dump…).');
      return undefined;
    }
    if (dumps.length === 1) return dumps[0];
    const picked = await vscode.window.showQuickPick(
      dumps.map((d) => ({
        label: dumpName(d),
        description: `${d.format} · ${formatCount(d.objects)} objects · ${formatBytes(d.totalBytes)}`,
        detail: d.path,
        dump: d,
      })),
      { title: `HeapLens: ${title}`, placeHolder: 'Which dump?' },
    );
    return picked?.dump;
  };

  const pickFile = async (title: string, openLabel: string, filters: Record<string, string[]>): Promise<string | undefined> => {
    const picked = await vscode.window.showOpenDialog({
      title,
      openLabel,
      canSelectMany: false,
      filters,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    return picked && picked.length > 0 ? picked[0].fsPath : undefined;
  };

  /** The same dump again, with what it had (snapshot, executable) and the given baseline. */
  const again = (d: DumpSummary, baseline: string | undefined): LoadDumpArgument => {
    const arg: LoadDumpArgument = { path: d.path };
    if (typeof d.snapshot === 'number') arg.snapshot = d.snapshot;
    if (baseline) arg.baseline = baseline;
    if (d.executable) arg.executable = d.executable;
    return arg;
  };

  const unload = async (d: DumpSummary): Promise<void> => {
    try {
      await host.runningClient().sendRequest(ExecuteCommandRequest.type, { command: Commands.unloadDump, arguments: [d.path] });
      host.forgetDump(d.path);
      output.appendLine(`unloaded ${d.path}`);
    } catch (e) {
      fail(`could not unload ${dumpName(d)}`, e);
    }
    await host.refreshStatus();
  };

  ctx.subscriptions.push(
    vscode.commands.registerCommand('heaplens.openDump', async (uri?: vscode.Uri) => {
      const file = uri instanceof vscode.Uri ? uri.fsPath : await pickFile('Open Heap Dump', 'Load Dump', await currentFilters(host));
      if (!file) return; // the user cancelled
      const summary = await loadDump(host, file, output, fail);
      if (summary && summary.snapshotCount !== undefined && summary.snapshotCount > 1) {
        const choice = await vscode.window.showInformationMessage(
          `${path.basename(summary.path)} holds ${summary.snapshotCount} snapshots; snapshot ${(summary.snapshot ?? 0) + 1} is loaded.`,
          'Choose Snapshot…',
        );
        if (choice) await chooseSnapshot(host, summary, output, fail);
      }
    }),

    vscode.commands.registerCommand('heaplens.openDumpWithExecutable', async (row?: unknown) => {
      const file = row instanceof DumpRow ? row.dump.path : await pickFile('Open Heap Dump', 'Next: Its Executable', await currentFilters(host));
      if (!file) return;
      const exe = await pickFile(`The executable that wrote ${path.basename(file)}`, 'Load with This Executable', { 'All files': ['*'] });
      if (!exe) return;
      const arg: LoadDumpArgument = row instanceof DumpRow ? again(row.dump, row.dump.baseline) : { path: file };
      arg.executable = exe;
      await loadDump(host, arg, output, fail);
    }),

    vscode.commands.registerCommand('heaplens.closeDump', async (row?: unknown) => {
      const d = await dumpFor(row, 'Unload Dump');
      if (d) await unload(d);
    }),

    vscode.commands.registerCommand('heaplens.reloadDump', async (row?: unknown) => {
      const d = await dumpFor(row, 'Reload Dump');
      if (d) await loadDump(host, again(d, d.baseline), output, fail);
    }),

    vscode.commands.registerCommand('heaplens.chooseSnapshot', async (row?: unknown) => {
      const d = await dumpFor(row, 'Choose Snapshot');
      if (!d) return;
      if (d.snapshotCount <= 1) {
        void vscode.window.showInformationMessage(`HeapLens: ${dumpName(d)} holds one snapshot.`);
        return;
      }
      await chooseSnapshot(host, d, output, fail);
    }),

    vscode.commands.registerCommand('heaplens.revealDump', async (row?: unknown) => {
      const d = await dumpFor(row, 'Reveal Dump File');
      if (d) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(d.path));
    }),

    vscode.commands.registerCommand('heaplens.compareWithBaseline', async (row?: unknown) => {
      const d = await dumpFor(row, 'Compare with Baseline');
      if (!d) return;
      const baseline = await pickFile(
        `Baseline for ${dumpName(d)} (an earlier ${d.format} dump of the same process)`,
        'Compare',
        await currentFilters(host, d.format),
      );
      if (!baseline) return;
      const summary = await loadDump(host, again(d, baseline), output, fail);
      if (summary) views.choose(summary.path);
    }),

    vscode.commands.registerCommand('heaplens.clearBaseline', async (row?: unknown) => {
      const d = await dumpFor(row, 'Clear Baseline');
      if (!d) return;
      if (!d.baseline) {
        void vscode.window.showInformationMessage(`HeapLens: ${dumpName(d)} is not compared with a baseline.`);
        return;
      }
      await loadDump(host, again(d, undefined), output, fail);
    }),

    vscode.commands.registerCommand('heaplens.restartServer', async () => {
      try {
        await host.restart();
      } catch (e) {
        fail('could not restart the server', e);
      }
    }),

    vscode.commands.registerCommand('heaplens.sortTopSites', async () => {
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'Live bytes', value: 'live' },
          { label: 'Retained bytes', value: 'retained' },
          { label: 'Object count', value: 'count' },
        ],
        { title: 'HeapLens: sort the top sites by' },
      );
      if (!picked) return;
      views.sites.sortBy = picked.value;
      views.sites.refresh();
    }),

    vscode.commands.registerCommand('heaplens.sortTypes', async () => {
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'Retained bytes', value: 'retained' },
          { label: 'Shallow bytes', value: 'shallow' },
          { label: 'Count', value: 'count' },
          { label: 'Growth since the baseline', value: 'growth' },
        ],
        { title: 'HeapLens: sort the types by' },
      );
      if (!picked) return;
      views.types.sortBy = picked.value;
      views.types.refresh();
    }),

    vscode.commands.registerCommand('heaplens.loadMore', (row: unknown) => loadMore(row)),

    vscode.commands.registerCommand('heaplens.showRetainersOf', async (row?: unknown) => {
      const o = objectOf(row);
      if (!o) return;
      try {
        await views.retainers.showFor(o.dump, o.node, o.label);
        await vscode.commands.executeCommand('heaplens.retainers.focus');
      } catch (e) {
        fail('could not find retention paths', e);
      }
    }),
  );
}

async function loadedDumps(host: ClientHost): Promise<DumpSummary[]> {
  return asSummaryResult(await host.runningClient().sendRequest(SummaryRequest.type, {})).dumps;
}

/**
 * Loads a dump through heaplens.loadDump. After ProgressDelayMs without an answer, a notification shows
 * the load with a Cancel button (which cancels the request: the server stops and keeps what it had).
 */
export async function loadDump(
  host: ClientHost,
  arg: LoadDumpArg,
  output: vscode.OutputChannel,
  fail: (what: string, e: unknown) => void,
  options: { quiet?: boolean } = {},
): Promise<DumpSummary | undefined> {
  const file = typeof arg === 'string' ? arg : arg.path;
  let summary: DumpSummary | undefined;
  const cancel = new vscode.CancellationTokenSource();
  try {
    const request = host.runningClient().sendRequest(
      ExecuteCommandRequest.type,
      { command: Commands.loadDump, arguments: [arg] },
      cancel.token,
    );
    let settled = false;
    const done = request.then(
      () => { settled = true; },
      () => { settled = true; },
    );
    const timer = setTimeout(() => {
      if (settled) return;
      void vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `HeapLens: loading ${path.basename(file)}`,
          cancellable: true,
        },
        (_progress, token) => {
          token.onCancellationRequested(() => cancel.cancel());
          return done;
        },
      );
    }, ProgressDelayMs);
    try {
      summary = asDumpSummary(await request, 'heaplens.loadDump');
    } finally {
      clearTimeout(timer);
    }
    host.rememberLoad(typeof arg === 'string' ? { path: summary.path } : { ...arg, path: summary.path });
  } catch (e) {
    if (cancel.token.isCancellationRequested) output.appendLine(`loading ${file} was cancelled`);
    else fail(`could not load ${path.basename(file)}`, e);
  } finally {
    cancel.dispose();
  }
  if (summary) {
    output.appendLine(loadedMessage(summary));
    for (const w of summary.warnings) output.appendLine(`  warning: ${w}`);
    if (options.quiet) {
      // Restored after a restart: the output says so; no notification per dump.
    } else if (summary.warnings.length > 0) {
      const more = summary.warnings.length > 1 ? ` (and ${summary.warnings.length - 1} more in the output)` : '';
      void vscode.window.showWarningMessage(`HeapLens: ${dumpName(summary)}: ${summary.warnings[0]}${more}`);
    } else if (summary.attributionProblem) {
      void vscode.window.showWarningMessage(loadedMessage(summary));
    } else {
      void vscode.window.showInformationMessage(loadedMessage(summary));
    }
  }
  await host.refreshStatus();
  return summary;
}

async function chooseSnapshot(
  host: ClientHost,
  summary: DumpSummary,
  output: vscode.OutputChannel,
  fail: (what: string, e: unknown) => void,
): Promise<void> {
  const count = summary.snapshotCount ?? 1;
  const items = Array.from({ length: count }, (_, i) => ({
    label: `Snapshot ${i + 1}`,
    description: i === summary.snapshot ? 'loaded' : i === count - 1 ? 'last' : '',
    index: i,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: `HeapLens: snapshot of ${path.basename(summary.path)}` });
  if (!picked || picked.index === summary.snapshot) return;
  const arg: LoadDumpArgument = { path: summary.path, snapshot: picked.index };
  if (summary.baseline) arg.baseline = summary.baseline;
  if (summary.executable) arg.executable = summary.executable;
  await loadDump(host, arg, output, fail);
}
