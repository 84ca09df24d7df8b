// retainers: "why is this alive?" — retention paths from a code lens, as a pick list.
//
// The server offers heaplens.showRetainers on its code lenses. The language
// client forwards the click to the server (workspace/executeCommand); the
// middleware here shows the answer: one row per path step, and choosing a step
// that has a source location opens it. When the answer holds no paths but the
// lens arguments name a document position, heaplens/retainers is asked instead.
// "HeapLens: Why Is This Alive?" asks the same for the cursor position.
// Extension host thread.
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { Commands, RetainersRequest, RetainersResult, asRetainersResult } from './protocol';
import { errorText, retainerItems } from './format';
import { ClientHost } from './host';

export function retainersMiddleware(host: ClientHost): Middleware {
  return {
    executeCommand: async (command, args, next) => {
      const result = await next(command, args);
      if (command !== Commands.showRetainers) return result;
      try {
        let paths = asRetainersResult(result);
        if (!paths && looksLikePosition(args[0])) {
          paths = await host.runningClient().sendRequest(RetainersRequest.type, args[0]);
        }
        await showPaths(paths ?? { paths: [] });
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not show retention paths: ${errorText(e)}`);
      }
      return result;
    },
  };
}

/** Registers "HeapLens: Why Is This Alive?": retention paths for the cursor's line. */
export function registerRetainersCommand(ctx: vscode.ExtensionContext, host: ClientHost, maxPaths: () => number): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand('heaplens.retainersAtCursor', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage('HeapLens: open a source file and put the cursor on an allocation line first.');
        return;
      }
      const pos = editor.selection.active;
      try {
        const result = await host.runningClient().sendRequest(RetainersRequest.type, {
          textDocument: { uri: editor.document.uri.toString() },
          position: { line: pos.line, character: pos.character },
          k: maxPaths(),
        });
        await showPaths(asRetainersResult(result) ?? { paths: [] });
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not find retention paths: ${errorText(e)}`);
      }
    }),
  );
}

export async function showPaths(result: RetainersResult): Promise<void> {
  if (result.paths.length === 0) {
    void vscode.window.showInformationMessage('HeapLens: no retention path found (the objects may be unreachable garbage or held only by the runtime).');
    return;
  }
  const picked = await vscode.window.showQuickPick(retainerItems(result.paths), {
    title: `HeapLens: ${result.paths.length} retention path${result.paths.length === 1 ? '' : 's'} (root first)`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  const location = picked?.step.location;
  if (!location) return;
  const r = location.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  await vscode.window.showTextDocument(vscode.Uri.parse(location.uri), { selection: range, preview: true });
}

function looksLikePosition(arg: unknown): arg is { textDocument: { uri: string }; position: { line: number; character: number } } {
  if (typeof arg !== 'object' || arg === null) return false;
  const a = arg as Record<string, unknown>;
  return typeof a.textDocument === 'object' && a.textDocument !== null && typeof a.position === 'object' && a.position !== null;
}
