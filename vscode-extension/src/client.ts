// client: starts `heaplens serve` as a language client.
//
// The server runs as a child process over stdio (no `--stdio` flag: transport
// is left unset so vscode-languageclient adds no arguments). When it crashes,
// vscode-languageclient's own error handler restarts it, at most 4 times
// within 3 minutes, then tells the user; the extension loads the remembered
// dumps again each time the client is running.
// Runs on the extension host's single thread.
import * as vscode from 'vscode';
import {
  DocumentSelector,
  ErrorAction,
  ErrorHandler,
  LanguageClient,
  LanguageClientOptions,
  Middleware,
  ServerOptions,
} from 'vscode-languageclient/node';
import { HeapLensSettings, toServerSettings } from './config';

export const ClientId = 'heaplens';
export const ClientName = 'HeapLens';

/** Raku files by extension, for editors without a Raku language extension. */
export const RakuPattern = '**/*.{raku,rakumod,rakutest,pm6,p6,pl6}';

/** The dump files the server reads whose own lines it annotates (page dumps, heap-diff, …). */
export const DumpFilePattern = '**/*.{heapdump,mvmheap,heapsnapshot,ndjson,jsonl,log,txt}';

/**
 * Documents the server hears about: the languages dumps point into (Go, Raku, JavaScript,
 * TypeScript) and the dump files it reads; nothing else.
 */
export const documentSelector: DocumentSelector = [
  { scheme: 'file', language: 'go' },
  { scheme: 'file', language: 'raku' },
  { scheme: 'file', pattern: RakuPattern },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', pattern: DumpFilePattern },
];

/** Crashes within 3 minutes after which vscode-languageclient stops restarting the server (its own rule). */
export const MaxRestartCount = 4;

export interface ClientParts {
  settings: HeapLensSettings;
  /** The settings at the moment of each (re)start: a restart after a crash must not send stale ones. */
  currentSettings: () => HeapLensSettings;
  output: vscode.OutputChannel;
  traceOutput: vscode.OutputChannel;
  middleware: Middleware;
}

export function createClient(parts: ClientParts): LanguageClient {
  // When the server exits, vscode-languageclient's own handler decides (restart, at most
  // MaxRestartCount times in 3 minutes, then it says so). A write that fails because the server is
  // going away (EPIPE) is not a reason to shut the client down first: its exit follows and decides.
  let library: ErrorHandler | undefined;
  const errorHandler: ErrorHandler = {
    error: () => ({ action: ErrorAction.Continue }),
    closed: () => library!.closed(),
  };
  const serverOptions: ServerOptions = { command: parts.settings.serverPath, args: ['serve'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: parts.output,
    traceOutputChannel: parts.traceOutput,
    initializationOptions: () => toServerSettings(parts.currentSettings()),
    connectionOptions: { maxRestartCount: MaxRestartCount },
    errorHandler,
    middleware: parts.middleware,
    // Failed initialize: show it once, do not retry with the same bad binary.
    initializationFailedHandler: (error) => {
      parts.output.appendLine(`initialize failed: ${String(error?.message ?? error)}`);
      return false;
    },
  };
  const client = new LanguageClient(ClientId, ClientName, serverOptions, clientOptions);
  library = client.createDefaultErrorHandler(MaxRestartCount);
  return client;
}
