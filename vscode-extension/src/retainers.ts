// retainers: "why is this alive?" — retention paths from a code lens, a hover link or the cursor.
//
// A HeapLens hover ends with a "Why is this alive?" link (a trusted command
// link, VS Code only: the server's hover stays plain for other editors).
//
// The server offers heaplens.showRetainers on its code lenses. The language
// client forwards the click to the server (workspace/executeCommand); the
// middleware here shows the answer in the Retainers view: one row per path,
// expanded into its steps, and a step that has a source line opens it. When
// the answer holds no paths but the lens arguments name a document position,
// heaplens/retainers is asked instead. "HeapLens: Why Is This Alive?" asks the
// same for the cursor position. Extension host thread.
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { Commands, RetainersRequest, RetainersResult, asRetainersResult } from './protocol';
import { errorText } from './format';
import { ClientHost } from './host';

/** Where paths are shown: the Retainers view (trees.ts). */
export interface RetainersSink {
  show(result: RetainersResult, subject: string): void;
}

/** The command a hover's "Why is this alive?" link runs: retention paths for that document position. */
export const RetainersAtCommand = 'heaplens.retainersAt';

/** The link appended to HeapLens hovers: runs RetainersAtCommand for the hovered position. */
export function whyAliveLink(uri: string, line: number, character: number): string {
  const args = encodeURIComponent(JSON.stringify([{ uri, line, character }]));
  return `[Why is this alive? (Retainers)](command:${RetainersAtCommand}?${args})`;
}

export function retainersMiddleware(host: ClientHost, sink: RetainersSink): Middleware {
  return {
    // A hover from the server (it has figures for the line) gets a link that fills the Retainers view.
    provideHover: async (document, position, token, next) => {
      const hover = await next(document, position, token);
      // Not on a dump file's own lines (page dumps, heap-diff records): no objects to ask about there.
      if (!hover || /\.(heapdump|mvmheap|heapsnapshot|ndjson|jsonl|log|txt)$/.test(document.uri.path)) return hover;
      const link = new vscode.MarkdownString(whyAliveLink(document.uri.toString(), position.line, position.character));
      link.isTrusted = { enabledCommands: [RetainersAtCommand] };
      return new vscode.Hover([...hover.contents, link], hover.range);
    },
    executeCommand: async (command, args, next) => {
      const result = await next(command, args);
      if (command !== Commands.showRetainers) return result;
      try {
        let paths = asRetainersResult(result);
        if (!paths && looksLikePosition(args[0])) {
          paths = await host.runningClient().sendRequest(RetainersRequest.type, args[0]);
        }
        await showPaths(sink, paths ?? { paths: [] }, subjectOf(args[0]));
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not show retention paths: ${errorText(e)}`);
      }
      return result;
    },
  };
}

/** Registers "HeapLens: Why Is This Alive?": retention paths for the cursor's line (and the hover link's command). */
export function registerRetainersCommand(ctx: vscode.ExtensionContext, host: ClientHost, sink: RetainersSink, maxPaths: () => number): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand(RetainersAtCommand, async (at?: { uri: string; line: number; character: number }) => {
      if (!at || typeof at.uri !== 'string') return;
      try {
        const result = await host.runningClient().sendRequest(RetainersRequest.type, {
          textDocument: { uri: at.uri },
          position: { line: at.line, character: at.character },
          k: maxPaths(),
        });
        await showPaths(sink, asRetainersResult(result) ?? { paths: [] }, `${at.uri.split('/').pop()}:${at.line + 1}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not find retention paths: ${errorText(e)}`);
      }
    }),
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
        await showPaths(sink, asRetainersResult(result) ?? { paths: [] }, `${editor.document.uri.path.split('/').pop()}:${pos.line + 1}`);
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not find retention paths: ${errorText(e)}`);
      }
    }),
  );
}

/** Fills the Retainers view and brings it into sight. */
export async function showPaths(sink: RetainersSink, result: RetainersResult, subject: string): Promise<void> {
  sink.show(result, subject);
  await vscode.commands.executeCommand('heaplens.retainers.focus');
  if (result.paths.length === 0) {
    void vscode.window.showInformationMessage(
      `HeapLens: no retention path found for ${subject} (the objects may be unreachable garbage or held only by the runtime).`,
    );
  }
}

function subjectOf(arg: unknown): string {
  if (looksLikePosition(arg)) return `${arg.textDocument.uri.split('/').pop()}:${arg.position.line + 1}`;
  return 'the selection';
}

function looksLikePosition(arg: unknown): arg is { textDocument: { uri: string }; position: { line: number; character: number } } {
  if (typeof arg !== 'object' || arg === null) return false;
  const a = arg as Record<string, unknown>;
  return typeof a.textDocument === 'object' && a.textDocument !== null && typeof a.position === 'object' && a.position !== null;
}
