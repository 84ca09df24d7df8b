// vscodeStub: a small stand-in for the 'vscode' module, so extension code runs in plain Node.
//
// @vscode/test-electron cannot download VS Code here, so the UI modules are
// exercised against this stub: it records every message, pick list and status
// bar change, and answers dialogs and pick lists from scripted replies.
// install() must run before requiring anything from ../../out that imports 'vscode'.
'use strict';
const { Uri, Position, Range, ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, treeViews, provideVscode } = require('./vscodeModule');

class EventEmitter {
  constructor() { this.listeners = []; this.event = (l) => { this.listeners.push(l); return { dispose() {} }; }; }
  fire(e) { for (const l of this.listeners) l(e); }
  dispose() {}
}
class MarkdownString { constructor(value = '') { this.value = value; } }
class Hover { constructor(contents, range) { this.contents = Array.isArray(contents) ? contents : [contents]; this.range = range; } }
class CancellationTokenSource {
  constructor() { this.token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) }; }
  cancel() { this.token.isCancellationRequested = true; }
  dispose() {}
}

function createStub() {
  const log = { errors: [], warnings: [], infos: [], quickPicks: [], opened: [], commands: new Map(), statusItems: [], output: [], context: {}, views: new Map(), progress: [] };
  // Replies, consumed in order: each is a function(items|options) -> value, or a plain value.
  const replies = { openDialog: [], quickPick: [], message: [] };
  const next = (queue, arg) => {
    if (queue.length === 0) return undefined;
    const r = queue.shift();
    return typeof r === 'function' ? r(arg) : r;
  };
  const message = (bucket) => (text, ...buttons) => {
    bucket.push({ text, buttons });
    return Promise.resolve(next(replies.message, { text, buttons }));
  };
  const vscode = {
    Uri,
    Position,
    Range,
    ThemeColor,
    ThemeIcon,
    TreeItem,
    TreeItemCollapsibleState,
    EventEmitter,
    CancellationTokenSource,
    MarkdownString,
    Hover,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    window: {
      createTreeView: treeViews(log.views),
      withProgress: (options, task) => {
        log.progress.push(options);
        return task({ report() {} }, new CancellationTokenSource().token);
      },
      activeTextEditor: undefined,
      createStatusBarItem(id, alignment, priority) {
        const item = { id, alignment, priority, text: '', tooltip: '', command: undefined, visible: false, disposed: false,
          show() { this.visible = true; }, hide() { this.visible = false; }, dispose() { this.disposed = true; } };
        log.statusItems.push(item);
        return item;
      },
      createOutputChannel(name) {
        return { name, appendLine: (l) => log.output.push(l), append: (l) => log.output.push(l), show() {}, dispose() {} };
      },
      showOpenDialog: async (options) => {
        log.openDialog = options;
        return next(replies.openDialog, options);
      },
      showQuickPick: async (items, options) => {
        const resolved = await items;
        log.quickPicks.push({ items: resolved, options });
        return next(replies.quickPick, resolved);
      },
      showErrorMessage: message(log.errors),
      showWarningMessage: message(log.warnings),
      showInformationMessage: message(log.infos),
      showTextDocument: async (uri, options) => {
        log.opened.push({ uri, options });
        return {};
      },
    },
    commands: {
      registerCommand(id, fn) {
        if (log.commands.has(id)) throw new Error(`command '${id}' already exists`);
        log.commands.set(id, fn);
        return { dispose: () => log.commands.delete(id) };
      },
      executeCommand: async (id, ...args) => {
        if (id === 'setContext') { log.context[args[0]] = args[1]; return undefined; }
        const fn = log.commands.get(id);
        return fn ? fn(...args) : undefined;
      },
    },
    workspace: {
      workspaceFolders: undefined,
      getConfiguration: () => ({ get: () => undefined }),
    },
  };
  return { vscode, log, replies };
}

/** Makes require('vscode') return a fresh stub; returns {vscode, log, replies}. */
function install() {
  const stub = createStub();
  provideVscode(stub.vscode);
  return stub;
}

/** A fake extension context collecting subscriptions. */
function fakeContext() {
  const state = new Map();
  return { subscriptions: [], workspaceState: { get: (k, d) => (state.has(k) ? state.get(k) : d), update: async (k, v) => { state.set(k, v); }, keys: () => [...state.keys()] } };
}

module.exports = { install, fakeContext, Uri };
