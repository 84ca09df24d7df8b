// extension: activation of HeapLens in VS Code — settings, the language client, commands, status bar.
//
// activate() reads the "heaplens" settings, starts `heaplens serve` through
// vscode-languageclient, and wires the UI features to it. Setting changes are
// pushed to the server (workspace/didChangeConfiguration with {"heaplens": …});
// a changed serverPath restarts the server. Extension host thread.
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, LanguageClient, State } from 'vscode-languageclient/node';
import { HeapLensSettings, Section, parseSettings, toServerSettings } from './config';
import { createClient } from './client';
import { registerCommands } from './commands';
import { ClientHost } from './host';
import { errorText } from './format';
import { SummaryRequest, asSummaryResult } from './protocol';
import { RestartBudget } from './restart';
import { registerRetainersCommand, retainersMiddleware } from './retainers';
import { StatusBar } from './statusBar';

class Extension implements ClientHost, vscode.Disposable {
  private client: LanguageClient | undefined;
  private settings: HeapLensSettings;
  readonly output = vscode.window.createOutputChannel('HeapLens');
  private readonly traceOutput = vscode.window.createOutputChannel('HeapLens (protocol trace)');
  private readonly status = new StatusBar();
  private readonly budget = new RestartBudget(4, 3 * 60 * 1000);
  private whyNotRunning = 'the HeapLens server has not started yet';
  private pollTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.settings = this.readSettings();
  }

  get currentSettings(): HeapLensSettings {
    return this.settings;
  }

  runningClient(): LanguageClient {
    if (!this.client || this.client.state !== State.Running) throw new Error(this.whyNotRunning);
    return this.client;
  }

  async start(): Promise<void> {
    const client = createClient({
      settings: this.settings,
      currentSettings: () => this.settings,
      output: this.output,
      traceOutput: this.traceOutput,
      middleware: retainersMiddleware(this),
      budget: this.budget,
      onGiveUp: (message) => this.giveUp(message),
    });
    this.client = client;
    // Running is reached on the first start and after every restart the client makes itself.
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) void this.refreshStatus();
    });
    try {
      await client.start();
    } catch (e) {
      this.whyNotRunning = `the HeapLens server (${this.settings.serverPath} serve) could not be started: ${errorText(e)}`;
      this.status.showProblem(this.whyNotRunning);
      this.output.appendLine(this.whyNotRunning);
      // Not awaited: activation must not wait until the user dismisses the notification.
      void vscode.window
        .showErrorMessage(
          `HeapLens: could not start "${this.settings.serverPath} serve": ${errorText(e)}. Set heaplens.serverPath to the heaplens executable.`,
          'Open Settings',
          'Show Output',
        )
        .then((choice) => {
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'heaplens.serverPath');
          if (choice === 'Show Output') this.output.show(true);
        });
      return;
    }
    this.whyNotRunning = 'the HeapLens server is not running';
  }

  async restart(): Promise<void> {
    this.budget.reset();
    const old = this.client;
    this.client = undefined;
    if (old) {
      try {
        await old.dispose(2000);
      } catch (e) {
        this.output.appendLine(`stopping the old server: ${errorText(e)}`);
      }
    }
    await this.start();
  }

  async refreshStatus(): Promise<void> {
    try {
      const { dumps, loading } = asSummaryResult(await this.runningClient().sendRequest(SummaryRequest.type, {}));
      this.status.show(dumps, loading);
      // Loads started by the server itself (heaplens.dumps) end without a reply to us: poll until done.
      if (loading.length > 0 && !this.pollTimer) {
        this.pollTimer = setTimeout(() => {
          this.pollTimer = undefined;
          void this.refreshStatus();
        }, 1000);
      }
    } catch (e) {
      const problem = `HeapLens: could not ask the server what is loaded: ${errorText(e)}`;
      this.output.appendLine(problem);
      this.status.showProblem(problem);
    }
  }

  async onSettingsChanged(): Promise<void> {
    const before = this.settings;
    this.settings = this.readSettings();
    if (before.serverPath !== this.settings.serverPath) {
      this.output.appendLine(`heaplens.serverPath changed to ${this.settings.serverPath}; restarting the server`);
      await this.restart();
      return;
    }
    if (!this.client || this.client.state !== State.Running) return;
    try {
      await this.client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [Section]: toServerSettings(this.settings) },
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`HeapLens: could not send the new settings to the server: ${errorText(e)}`);
    }
    // New entries in heaplens.dumps are loaded by the server; show them.
    await this.refreshStatus();
  }

  private readSettings(): HeapLensSettings {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const { settings, problems } = parseSettings(vscode.workspace.getConfiguration(Section), root);
    for (const p of problems) {
      this.output.appendLine(`settings: ${p}`);
      void vscode.window.showErrorMessage(`HeapLens settings: ${p}`);
    }
    return settings;
  }

  private giveUp(message: string): void {
    this.whyNotRunning = message;
    this.status.showProblem(message);
    this.output.appendLine(message);
    void vscode.window.showErrorMessage(`HeapLens: ${message}`, 'Restart Server', 'Show Output').then((choice) => {
      if (choice === 'Restart Server') void this.restart();
      if (choice === 'Show Output') this.output.show(true);
    });
  }

  async dispose(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const client = this.client;
    this.client = undefined;
    this.status.dispose();
    // A client whose start failed cannot be stopped (vscode-languageclient throws); nothing runs then.
    if (client && client.state !== State.Stopped) {
      try {
        await client.dispose(2000);
      } catch (e) {
        this.output.appendLine(`stopping the server: ${errorText(e)}`);
      }
    }
    this.output.dispose();
    this.traceOutput.dispose();
  }
}

let extension: Extension | undefined;

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  extension = new Extension();
  const ext = extension;
  registerCommands(ctx, ext, ext.output);
  registerRetainersCommand(ctx, ext, () => ext.currentSettings.maxPaths);
  ctx.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(Section)) void ext.onSettingsChanged();
    }),
  );
  await ext.start();
}

export async function deactivate(): Promise<void> {
  const ext = extension;
  extension = undefined;
  if (ext) await ext.dispose();
}
