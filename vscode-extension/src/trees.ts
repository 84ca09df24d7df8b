// trees: the HeapLens side bar — Dumps, Top sites, Types, Dominators and Retainers.
//
// Every list comes from a typed custom request answered one page at a time by
// the server (heaplens/topSites, heaplens/types, heaplens/dominators,
// heaplens/retainers), so a dump of millions of objects never crosses the
// wire whole: a "Load more" row fetches the next page, and a dominator's
// children are fetched when it is expanded. The lists show the dump selected
// in the Dumps view, or the last one loaded. The Dumps view follows the
// server's heaplens/dumpsChanged notification. Extension host thread.
import * as vscode from 'vscode';
import {
  DominatorItem,
  DominatorsRequest,
  DumpSummary,
  RetainerPath,
  RetainersRequest,
  RetainersResult,
  SiteItem,
  TopSitesRequest,
  TypeItem,
  TypesRequest,
  asRetainersResult,
} from './protocol';
import { dominatorRow, dumpRow, errorText, formatBytes, siteRow, typeRow } from './format';
import { ClientHost } from './host';

export const PageSize = 100;

type Location = { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };

/** The command that opens a workspace location, for rows that have one. */
function openCommand(location: Location | undefined): vscode.Command | undefined {
  if (!location) return undefined;
  const r = location.range;
  return {
    title: 'Go to Source',
    command: 'vscode.open',
    arguments: [vscode.Uri.parse(location.uri), { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), preview: true }],
  };
}

class MoreItem extends vscode.TreeItem {
  constructor(readonly load: () => Promise<void>, shown: number, total: number) {
    super(`Load more (${shown} of ${total})`, vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { title: 'Load more', command: 'heaplens.loadMore', arguments: [this] };
  }
}

/** A flat list read page by page. */
abstract class PagedTree<T> implements vscode.TreeDataProvider<vscode.TreeItem> {
  protected readonly changed = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  protected items: T[] = [];
  protected total = 0;
  private loadedFor: string | undefined;
  sortBy: string;

  constructor(protected readonly host: ClientHost, protected readonly views: Views, sortBy: string) {
    this.sortBy = sortBy;
  }

  protected abstract fetch(dump: string, offset: number): Promise<{ total: number; items: T[] }>;
  protected abstract row(item: T, dump: string): vscode.TreeItem;

  refresh(): void {
    this.loadedFor = undefined;
    this.items = [];
    this.changed.fire(undefined);
  }

  async getChildren(element?: vscode.TreeItem): Promise<vscode.TreeItem[]> {
    if (element) return this.childrenOf(element);
    const dump = this.views.activeDump;
    if (!dump) return [];
    if (this.loadedFor !== dump.path) {
      try {
        const r = await this.fetch(dump.path, 0);
        this.items = r.items;
        this.total = r.total;
        this.loadedFor = dump.path;
      } catch (e) {
        return [new vscode.TreeItem(`Could not read ${dump.path}: ${errorText(e)}`)];
      }
    }
    const rows = this.items.map((i) => this.row(i, dump.path));
    if (this.items.length < this.total) {
      rows.push(
        new MoreItem(async () => {
          const r = await this.fetch(dump.path, this.items.length);
          this.items.push(...r.items);
          this.total = r.total;
          this.changed.fire(undefined);
        }, this.items.length, this.total),
      );
    }
    return rows;
  }

  protected async childrenOf(_element: vscode.TreeItem): Promise<vscode.TreeItem[]> {
    return [];
  }

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }
}

export class SiteRow extends vscode.TreeItem {
  constructor(readonly dump: string, readonly site: SiteItem, sortBy: string) {
    const { label, description } = siteRow(site, sortBy);
    super(label, vscode.TreeItemCollapsibleState.None);
    this.description = description;
    this.tooltip = site.location ? undefined : `${label}: no line of the workspace; recorded at ${site.where || 'no source line'}`;
    this.iconPath = new vscode.ThemeIcon('symbol-event');
    this.contextValue = site.node !== undefined ? 'heaplens.object' : undefined;
    this.command = openCommand(site.location);
  }
  get node(): number | undefined {
    return this.site.node;
  }
}

export class SitesTree extends PagedTree<SiteItem> {
  constructor(host: ClientHost, views: Views) {
    super(host, views, 'live');
  }
  protected fetch(dump: string, offset: number) {
    return this.host.runningClient().sendRequest(TopSitesRequest.type, { dump, sortBy: this.sortBy, offset, limit: PageSize });
  }
  protected row(item: SiteItem, dump: string) {
    return new SiteRow(dump, item, this.sortBy);
  }
}

export class TypeRow extends vscode.TreeItem {
  constructor(readonly dump: string, readonly type: TypeItem) {
    const { label, description } = typeRow(type);
    super(label, type.node !== undefined ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.description = description;
    this.iconPath = new vscode.ThemeIcon(type.sizeDelta !== undefined && type.sizeDelta > 0 ? 'arrow-up' : 'symbol-class');
    this.contextValue = type.node !== undefined ? 'heaplens.object' : undefined;
    this.tooltip = type.node !== undefined ? 'Expand: why its largest instance is alive' : undefined;
  }
  get node(): number | undefined {
    return this.type.node;
  }
}

export class TypesTree extends PagedTree<TypeItem> {
  constructor(host: ClientHost, views: Views) {
    super(host, views, '');
  }
  protected fetch(dump: string, offset: number) {
    return this.host
      .runningClient()
      .sendRequest(TypesRequest.type, { dump, sortBy: this.sortBy || undefined, offset, limit: PageSize });
  }
  protected row(item: TypeItem, dump: string) {
    return new TypeRow(dump, item);
  }
  /** A type expands to the retention paths of its largest instance (and shows them in Retainers too). */
  protected async childrenOf(element: vscode.TreeItem): Promise<vscode.TreeItem[]> {
    if (!(element instanceof TypeRow) || element.node === undefined) return [];
    const children: vscode.TreeItem[] = [];
    if (element.type.location) {
      const decl = new vscode.TreeItem('Declared here', vscode.TreeItemCollapsibleState.None);
      decl.iconPath = new vscode.ThemeIcon('go-to-file');
      decl.command = openCommand(element.type.location);
      children.push(decl);
    }
    const result = await this.views.retainers.showFor(element.dump, element.node, `${element.type.type} (largest instance)`);
    for (const p of result.paths.slice(0, 1)) children.push(...p.steps.map((s, i) => stepItem(p, i)));
    return children;
  }
}

export class DominatorRow extends vscode.TreeItem {
  constructor(readonly dump: string, readonly item: DominatorItem, heapBytes: number) {
    const { label, description } = dominatorRow(item, heapBytes);
    super(label, item.children > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.description = description;
    this.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
    this.contextValue = 'heaplens.object';
    this.command = openCommand(item.location);
  }
  get node(): number {
    return this.item.node;
  }
}

export class DominatorsTree implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  // Children fetched so far per parent node (the roots' under -1), with their totals.
  private pages = new Map<number, { items: DominatorItem[]; total: number }>();
  private loadedFor: string | undefined;

  constructor(private readonly host: ClientHost, private readonly views: Views) {}

  refresh(): void {
    this.pages.clear();
    this.loadedFor = undefined;
    this.changed.fire(undefined);
  }

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }

  async getChildren(element?: vscode.TreeItem): Promise<vscode.TreeItem[]> {
    const dump = this.views.activeDump;
    if (!dump) return [];
    if (this.loadedFor !== dump.path) {
      this.pages.clear();
      this.loadedFor = dump.path;
    }
    const parent = element instanceof DominatorRow ? element.node : -1;
    if (element && !(element instanceof DominatorRow)) return [];
    const fetch = (offset: number) =>
      this.host.runningClient().sendRequest(DominatorsRequest.type, {
        dump: dump.path,
        node: parent >= 0 ? parent : undefined,
        offset,
        limit: PageSize,
      });
    let page = this.pages.get(parent);
    if (!page) {
      try {
        const r = await fetch(0);
        page = { items: r.items, total: r.total };
        this.pages.set(parent, page);
      } catch (e) {
        return [new vscode.TreeItem(`Could not read the dominator tree: ${errorText(e)}`)];
      }
    }
    const rows: vscode.TreeItem[] = page.items.map((i) => new DominatorRow(dump.path, i, dump.totalBytes));
    const current = page;
    if (current.items.length < current.total) {
      rows.push(
        new MoreItem(async () => {
          const r = await fetch(current.items.length);
          current.items.push(...r.items);
          current.total = r.total;
          this.changed.fire(element);
        }, current.items.length, current.total),
      );
    }
    return rows;
  }
}

/** One step of a retention path: its edge, what it is, and a jump to its line when it has one. */
function stepItem(path: RetainerPath, index: number): vscode.TreeItem {
  const s = path.steps[index];
  const name = s.label !== '' ? `${index === 0 ? '' : '.'}${s.label}` : s.description || s.type;
  const item = new vscode.TreeItem(index === 0 ? s.description || name : `${name} → ${s.description || s.type}`);
  item.description = `${formatBytes(s.size)} · retains ${formatBytes(s.retained)}`;
  item.iconPath = new vscode.ThemeIcon(s.location ? 'go-to-file' : index === 0 ? 'root-folder' : 'circle-small');
  item.command = openCommand(s.location);
  item.tooltip = s.location ? `${s.description} — click to open its line` : s.description;
  return item;
}

class PathRow extends vscode.TreeItem {
  constructor(readonly path: RetainerPath, index: number) {
    super(`Path ${index + 1}: ${path.steps.length} steps`, vscode.TreeItemCollapsibleState.Expanded);
    this.description = path.text;
    this.tooltip = path.text;
    this.iconPath = new vscode.ThemeIcon('references');
  }
}

export class RetainersTree implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private result: RetainersResult = { paths: [] };

  view: vscode.TreeView<vscode.TreeItem> | undefined;

  constructor(private readonly host: ClientHost, private readonly maxPaths: () => number) {}

  /** Shows the paths of a dump's node; answers them too. */
  async showFor(dump: string, node: number, subject: string): Promise<RetainersResult> {
    const answer = await this.host.runningClient().sendRequest(RetainersRequest.type, { dump, node, k: this.maxPaths() });
    const result = asRetainersResult(answer) ?? { paths: [] };
    this.show(result, subject);
    return result;
  }

  show(result: RetainersResult, subject: string): void {
    this.result = result;
    if (this.view) {
      this.view.description = subject;
      this.view.message = result.paths.length === 0 ? result.message ?? `No retention path for ${subject}.` : undefined;
    }
    this.changed.fire(undefined);
  }

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }

  getChildren(element?: vscode.TreeItem): vscode.TreeItem[] {
    if (!element) return this.result.paths.map((p, i) => new PathRow(p, i));
    if (element instanceof PathRow) return element.path.steps.map((_, i) => stepItem(element.path, i));
    return [];
  }
}

export class DumpRow extends vscode.TreeItem {
  constructor(readonly dump: DumpSummary, active: boolean) {
    const { label, description, tooltip } = dumpRow(dump);
    super(label, vscode.TreeItemCollapsibleState.None);
    this.description = description;
    this.tooltip = tooltip;
    this.resourceUri = vscode.Uri.file(dump.path);
    this.iconPath = new vscode.ThemeIcon(active ? 'pass-filled' : 'database');
    // Menus: every dump can be unloaded, reloaded, revealed, compared; these only when they apply.
    const flags = ['heaplens.dump'];
    if (dump.baseline) flags.push('baseline');
    if (dump.snapshotCount > 1) flags.push('snapshots');
    if (dump.parts.includes('timeline') || dump.parts.includes('pageMaps')) flags.push('pages');
    this.contextValue = flags.join('.');
  }
}

class DumpsTree implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  constructor(private readonly views: Views) {}
  refresh(): void {
    this.changed.fire(undefined);
  }
  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }
  getChildren(element?: vscode.TreeItem): vscode.TreeItem[] {
    if (element) return [];
    const active = this.views.activeDump?.path;
    const rows: vscode.TreeItem[] = this.views.dumps.map((d) => new DumpRow(d, d.path === active));
    for (const p of this.views.loading) {
      const row = new vscode.TreeItem(p.split('/').pop() ?? p);
      row.description = 'loading…';
      row.iconPath = new vscode.ThemeIcon('sync~spin');
      rows.push(row);
    }
    return rows;
  }
}

/** The side bar: the loaded dumps, the dump the lists show, and the five views. */
export class Views implements vscode.Disposable {
  dumps: DumpSummary[] = [];
  loading: string[] = [];
  private chosen: string | undefined;
  readonly dumpsTree = new DumpsTree(this);
  readonly sites: SitesTree;
  readonly types: TypesTree;
  readonly dominators: DominatorsTree;
  readonly retainers: RetainersTree;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(host: ClientHost, maxPaths: () => number) {
    this.sites = new SitesTree(host, this);
    this.types = new TypesTree(host, this);
    this.dominators = new DominatorsTree(host, this);
    this.retainers = new RetainersTree(host, maxPaths);
    const dumpsView = vscode.window.createTreeView('heaplens.dumps', { treeDataProvider: this.dumpsTree });
    dumpsView.onDidChangeSelection((e) => {
      const row = e.selection[0];
      if (row instanceof DumpRow) this.choose(row.dump.path);
    });
    this.retainers.view = vscode.window.createTreeView('heaplens.retainers', { treeDataProvider: this.retainers });
    this.disposables.push(
      dumpsView,
      this.retainers.view,
      vscode.window.createTreeView('heaplens.topSites', { treeDataProvider: this.sites }),
      vscode.window.createTreeView('heaplens.types', { treeDataProvider: this.types }),
      vscode.window.createTreeView('heaplens.dominators', { treeDataProvider: this.dominators }),
    );
  }

  /** The dump the lists show: the one chosen in the Dumps view while it is loaded, else the last loaded. */
  get activeDump(): DumpSummary | undefined {
    return this.dumps.find((d) => d.path === this.chosen) ?? this.dumps[this.dumps.length - 1];
  }

  choose(path: string): void {
    if (this.chosen === path) return;
    this.chosen = path;
    this.refreshLists();
  }

  /** What the server says is loaded: the views whose dump changed (a reload, a new baseline) are read again. */
  update(dumps: DumpSummary[], loading: string[]): void {
    const key = (ds: DumpSummary[]) => JSON.stringify(ds.map((d) => [d.path, d.snapshot, d.baseline ?? '', d.objects, d.executable ?? '']));
    const changed = key(dumps) !== key(this.dumps);
    this.dumps = dumps;
    this.loading = loading;
    this.dumpsTree.refresh();
    if (changed) this.refreshLists();
  }

  refreshLists(): void {
    this.dumpsTree.refresh();
    this.sites.refresh();
    this.types.refresh();
    this.dominators.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Any row that names an object of a dump (a site's, a type's largest instance, a dominator). */
export function objectOf(row: unknown): { dump: string; node: number; label: string } | undefined {
  if (row instanceof SiteRow || row instanceof TypeRow || row instanceof DominatorRow) {
    if (row.node === undefined) return undefined;
    return { dump: row.dump, node: row.node, label: String(row.label) };
  }
  return undefined;
}

export function loadMore(row: unknown): Promise<void> {
  return row instanceof MoreItem ? row.load() : Promise.resolve();
}
