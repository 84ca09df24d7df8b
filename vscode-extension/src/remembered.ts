// remembered: the dumps a workspace had loaded, kept in workspace state so they come back.
//
// After a server restart (by the user, or vscode-languageclient's own after a
// crash) or a window reload, the extension loads these again, with their
// snapshot, baseline and executable. Pure functions over plain values, so the
// rules are tested without 'vscode'.
import type { LoadDumpArgument } from './protocol';

export const StateKey = 'heaplens.loadedDumps';

/** A successful load: replaces the entry of the same path (its snapshot, baseline or executable changed). */
export function remember(list: readonly LoadDumpArgument[], loaded: LoadDumpArgument): LoadDumpArgument[] {
  const entry: LoadDumpArgument = { path: loaded.path };
  if (loaded.snapshot !== undefined) entry.snapshot = loaded.snapshot;
  if (loaded.baseline) entry.baseline = loaded.baseline;
  if (loaded.executable) entry.executable = loaded.executable;
  return [...list.filter((d) => d.path !== loaded.path), entry];
}

/** An unload: the dump is not loaded again. */
export function forget(list: readonly LoadDumpArgument[], path: string): LoadDumpArgument[] {
  return list.filter((d) => d.path !== path);
}

/** What to load after a (re)start: remembered dumps the server does not have (or is loading), in load order. */
export function toRestore(list: readonly LoadDumpArgument[], present: readonly string[]): LoadDumpArgument[] {
  const have = new Set(present);
  return list.filter((d) => !have.has(d.path));
}

/** Narrows what workspace state holds (it may come from an older version): entries with a string path. */
export function asRemembered(value: unknown): LoadDumpArgument[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && typeof (v as { path?: unknown }).path === 'string')
    .map((v) => {
      const d: LoadDumpArgument = { path: v.path as string };
      if (typeof v.snapshot === 'number') d.snapshot = v.snapshot;
      if (typeof v.baseline === 'string') d.baseline = v.baseline;
      if (typeof v.executable === 'string') d.executable = v.executable;
      return d;
    });
}
