// sample: the walkthrough's sample — a real Go heap dump and the program that wrote it.
//
// "Open the Sample" copies both from the extension (sample/, filled from
// tests/data when the .vsix is packaged) into a folder of their own in the
// extension's global storage, with a .vscode/settings.json whose
// heaplens.dumps loads the dump, and opens that folder. "Open the Sample's
// main.go" then opens the file at its first allocation line (51), which
// activates the extension. Extension host thread.
import * as vscode from 'vscode';

export const SampleDump = 'workers-go1.19.heapdump';
export const SampleLine = 51;

export function registerSample(ctx: vscode.ExtensionContext): void {
  // Where the sample is unpacked; worked out when asked (activation touches no storage).
  const sampleFolder = () => vscode.Uri.joinPath(ctx.globalStorageUri, 'sample-workers');
  ctx.subscriptions.push(
    vscode.commands.registerCommand('heaplens.openSample', async () => {
      try {
        const folder = sampleFolder();
        const fs = vscode.workspace.fs;
        await fs.createDirectory(vscode.Uri.joinPath(folder, '.vscode'));
        for (const name of ['main.go', SampleDump]) {
          await fs.copy(vscode.Uri.joinPath(ctx.extensionUri, 'sample', name), vscode.Uri.joinPath(folder, name), { overwrite: true });
        }
        const settings = { 'heaplens.dumps': [SampleDump] };
        await fs.writeFile(vscode.Uri.joinPath(folder, '.vscode', 'settings.json'), Buffer.from(JSON.stringify(settings, null, 2)));
        await vscode.commands.executeCommand('vscode.openFolder', folder, { forceReuseWindow: true });
      } catch (e) {
        void vscode.window.showErrorMessage(`HeapLens: could not open the sample: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    vscode.commands.registerCommand('heaplens.openSampleSource', async () => {
      const file = vscode.workspace.workspaceFolders?.map((f) => vscode.Uri.joinPath(f.uri, 'main.go')).find((u) => u.path.includes('sample-workers'));
      const target = file ?? vscode.Uri.joinPath(sampleFolder(), 'main.go');
      const line = SampleLine - 1;
      await vscode.window.showTextDocument(target, { selection: new vscode.Range(line, 0, line, 0) });
    }),
  );
}
