// client: starts `heaplens serve` as a language client, with a bounded restart policy.
//
// The server runs as a child process over stdio (no `--stdio` flag: transport
// is left unset so vscode-languageclient adds no arguments). When it crashes
// it is restarted at most 4 times within 3 minutes; after that the user gets
// an error with a way to restart by hand, instead of a restart loop.
// Runs on the extension host's single thread.
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  DocumentSelector,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  Message,
  Middleware,
  ServerOptions,
} from 'vscode-languageclient/node';
import { HeapLensSettings, toServerSettings } from './config';
import { RestartBudget } from './restart';

export const ClientId = 'heaplens';
export const ClientName = 'HeapLens';

/** Raku files by extension, for editors without a Raku language extension. */
export const RakuPattern = '**/*.{raku,rakumod,rakutest,pm6,p6,pl6}';

/**
 * Documents the server hears about: the languages dumps point into, then any
 * local file (a dump's source lines can be in any language the runtime hosts).
 */
export const documentSelector: DocumentSelector = [
  { scheme: 'file', language: 'go' },
  { scheme: 'file', language: 'raku' },
  { scheme: 'file', pattern: RakuPattern },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file' },
];

/** Restarts at most `budget` allows; afterwards stops and tells the user. */
export class BoundedRestartHandler implements ErrorHandler {
  constructor(
    private readonly budget: RestartBudget,
    private readonly onGiveUp: (message: string) => void,
  ) {}

  error(_error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    // A few broken messages are survivable; a stream of them means the pipe is gone.
    if (count !== undefined && count <= 3) return { action: ErrorAction.Continue };
    return { action: ErrorAction.Shutdown };
  }

  closed(): CloseHandlerResult {
    if (this.budget.shouldRestart()) {
      return { action: CloseAction.Restart, message: `The ${ClientName} server stopped unexpectedly; restarting it.`, handled: true };
    }
    const message = `The ${ClientName} server crashed ${this.budget.describe()}; it will not be restarted. See the "${ClientName}" output for its last messages.`;
    this.onGiveUp(message);
    return { action: CloseAction.DoNotRestart, message, handled: true };
  }
}

export interface ClientParts {
  settings: HeapLensSettings;
  /** The settings at the moment of each (re)start: a restart after a crash must not send stale ones. */
  currentSettings: () => HeapLensSettings;
  output: vscode.OutputChannel;
  traceOutput: vscode.OutputChannel;
  middleware: Middleware;
  budget: RestartBudget;
  onGiveUp: (message: string) => void;
}

export function createClient(parts: ClientParts): LanguageClient {
  const serverOptions: ServerOptions = { command: parts.settings.serverPath, args: ['serve'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: parts.output,
    traceOutputChannel: parts.traceOutput,
    initializationOptions: () => toServerSettings(parts.currentSettings()),
    errorHandler: new BoundedRestartHandler(parts.budget, parts.onGiveUp),
    middleware: parts.middleware,
    // Failed initialize: show it once, do not retry with the same bad binary.
    initializationFailedHandler: (error) => {
      parts.output.appendLine(`initialize failed: ${String(error?.message ?? error)}`);
      return false;
    },
  };
  return new LanguageClient(ClientId, ClientName, serverOptions, clientOptions);
}
