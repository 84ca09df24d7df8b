// format: the text the extension shows (status bar, pick lists), kept free of 'vscode'.
//
// Pure functions over protocol values, so plain Node tests can check exactly
// what a user will read. Numbers use thousands separators fixed to en-US so
// the output does not depend on the machine's locale.
import * as path from 'path';
import { DominatorItem, DumpSummary, RetainerPath, RetainerStep, SiteItem, TypeItem } from './protocol';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return integer.format(n);
}

/** 1536 -> "1.5 KiB"; binary units because heap sizes are powers of two. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${integer.format(value)} B`;
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** The one plural rule, as the server has it: "1 object", "21,440 objects". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The file name of a dump, as the user knows it. */
export function dumpName(summary: Pick<DumpSummary, 'path' | 'snapshot' | 'snapshotCount'>): string {
  const base = path.basename(summary.path);
  // The server's convention, everywhere a person reads it: 1-based, "2 of 7".
  if (summary.snapshotCount > 1 && typeof summary.snapshot === 'number') {
    return `${base} (snapshot ${summary.snapshot + 1} of ${summary.snapshotCount})`;
  }
  return base;
}

export interface StatusText {
  text: string;
  tooltip: string;
}

/**
 * Status bar item: "$(database) leakcache.heapdump · 21,206 objects", or "3 dumps" (never a sum) when several are
 * loaded; a spinning icon and the file names while loads are running.
 */
export function statusText(dumps: DumpSummary[], loading: string[] = []): StatusText {
  if (loading.length > 0) {
    const names = loading.map((p) => path.basename(p));
    const loaded = dumps.length > 0 ? `\n\nLoaded:\n${dumps.map((d) => dumpName(d)).join('\n')}` : '';
    return { text: `$(sync~spin) HeapLens: loading ${names.join(', ')}`, tooltip: `Loading ${loading.join(', ')}${loaded}` };
  }
  if (dumps.length === 0) {
    return { text: '$(database) HeapLens: no dump', tooltip: 'No heap dump loaded. Click to open one.' };
  }
  // Several dumps are counted, never summed: objects of unrelated heaps do not add up.
  const head = dumps.length === 1 ? `${dumpName(dumps[0])} · ${plural(dumps[0].objects, 'object')}` : `${dumps.length} dumps`;
  const lines = dumps.map((d) => {
    let line = `${dumpName(d)} (${d.format}): ${plural(d.objects, 'object')}, ${formatBytes(d.totalBytes)}, ${plural(d.sites, 'allocation site')}`;
    if (d.attributionProblem) line += ` — ${d.attributionProblem}`;
    if (d.warnings.length > 0) line += ` — ${plural(d.warnings.length, 'warning')}`;
    return line;
  });
  return { text: `$(database) ${head}`, tooltip: lines.join('\n') };
}

/** One line a user reads after loading a dump. */
export function loadedMessage(d: DumpSummary): string {
  let msg = `HeapLens: loaded ${dumpName(d)} (${d.format}): ${plural(d.objects, 'object')}, ${formatBytes(d.totalBytes)}, ${plural(d.sites, 'allocation site')}.`;
  if (d.attributionProblem) msg += ` ${d.attributionProblem}`;
  return msg;
}

export interface StepItem {
  label: string;
  description: string;
  detail?: string;
  step: RetainerStep;
}

/** Quick-pick rows for retention paths: one row per step, from the root (first) to the object. */
export function retainerItems(paths: RetainerPath[]): StepItem[] {
  const items: StepItem[] = [];
  paths.forEach((p, pi) => {
    p.steps.forEach((s, si) => {
      const arrow = si === 0 ? `path ${pi + 1}:` : '  →';
      const name = s.label !== '' ? s.label : s.description ?? s.type;
      items.push({
        label: `${arrow} ${name}`,
        description: `${s.description ?? s.type} · ${formatBytes(s.size)} · retains ${formatBytes(s.retained)}`,
        detail: s.location ? locationText(s.location.uri, s.location.range.start.line) : undefined,
        step: s,
      });
    });
  });
  return items;
}

function locationText(uri: string, line: number): string {
  let file = uri;
  try {
    file = decodeURIComponent(new URL(uri).pathname);
  } catch {
    // not a URL; show it as is
  }
  return `${path.basename(file)}:${line + 1}`;
}

/** The message of whatever a failed request or command threw. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** "+2,000" / "-5" / "0". */
export function signedCount(n: number): string {
  return `${n > 0 ? '+' : ''}${formatCount(n)}`;
}

/** "+78.1 KiB" / "-1.5 MiB". */
export function signedBytes(n: number): string {
  return `${n > 0 ? '+' : n < 0 ? '-' : ''}${formatBytes(Math.abs(n))}`;
}

/** A Dumps view row: the file name, then format, size, snapshot, and what it is compared with. */
export function dumpRow(d: DumpSummary): { label: string; description: string; tooltip: string } {
  const parts = [d.format, formatBytes(d.totalBytes)];
  if (d.objects > 0) parts.push(plural(d.objects, 'object'));
  if (d.baseline) parts.push(`vs ${path.basename(d.baseline)}`);
  if (d.executable) parts.push(`with ${path.basename(d.executable)}`);
  const tooltip = [
    d.path,
    d.description,
    d.snapshotCount > 1 && typeof d.snapshot === 'number' ? `snapshot ${d.snapshot + 1} of ${d.snapshotCount}` : '',
    d.baseline ? `compared with the baseline ${d.baseline}` : '',
    d.executable ? `executable: ${d.executable}` : '',
    ...d.warnings.map((w) => `warning: ${w}`),
  ].filter((s) => s !== '');
  return { label: dumpName(d), description: parts.join(' · '), tooltip: tooltip.join('\n') };
}

/** A Top sites row: "main.fillCache" with "main.go:53 · 625 KiB · 10,000 objects". */
export function siteRow(s: SiteItem, sortBy: string): { label: string; description: string } {
  const figure =
    sortBy === 'retained' ? `retains ${formatBytes(s.retainedBytes)}` : sortBy === 'count' ? plural(s.count, 'object') : formatBytes(s.shallowBytes);
  const rest = sortBy === 'count' ? formatBytes(s.shallowBytes) : plural(s.count, 'object');
  return { label: s.function || '(no source)', description: [s.where || '(no source line)', figure, rest].join(' · ') };
}

/** A Types row: "SessionState" with "2,100 · 82.0 KiB · retains 1.2 MiB · grew +2,000 (+78.1 KiB)". */
export function typeRow(t: TypeItem): { label: string; description: string } {
  const parts = [formatCount(t.count), formatBytes(t.shallowBytes)];
  if (t.retainedBytes > 0) parts.push(`retains ${formatBytes(t.retainedBytes)}`);
  if (t.countDelta !== undefined || t.sizeDelta !== undefined) {
    parts.push(`grew ${signedCount(t.countDelta ?? 0)} (${signedBytes(t.sizeDelta ?? 0)})`);
  }
  return { label: t.type, description: parts.join(' · ') };
}

/** A Dominators row: the node, its retained size and its share of the heap. */
export function dominatorRow(d: DominatorItem, heapBytes: number): { label: string; description: string } {
  const share = heapBytes > 0 ? ` · ${((100 * d.retained) / heapBytes).toFixed(1)}%` : '';
  return { label: d.description || d.type, description: `retains ${formatBytes(d.retained)}${share}` };
}
