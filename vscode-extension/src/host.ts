// host: what the UI features need from the extension's current language client.
//
// The client object changes when the server is restarted, so features ask the
// host for it at the moment they act instead of keeping one. Extension host thread.
import type { LanguageClient } from 'vscode-languageclient/node';
import type { LoadDumpArgument } from './protocol';

export interface ClientHost {
  /** The running client, or an error that says why there is none. */
  runningClient(): LanguageClient;
  restart(): Promise<void>;
  /** Asks the server what is loaded and updates the status bar and the Dumps view. */
  refreshStatus(): Promise<void>;
  /** A load succeeded: load it again after a restart (workspace state). */
  rememberLoad(arg: LoadDumpArgument): void;
  /** An unload: do not load it again. */
  forgetDump(path: string): void;
}
