// statusBar: a status bar item naming the loaded dump(s); click to open one.
//
// Updated by the server's heaplens/dumpsChanged notification (every load
// started, finished or failed, every unload) and from heaplens/summary when
// the client starts; never polled. A failed refresh shows in the item itself
// (warning icon and the reason in its tooltip) rather than disappearing.
// Extension host thread.
import * as vscode from 'vscode';
import { DumpSummary } from './protocol';
import { statusText } from './format';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private dumps: DumpSummary[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('heaplens.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'HeapLens';
    this.show([]);
  }

  get loaded(): readonly DumpSummary[] {
    return this.dumps;
  }

  show(dumps: DumpSummary[], loading: string[] = []): void {
    this.dumps = dumps;
    const { text, tooltip } = statusText(dumps, loading);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = undefined;
    this.item.command = dumps.length > 0 ? 'heaplens.closeDump' : 'heaplens.openDump';
    this.item.show();
    // Menus that only make sense with a dump loaded (e.g. "Why Is This Alive?") key on this.
    void vscode.commands.executeCommand('setContext', 'heaplens.dumpLoaded', dumps.length > 0);
  }

  showProblem(problem: string): void {
    this.item.text = '$(warning) HeapLens';
    this.item.tooltip = problem;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.item.command = 'heaplens.restartServer';
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
