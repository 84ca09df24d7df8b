// extension: activation of HeapLens in VS Code — settings, the language client, commands, side bar, status bar.
//
// activate() reads the "heaplens" settings, starts `heaplens serve` through
// vscode-languageclient, and wires the UI features to it. Setting changes are
// pushed to the server (workspace/didChangeConfiguration with {"heaplens": …});
// a changed serverPath restarts the server. The status bar and the Dumps view
// follow the server's heaplens/dumpsChanged notification. The dumps loaded in
// a workspace are remembered in its workspace state and loaded again whenever
// the client is running anew (first start, a restart by the user or by
// vscode-languageclient after a crash, a window reload). Extension host thread.
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, LanguageClient, State } from 'vscode-languageclient/node';
import { HeapLensSettings, Section, parseSettings, toServerSettings } from './config';
import { createClient } from './client';
import { loadDump, registerCommands } from './commands';
import { ClientHost } from './host';
import { dumpName, errorText } from './format';
import { DumpsChangedNotification, LoadDumpArgument, SummaryRequest, SummaryResult, asSummaryResult } from './protocol';
import { StateKey, asRemembered, forget, remember, toRestore } from './remembered';
import { registerPageDump } from './pageDump';
import { registerRetainersCommand, retainersMiddleware } from './retainers';
import { registerSample } from './sample';
import { StatusBar } from './statusBar';
import { Views } from './trees';

class Extension implements ClientHost, vscode.Disposable {
  private client: LanguageClient | undefined;
  private settings: HeapLensSettings;
  readonly output = vscode.window.createOutputChannel('HeapLens');
  private readonly traceOutput = vscode.window.createOutputChannel('HeapLens (protocol trace)');
  private readonly status = new StatusBar();
  readonly views: Views;
  private whyNotRunning = 'the HeapLens server has not started yet';

  constructor(private readonly state: vscode.Memento) {
    this.settings = this.readSettings();
    this.views = new Views(this, () => this.settings.maxPaths);
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
      middleware: retainersMiddleware(this, this.views.retainers),
    });
    this.client = client;
    // Running is reached on the first start and after every restart the client makes itself:
    // the server has nothing loaded then but heaplens.dumps, so the remembered dumps are loaded again.
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) void this.restoreDumps();
      if (e.newState === State.Stopped) this.status.showProblem('the HeapLens server is not running');
    });
    // Kept by the client across its restarts.
    client.onNotification(DumpsChangedNotification.type, (summary) => this.showSummary(summary));
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

  /** "HeapLens: Restart Server": vscode-languageclient's own restart; a client that never started is made anew. */
  async restart(): Promise<void> {
    const client = this.client;
    if (client && client.state !== State.Stopped) {
      await client.restart();
      return;
    }
    if (client) {
      try {
        await client.dispose(2000);
      } catch (e) {
        this.output.appendLine(`stopping the old server: ${errorText(e)}`);
      }
    }
    this.client = undefined;
    await this.start();
  }

  rememberLoad(arg: LoadDumpArgument): void {
    void this.state.update(StateKey, remember(asRemembered(this.state.get(StateKey)), arg));
  }

  forgetDump(path: string): void {
    void this.state.update(StateKey, forget(asRemembered(this.state.get(StateKey)), path));
  }

  private showSummary(value: SummaryResult): void {
    const { dumps, loading } = asSummaryResult(value);
    this.status.show(dumps, loading);
    this.views.update(dumps, loading);
  }

  async refreshStatus(): Promise<void> {
    try {
      this.showSummary(await this.runningClient().sendRequest(SummaryRequest.type, {}));
    } catch (e) {
      const problem = `HeapLens: could not ask the server what is loaded: ${errorText(e)}`;
      this.output.appendLine(problem);
      this.status.showProblem(problem);
    }
  }

  private async restoreDumps(): Promise<void> {
    await this.refreshStatus();
    let present: string[];
    try {
      const s = asSummaryResult(await this.runningClient().sendRequest(SummaryRequest.type, {}));
      present = [...s.dumps.map((d) => d.path), ...s.loading];
    } catch {
      return;
    }
    const missing = toRestore(asRemembered(this.state.get(StateKey)), present);
    if (missing.length === 0) return;
    this.output.appendLine(`loading the ${missing.length} dump(s) this workspace had loaded`);
    const back: string[] = [];
    for (const arg of missing) {
      const summary = await loadDump(this, arg, this.output, (what, e) => {
        this.output.appendLine(`HeapLens: ${what}: ${errorText(e)}`);
        void vscode.window.showErrorMessage(`HeapLens: ${what}: ${errorText(e)}`);
      }, { quiet: true });
      if (summary) back.push(dumpName(summary));
    }
    if (back.length > 0) void vscode.window.showInformationMessage(`HeapLens: loaded again what this workspace had loaded: ${back.join(', ')}.`);
  }

  async onSettingsChanged(): Promise<void> {
    const before = this.settings;
    this.settings = this.readSettings();
    if (before.serverPath !== this.settings.serverPath) {
      this.output.appendLine(`heaplens.serverPath changed to ${this.settings.serverPath}; restarting the server`);
      if (this.client) {
        try {
          await this.client.dispose(2000);
        } catch (e) {
          this.output.appendLine(`stopping the old server: ${errorText(e)}`);
        }
        this.client = undefined;
      }
      await this.start();
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

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.status.dispose();
    this.views.dispose();
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
  extension = new Extension(ctx.workspaceState);
  const ext = extension;
  registerCommands(ctx, ext, ext.output, ext.views);
  registerRetainersCommand(ctx, ext, ext.views.retainers, () => ext.currentSettings.maxPaths);
  registerPageDump(ctx, ext);
  registerSample(ctx);
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
