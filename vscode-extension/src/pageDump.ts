// pageDump: "HeapLens: Show Page Dump" — the heap timeline and page heat maps of a page dump, in a webview.
//
// The page is the one `heaplens report --html` writes, asked from the server
// (heaplens/pageDumpHtml) under a fresh nonce per panel. It carries its own
// Content-Security-Policy (default-src 'none'; script and style only by that
// nonce; images and styles also from the webview's cspSource), fetches
// nothing, and the webview may load no local resource. The code lenses on a
// page-dump file's GC blocks run the same command with {dump, line}.
// Extension host thread.
import * as crypto from 'crypto';
import * as path from 'path';
import * as vscode from 'vscode';
import { DumpSummary, PageDumpHtmlRequest, SummaryRequest, asSummaryResult } from './protocol';
import { dumpName, errorText } from './format';
import { ClientHost } from './host';
import { DumpRow } from './trees';

/** 32 letters and digits, fresh for every page. */
export function makeNonce(): string {
  return crypto.randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 32).padEnd(32, '0');
}

/** The dump paths the page can show: those with a heap timeline or page maps. */
export function pageDumps(dumps: DumpSummary[]): DumpSummary[] {
  return dumps.filter((d) => d.parts.includes('timeline') || d.parts.includes('pageMaps'));
}

export function registerPageDump(ctx: vscode.ExtensionContext, host: ClientHost): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand('heaplens.showPageDump', async (arg?: unknown) => {
      try {
        let dump: string | undefined;
        if (arg instanceof DumpRow) dump = arg.dump.path;
        else if (typeof arg === 'object' && arg !== null && typeof (arg as { dump?: unknown }).dump === 'string') dump = (arg as { dump: string }).dump;
        if (!dump) {
          const all = asSummaryResult(await host.runningClient().sendRequest(SummaryRequest.type, {})).dumps;
          const candidates = pageDumps(all);
          if (candidates.length === 0) {
            void vscode.window.showInformationMessage('HeapLens: no page dump is loaded (a Kotlin/Native memdump.log with a heap timeline or page maps).');
            return;
          }
          const picked =
            candidates.length === 1
              ? candidates[0]
              : (await vscode.window.showQuickPick(candidates.map((d) => ({ label: dumpName(d), detail: d.path, d })), { title: 'HeapLens: Show Page Dump' }))?.d;
          if (!picked) return;
          dump = picked.path;
        }
        const panel = vscode.window.createWebviewPanel('heaplens.pageDump', `Page dump: ${path.basename(dump)}`, vscode.ViewColumn.Beside, {
          enableScripts: true,
          localResourceRoots: [],
          retainContextWhenHidden: true,
        });
        const answer = await host.runningClient().sendRequest(PageDumpHtmlRequest.type, {
          dump,
          nonce: makeNonce(),
          cspSource: panel.webview.cspSource,
        });
        panel.webview.html = answer.html;
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not show the page dump: ${errorText(e)}`);
      }
    }),
  );
}
