// commands: "HeapLens: Open Heap Dump…", "HeapLens: Unload Dump", "HeapLens: Restart Server".
//
// Each command talks to the server through workspace/executeCommand
// (heaplens.loadDump / heaplens.unloadDump) or heaplens/summary, and every
// failure reaches the user through window.showErrorMessage (and the output
// channel), never only a log. Extension host thread.
import * as path from 'path';
import * as vscode from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageserver-protocol';
import { Commands, DumpSummary, FormatInfo, FormatsRequest, LoadDumpArg, SummaryRequest, asDumpSummary, asSummaryResult } from './protocol';
import { dumpName, errorText, formatBytes, formatCount, loadedMessage } from './format';
import { ClientHost } from './host';

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

/** The filters from the running server's format list, or the built-in ones. */
async function currentFilters(host: ClientHost): Promise<Record<string, string[]>> {
  try {
    const r = await host.runningClient().sendRequest(FormatsRequest.type, {});
    if (r && Array.isArray(r.formats)) return dumpFileFilters(r.formats);
  } catch {
    // Not running yet, or an older server: the built-in list serves.
  }
  return DumpFileFilters;
}

export function registerCommands(ctx: vscode.ExtensionContext, host: ClientHost, output: vscode.OutputChannel): void {
  const fail = (what: string, e: unknown): void => {
    const msg = `HeapLens: ${what}: ${errorText(e)}`;
    output.appendLine(msg);
    void vscode.window.showErrorMessage(msg, 'Show Output').then((choice) => {
      if (choice === 'Show Output') output.show(true);
    });
  };

  ctx.subscriptions.push(
    vscode.commands.registerCommand('heaplens.openDump', async (uri?: vscode.Uri) => {
      let file = uri instanceof vscode.Uri ? uri : undefined;
      if (!file) {
        const picked = await vscode.window.showOpenDialog({
          title: 'Open Heap Dump',
          openLabel: 'Load Dump',
          canSelectMany: false,
          filters: await currentFilters(host),
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        });
        if (!picked || picked.length === 0) return; // the user cancelled
        file = picked[0];
      }
      const summary = await loadDump(host, file.fsPath, output, fail);
      if (summary && summary.snapshotCount !== undefined && summary.snapshotCount > 1) {
        const choice = await vscode.window.showInformationMessage(
          `${path.basename(summary.path)} holds ${summary.snapshotCount} snapshots; snapshot ${(summary.snapshot ?? 0) + 1} is loaded.`,
          'Choose Snapshot…',
        );
        if (choice) await chooseSnapshot(host, summary, output, fail);
      }
    }),

    vscode.commands.registerCommand('heaplens.closeDump', async () => {
      let dumps: DumpSummary[];
      try {
        dumps = await loadedDumps(host);
      } catch (e) {
        fail('could not list the loaded dumps', e);
        return;
      }
      if (dumps.length === 0) {
        void vscode.window.showInformationMessage('HeapLens: no heap dump is loaded.');
        return;
      }
      const picked = await vscode.window.showQuickPick(
        dumps.map((d) => ({
          label: dumpName(d),
          description: `${d.format} · ${formatCount(d.objects)} objects · ${formatBytes(d.totalBytes)}`,
          detail: d.path,
          dump: d,
        })),
        { title: 'HeapLens: Unload Dump', placeHolder: 'Dump to unload' },
      );
      if (!picked) return;
      try {
        await host.runningClient().sendRequest(ExecuteCommandRequest.type, {
          command: Commands.unloadDump,
          arguments: [picked.dump.path],
        });
        output.appendLine(`unloaded ${picked.dump.path}`);
      } catch (e) {
        fail(`could not unload ${dumpName(picked.dump)}`, e);
      }
      await host.refreshStatus();
    }),

    vscode.commands.registerCommand('heaplens.restartServer', async () => {
      try {
        await host.restart();
      } catch (e) {
        fail('could not restart the server', e);
      }
    }),
  );
}

async function loadedDumps(host: ClientHost): Promise<DumpSummary[]> {
  return asSummaryResult(await host.runningClient().sendRequest(SummaryRequest.type, {})).dumps;
}

export async function loadDump(
  host: ClientHost,
  arg: LoadDumpArg,
  output: vscode.OutputChannel,
  fail: (what: string, e: unknown) => void,
): Promise<DumpSummary | undefined> {
  const file = typeof arg === 'string' ? arg : arg.path;
  let summary: DumpSummary | undefined;
  try {
    const result: unknown = await host.runningClient().sendRequest(ExecuteCommandRequest.type, {
      command: Commands.loadDump,
      arguments: [arg],
    });
    summary = asDumpSummary(result, 'heaplens.loadDump');
  } catch (e) {
    fail(`could not load ${path.basename(file)}`, e);
  }
  if (summary) {
    output.appendLine(loadedMessage(summary));
    for (const w of summary.warnings) output.appendLine(`  warning: ${w}`);
    if (summary.warnings.length > 0) {
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
  await loadDump(host, { path: summary.path, snapshot: picked.index }, output, fail);
}
