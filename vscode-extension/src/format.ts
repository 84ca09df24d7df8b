// format: the text the extension shows (status bar, pick lists), kept free of 'vscode'.
//
// Pure functions over protocol values, so plain Node tests can check exactly
// what a user will read. Numbers use thousands separators fixed to en-US so
// the output does not depend on the machine's locale.
import * as path from 'path';
import { DumpSummary, RetainerPath, RetainerStep } from './protocol';

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
 * Status bar item: "$(database) leakcache.heapdump · 21,206 objects", or a count when several are
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
  const objects = dumps.reduce((sum, d) => sum + d.objects, 0);

  const head = dumps.length === 1 ? dumpName(dumps[0]) : `${dumps.length} dumps`;
  const lines = dumps.map((d) => {
    let line = `${dumpName(d)} (${d.format}): ${plural(d.objects, 'object')}, ${formatBytes(d.totalBytes)}, ${plural(d.sites, 'allocation site')}`;
    if (d.attributionProblem) line += ` — ${d.attributionProblem}`;
    if (d.warnings.length > 0) line += ` — ${plural(d.warnings.length, 'warning')}`;
    return line;
  });
  return { text: `$(database) ${head} · ${plural(objects, 'object')}`, tooltip: lines.join('\n') };
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
