// vscodeHost: a fake VS Code extension host, enough to run the bundled extension with the real
// vscode-languageclient against the real server in plain Node.
//
// VS Code itself cannot be downloaded here (@vscode/test-electron), so this
// stands in for the parts of the 'vscode' API the bundle touches at run time:
// settings, documents and their events, provider registration (kept so tests
// can call the hover and code-lens providers as VS Code would), diagnostic
// collections, commands, messages and the status bar. Classes the language
// client's converters build (Range, Hover, CodeLens, Diagnostic, ...) are
// plain data classes; anything not modelled is a generic class or a no-op
// that returns a disposable, so an unexpected API use shows up as missing
// data in an assertion rather than a crash in the stub.
'use strict';
const path = require('path');
const { Uri, Position, Range, ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, treeViews, provideVscode } = require('./vscodeModule');

class Disposable {
  constructor(fn) { this._fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((i) => i && i.dispose && i.dispose())); }
  dispose() { if (this._fn) { const f = this._fn; this._fn = undefined; f(); } }
}

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const l = thisArg ? listener.bind(thisArg) : listener;
      this.listeners.add(l);
      const d = new Disposable(() => this.listeners.delete(l));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(e) { for (const l of [...this.listeners]) l(e); }
  dispose() { this.listeners.clear(); }
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() { if (!this.token.isCancellationRequested) { this.token.isCancellationRequested = true; this._emitter.fire(); } }
  dispose() {}
}

class CancellationError extends Error {}

class Location { constructor(uri, range) { this.uri = uri; this.range = range; } }
class MarkdownString { constructor(value = '', supportThemeIcons) { this.value = value; this.supportThemeIcons = supportThemeIcons; } appendMarkdown(v) { this.value += v; return this; } }
class Hover { constructor(contents, range) { this.contents = Array.isArray(contents) ? contents : [contents]; this.range = range; } }
class CodeLens { constructor(range, command) { this.range = range; this.command = command; } get isResolved() { return !!this.command; } }
class Diagnostic { constructor(range, message, severity) { this.range = range; this.message = message; this.severity = severity; } }
class DiagnosticRelatedInformation { constructor(location, message) { this.location = location; this.message = message; } }

/** Enums the converters read: any member is a distinct number. */
function enumProxy(name) {
  const known = {
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
  }[name] || {};
  let next = 100;
  return new Proxy(known, { get: (t, k) => (k in t ? t[k] : typeof k === 'string' ? (t[k] = next++) : undefined) });
}

function genericClass(name) {
  const C = class { constructor(...args) { this.args = args; } };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

function createHost({ settings = {}, workspaceFolder }) {
  const rec = {
    commands: new Map(),
    providers: {},
    diagnostics: new Map(), // collection name -> Map(uri string -> Diagnostic[])
    messages: [],
    statusItems: [],
    output: [],
    quickPicks: [],
    shownDocuments: [],
    context: {}, // setContext keys
    views: new Map(), // tree view id -> {provider, description, message}
    progress: [], // withProgress options
    /** Chooses from a pick list: (items) -> item; the default picks nothing. */
    pick: () => undefined,
  };
  const events = {};
  const ev = (name) => (events[name] || (events[name] = new EventEmitter()));
  const textDocuments = [];

  const message = (level) => (text, ...items) => {
    rec.messages.push({ level, text, items: items.filter((i) => typeof i === 'string') });
    return Promise.resolve(undefined);
  };
  const outputChannel = (name) => {
    const write = (s) => rec.output.push(`[${name}] ${s}`);
    return {
      name, logLevel: 2, onDidChangeLogLevel: ev(`log:${name}`).event,
      append: write, appendLine: write, replace: write, clear() {}, show() {}, hide() {}, dispose() {},
      trace: write, debug: write, info: write, warn: write, error: (e) => write(String(e)),
    };
  };
  const register = (kind) => (selector, provider, ...rest) => {
    (rec.providers[kind] || (rec.providers[kind] = [])).push({ selector, provider, rest });
    return new Disposable(() => {});
  };
  const filterMatches = (f, doc) => {
    if (typeof f === 'string') return f === doc.languageId;
    if (f.language && f.language !== doc.languageId) return false;
    if (f.scheme && f.scheme !== doc.uri.scheme) return false;
    if (f.pattern) {
      const exts = /\{([^}]*)\}$/.exec(String(f.pattern));
      if (exts && !exts[1].split(',').some((e) => doc.uri.path.endsWith(`.${e}`))) return false;
    }
    return true;
  };

  const languages = new Proxy({
    match: (selector, doc) => ([].concat(selector).some((f) => filterMatches(f, doc)) ? 10 : 0),
    createDiagnosticCollection(name) {
      const map = new Map();
      rec.diagnostics.set(name, map);
      return {
        name,
        set(uri, diags) {
          if (Array.isArray(uri)) { for (const [u, d] of uri) map.set(u.toString(), d || []); return; }
          map.set(uri.toString(), diags || []);
        },
        delete(uri) { map.delete(uri.toString()); },
        clear() { map.clear(); },
        get(uri) { return map.get(uri.toString()); },
        has(uri) { return map.has(uri.toString()); },
        forEach(cb) { for (const [k, v] of map) cb(Uri.parse(k), v, this); },
        dispose() { map.clear(); },
      };
    },
  }, { get: (t, k) => (k in t ? t[k] : typeof k === 'string' && k.startsWith('register') ? (t[k] = register(k.replace(/^register|Provider$|Support$/g, ''))) : undefined) });

  const vscode = {
    version: '1.82.0',
    env: { language: 'en', appName: 'fake extension host', machineId: 'test', sessionId: 'test', openExternal: async () => true, uiKind: 1 },
    Disposable, EventEmitter, CancellationTokenSource, CancellationError, Uri, Position, Range, Location,
    MarkdownString, Hover, CodeLens, Diagnostic, DiagnosticRelatedInformation, ThemeColor, ThemeIcon, TreeItem,
    TreeItemCollapsibleState,
    // Named here, not left to the proxy: esbuild's ESM interop copies only own properties.
    StatusBarAlignment: enumProxy('StatusBarAlignment'),
    DiagnosticSeverity: enumProxy('DiagnosticSeverity'),
    ProgressLocation: enumProxy('ProgressLocation'),
    workspace: {
      workspaceFolders: workspaceFolder ? [{ uri: Uri.file(workspaceFolder), name: path.basename(workspaceFolder), index: 0 }] : undefined,
      textDocuments,
      getConfiguration(section) {
        const prefix = section ? `${section}.` : '';
        const get = (key, def) => { const v = settings[prefix + key]; return v === undefined ? def : v; };
        return { get, has: (key) => settings[prefix + key] !== undefined, inspect: (key) => ({ key, globalValue: settings[prefix + key] }), update: async () => {} };
      },
      getWorkspaceFolder(uri) { return this.workspaceFolders && uri.path.startsWith(this.workspaceFolders[0].uri.path) ? this.workspaceFolders[0] : undefined; },
      createFileSystemWatcher: () => ({ onDidCreate: ev('fsw').event, onDidChange: ev('fsw').event, onDidDelete: ev('fsw').event, dispose() {} }),
      applyEdit: async () => true,
      onDidOpenTextDocument: ev('open').event,
      onDidCloseTextDocument: ev('close').event,
      onDidChangeTextDocument: ev('change').event,
      onDidSaveTextDocument: ev('save').event,
      onWillSaveTextDocument: ev('willSave').event,
      onDidChangeConfiguration: ev('config').event,
      onDidChangeWorkspaceFolders: ev('folders').event,
    },
    languages,
    window: {
      activeTextEditor: undefined,
      visibleTextEditors: [],
      tabGroups: { all: [], onDidChangeTabs: ev('tabs').event, onDidChangeTabGroups: ev('tabGroups').event },
      onDidChangeActiveTextEditor: ev('activeEditor').event,
      onDidChangeVisibleTextEditors: ev('visibleEditors').event,
      createOutputChannel: outputChannel,
      createStatusBarItem(id, alignment, priority) {
        const item = { id, alignment, priority, text: '', tooltip: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() { this.visible = false; } };
        rec.statusItems.push(item);
        return item;
      },
      showInformationMessage: message('info'),
      showWarningMessage: message('warning'),
      showErrorMessage: message('error'),
      showQuickPick: async (items, options) => {
        const list = await items;
        rec.quickPicks.push({ items: list, options });
        return rec.pick(list);
      },
      showOpenDialog: async () => undefined,
      showTextDocument: async (uri, options) => {
        rec.shownDocuments.push({ uri, options });
        return {};
      },
      withProgress: (options, task) => { rec.progress.push(options); return task({ report() {} }, new CancellationTokenSource().token); },
      createTreeView: treeViews(rec.views),
    },
    commands: {
      registerCommand(id, fn, thisArg) {
        if (rec.commands.has(id)) throw new Error(`command '${id}' already exists`);
        rec.commands.set(id, thisArg ? fn.bind(thisArg) : fn);
        return new Disposable(() => rec.commands.delete(id));
      },
      executeCommand: async (id, ...args) => {
        if (id === 'setContext') { rec.context[args[0]] = args[1]; return undefined; }
        // VS Code makes a `<view>.focus` command for every view.
        const focus = /^(.*)\.focus$/.exec(id);
        if (focus && rec.views.has(focus[1])) { rec.focused = focus[1]; return undefined; }
        const fn = rec.commands.get(id);
        if (!fn) throw new Error(`command '${id}' not found`);
        return fn(...args);
      },
    },
  };
  const api = new Proxy(vscode, {
    get: (t, k) => {
      if (k in t) return t[k];
      if (typeof k !== 'string' || !/^[A-Z]/.test(k)) return undefined;
      // Kinds/enums end in Kind, Tag, Reason, Severity, Location...; anything else is a class.
      t[k] = /(Kind|Tag|Reason|Severity|Alignment|Location|Mode|Type|Status|Level)$/.test(k) && !/^(Location)$/.test(k) ? enumProxy(k) : genericClass(k);
      return t[k];
    },
  });

  /** Opens a document as VS Code would: adds it to textDocuments and fires onDidOpenTextDocument. */
  function openDocument(file, languageId, text) {
    const lines = text.split('\n');
    const doc = {
      uri: Uri.file(file), fileName: file, languageId, version: 1, isUntitled: false, isDirty: false, isClosed: false, eol: 1,
      lineCount: lines.length, getText: () => text, save: async () => true,
      lineAt: (l) => ({ text: lines[typeof l === 'number' ? l : l.line] }),
    };
    textDocuments.push(doc);
    ev('open').fire(doc);
    return doc;
  }

  return { vscode: api, rec, settings, openDocument, fire: (name, e) => ev(name).fire(e) };
}

function install(options) {
  const host = createHost(options);
  provideVscode(host.vscode);
  return host;
}

module.exports = { install };
