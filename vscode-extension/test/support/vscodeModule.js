// vscodeModule: what the two fakes of the 'vscode' module share (vscodeStub for the UI modules,
// vscodeHost for the bundled extension).
//
// The data classes both hand out, and the one Module._load hook that makes require('vscode')
// answer the fake installed last.
'use strict';
const Module = require('module');
const path = require('path');
const { pathToFileURL, fileURLToPath } = require('url');

class Uri {
  constructor(scheme, authority, p, query, fragment) {
    this.scheme = scheme; this.authority = authority || ''; this.path = p; this.query = query || ''; this.fragment = fragment || '';
  }
  get fsPath() { return this.path; }
  static file(p) { return new Uri('file', '', path.resolve(p)); }
  static parse(s) {
    const u = new URL(s);
    if (u.protocol === 'file:') return new Uri('file', '', fileURLToPath(u));
    return new Uri(u.protocol.replace(/:$/, ''), u.host, decodeURIComponent(u.pathname), u.search.replace(/^\?/, ''), u.hash.replace(/^#/, ''));
  }
  with(change) { return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment); }
  toString() { return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}://${this.authority}${this.path}`; }
  toJSON() { return { scheme: this.scheme, path: this.path }; }
}

class Position {
  constructor(line, character) { this.line = line; this.character = character; }
}
class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') { this.start = new Position(a, b); this.end = new Position(c, d); } else { this.start = a; this.end = b; }
  }
}
class ThemeColor { constructor(id) { this.id = id; } }
class ThemeIcon { constructor(id) { this.id = id; } }
const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
class TreeItem {
  constructor(label, collapsibleState = TreeItemCollapsibleState.None) { this.label = label; this.collapsibleState = collapsibleState; }
}
/** The side bar's views: createTreeView records each by id with its provider, for tests to read. */
function treeViews(rec) {
  return (id, options) => {
    const view = { id, provider: options.treeDataProvider, description: undefined, message: undefined,
      selectionListeners: [], onDidChangeSelection(l) { this.selectionListeners.push(l); return { dispose() {} }; }, dispose() {} };
    rec.set(id, view);
    return view;
  };
}

let current;

/** From now on require('vscode') returns `api`. */
function provideVscode(api) {
  current = api;
  if (!Module._heaplensVscodeHook) {
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
      if (request === 'vscode') return current;
      return load.call(this, request, parent, isMain);
    };
    Module._heaplensVscodeHook = true;
  }
}

module.exports = { Uri, Position, Range, ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, treeViews, provideVscode };
