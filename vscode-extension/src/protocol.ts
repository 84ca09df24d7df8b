// protocol: the HeapLens server's custom methods and commands, mirrored for the client.
//
// One place names every wire string the extension uses beyond plain LSP, with
// the shapes the server answers (rust-analyzer's lsp_ext.ts pattern). The
// shapes themselves are generated from the server's C++ types
// (protocol.generated.ts, `npm run protocol`); a test fails when the committed
// file and the server's output differ. This file adds the request objects and
// the narrowing of untrusted answers.
// Imports only vscode-languageserver-protocol (no 'vscode'), so plain Node can
// load it.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

import type {
  BrowseParams,
  DominatorsResult,
  DumpSummary,
  FormatsResult,
  PageDumpHtmlParams,
  PageDumpHtmlResult,
  RetainersParams,
  RetainersResult,
  RetainerStep,
  SummaryResult,
  TopSitesResult,
  TypesResult,
} from './protocol.generated';
export * from './protocol.generated';

/** Arguments of heaplens.loadDump: `[path]` or `[{path, snapshot}]` (LoadDumpArgument). */
export type LoadDumpArg = string | import('./protocol.generated').LoadDumpArgument;

export const SummaryRequest = {
  method: 'heaplens/summary',
  type: new RequestType<Record<string, never> | null, SummaryResult, void>('heaplens/summary'),
} as const;

export const RetainersRequest = {
  method: 'heaplens/retainers',
  type: new RequestType<RetainersParams, RetainersResult, void>('heaplens/retainers'),
} as const;

export const FormatsRequest = {
  method: 'heaplens/formats',
  type: new RequestType<Record<string, never> | null, FormatsResult, void>('heaplens/formats'),
} as const;

export const TopSitesRequest = {
  method: 'heaplens/topSites',
  type: new RequestType<BrowseParams, TopSitesResult, void>('heaplens/topSites'),
} as const;

export const TypesRequest = {
  method: 'heaplens/types',
  type: new RequestType<BrowseParams, TypesResult, void>('heaplens/types'),
} as const;

export const DominatorsRequest = {
  method: 'heaplens/dominators',
  type: new RequestType<BrowseParams, DominatorsResult, void>('heaplens/dominators'),
} as const;

export const PageDumpHtmlRequest = {
  method: 'heaplens/pageDumpHtml',
  type: new RequestType<PageDumpHtmlParams, PageDumpHtmlResult, void>('heaplens/pageDumpHtml'),
} as const;

/** Sent by the server whenever what is loaded or loading changes: the status bar and the Dumps view follow it. */
export const DumpsChangedNotification = {
  method: 'heaplens/dumpsChanged',
  type: new NotificationType<SummaryResult>('heaplens/dumpsChanged'),
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
    description: typeof v.description === 'string' ? v.description : '',
    path: v.path as string,
    objects: v.objects as number,
    totalBytes: v.totalBytes as number,
    sites: typeof v.sites === 'number' ? v.sites : 0,
    unreachableObjects: typeof v.unreachableObjects === 'number' ? v.unreachableObjects : 0,
    snapshot: typeof v.snapshot === 'number' ? v.snapshot : null,
    snapshotCount: typeof v.snapshotCount === 'number' ? v.snapshotCount : 0,
    parts: Array.isArray(v.parts) ? v.parts.map(String) : [],
    warnings: Array.isArray(v.warnings) ? v.warnings.map(String) : [],
    attributionProblem: typeof v.attributionProblem === 'string' ? v.attributionProblem : undefined,
    baseline: typeof v.baseline === 'string' ? v.baseline : undefined,
    executable: typeof v.executable === 'string' ? v.executable : undefined,
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
      .filter((p): p is Record<string, unknown> & { steps: unknown[] } =>
        typeof p === 'object' && p !== null && Array.isArray((p as { steps?: unknown }).steps))
      .map((p) => ({
        dump: typeof p.dump === 'string' ? p.dump : '',
        text: typeof p.text === 'string' ? p.text : '',
        throughInterGenerational: p.throughInterGenerational === true,
        steps: p.steps.filter((s): s is RetainerStep => typeof s === 'object' && s !== null),
      })),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
