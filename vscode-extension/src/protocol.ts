// protocol: the HeapLens server's custom methods and commands, mirrored for the client.
//
// One place names every wire string the extension uses beyond plain LSP, with
// the shapes the server answers (rust-analyzer's lsp_ext.ts pattern). The
// server's C++ side is the source of truth; the Node protocol test sends these
// exact types to the real binary, so a rename on either side fails there.
// Imports only vscode-languageserver-protocol (no 'vscode'), so plain Node can
// load it.
import { RequestType, TextDocumentIdentifier, Position, Range } from 'vscode-languageserver-protocol';

/** workspace/executeCommand command ids the server lists in executeCommandProvider. */
export const Commands = {
  loadDump: 'heaplens.loadDump',
  unloadDump: 'heaplens.unloadDump',
  showRetainers: 'heaplens.showRetainers',
} as const;

/** Arguments of heaplens.loadDump: `[path]` or `[{path, snapshot}]`. */
export type LoadDumpArgument = string | { path: string; snapshot?: number };

/** What heaplens.loadDump answers, and one entry of heaplens/summary. */
export interface DumpSummary {
  format: string;
  path: string;
  objects: number;
  totalBytes: number;
  sites: number;
  /** Index of the snapshot loaded, for formats holding several (MoarVM). */
  snapshot?: number;
  snapshotCount?: number;
  warnings: string[];
  /** Why objects could not be put on source lines, when that is the case. */
  attributionProblem?: string;
}

export interface SummaryResult {
  dumps: DumpSummary[];
  /** Paths whose load is still running (from heaplens.dumps or another client request). */
  loading?: string[];
}

export const SummaryRequest = {
  method: 'heaplens/summary',
  type: new RequestType<Record<string, never> | null, SummaryResult, void>('heaplens/summary'),
} as const;

export interface RetainersParams {
  textDocument: TextDocumentIdentifier;
  position: Position;
  /** How many paths at most; the server's maxPaths setting otherwise. */
  k?: number;
}

export interface RetainerStep {
  /** Edge or root name that leads to this node (may be empty for anonymous slots). */
  label: string;
  /** What the node is, e.g. "64 B object (main.go:53)". */
  description?: string;
  /** "root" for the path's first step, "object" otherwise. */
  kind?: string;
  node: number;
  type: string;
  size: number;
  retained: number;
  location?: { uri: string; range: Range };
}

export interface RetainerPath {
  /** The dump the path was found in, when several are loaded. */
  dump?: string;
  steps: RetainerStep[];
}

export interface RetainersResult {
  paths: RetainerPath[];
}

export const RetainersRequest = {
  method: 'heaplens/retainers',
  type: new RequestType<RetainersParams, RetainersResult, void>('heaplens/retainers'),
} as const;

/** Diagnostics the server publishes carry this source. */
export const DiagnosticSource = 'heaplens';

/** Narrows an unknown server answer to a DumpSummary; throws with what was wrong. */
export function asDumpSummary(value: unknown, where = 'result'): DumpSummary {
  if (typeof value !== 'object' || value === null) {
    throw new Error(`${where}: expected a dump summary object, got ${describe(value)}`);
  }
  const v = value as Record<string, unknown>;
  for (const key of ['format', 'path'] as const) {
    if (typeof v[key] !== 'string') throw new Error(`${where}.${key}: expected a string, got ${describe(v[key])}`);
  }
  for (const key of ['objects', 'totalBytes'] as const) {
    if (typeof v[key] !== 'number') throw new Error(`${where}.${key}: expected a number, got ${describe(v[key])}`);
  }
  return {
    format: v.format as string,
    path: v.path as string,
    objects: v.objects as number,
    totalBytes: v.totalBytes as number,
    sites: typeof v.sites === 'number' ? v.sites : 0,
    snapshot: typeof v.snapshot === 'number' ? v.snapshot : undefined,
    snapshotCount: typeof v.snapshotCount === 'number' ? v.snapshotCount : undefined,
    warnings: Array.isArray(v.warnings) ? v.warnings.map(String) : [],
    attributionProblem: typeof v.attributionProblem === 'string' ? v.attributionProblem : undefined,
  };
}

/** Narrows a heaplens/summary answer: every dump checked as asDumpSummary does; lists it lacks are empty. */
export function asSummaryResult(value: unknown): Required<SummaryResult> {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const dumps = (Array.isArray(v.dumps) ? v.dumps : []).map((d, i) => asDumpSummary(d, `heaplens/summary dumps[${i}]`));
  const loading = Array.isArray(v.loading) ? v.loading.map(String) : [];
  return { dumps, loading };
}

/** Narrows a heaplens/retainers (or showRetainers) answer; undefined when it has no `paths` array. */
export function asRetainersResult(value: unknown): RetainersResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const paths = (value as Record<string, unknown>).paths;
  if (!Array.isArray(paths)) return undefined;
  return {
    paths: paths
      .filter((p): p is { steps: unknown[] } => typeof p === 'object' && p !== null && Array.isArray((p as { steps?: unknown }).steps))
      .map((p) => ({ steps: p.steps.filter((s): s is RetainerStep => typeof s === 'object' && s !== null) })),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
