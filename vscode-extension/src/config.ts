// config: typed access to the "heaplens" settings, validated, with defaults.
//
// Keeps the parsing pure: it reads through a `get(key)` source (VS Code's
// WorkspaceConfiguration fits, and so does a plain object in tests), so this
// module never loads 'vscode'. Bad values are not silently dropped: each one
// becomes a problem string the extension shows to the user, and the default is
// kept in its place.
import * as path from 'path';

export interface PathMapping {
  from: string;
  to: string;
}

export interface HeapLensSettings {
  /** Executable started as `<serverPath> serve`. */
  serverPath: string;
  pathMappings: PathMapping[];
  warningShare: number;
  hotspotShare: number;
  maxPaths: number;
  /** Absolute paths of dumps to load at start. */
  dumps: string[];
}

/** What the server receives in initializationOptions and didChangeConfiguration's `heaplens` key. */
export type ServerSettings = Omit<HeapLensSettings, 'serverPath'> & {
  /** The extension announces loads itself (a notification with actions), so the server's own message is off. */
  loadMessages: false;
};

export const Section = 'heaplens';

export const Defaults: Readonly<HeapLensSettings> = Object.freeze({
  serverPath: 'heaplens',
  pathMappings: [],
  warningShare: 0.1,
  hotspotShare: 0.005,
  maxPaths: 5,
  dumps: [],
});

/** Anything with VS Code's WorkspaceConfiguration.get shape. */
export interface SettingsSource {
  get(key: string): unknown;
}

export interface ParsedSettings {
  settings: HeapLensSettings;
  /** One line per rejected value, naming the setting, what was expected and what was kept. */
  problems: string[];
}

/** Reads and validates every setting; relative dump paths resolve against workspaceRoot. */
export function parseSettings(source: SettingsSource, workspaceRoot?: string): ParsedSettings {
  const problems: string[] = [];
  const reject = (key: string, expected: string, got: unknown, kept: unknown): void => {
    problems.push(`${Section}.${key}: expected ${expected}, got ${JSON.stringify(got)}; using ${JSON.stringify(kept)}`);
  };

  /** A single value: unset keeps the default quietly; one `read` refuses keeps it with a problem. */
  const scalar = <K extends 'serverPath' | 'warningShare' | 'hotspotShare' | 'maxPaths'>(
    key: K,
    expected: string,
    read: (raw: unknown) => HeapLensSettings[K] | undefined,
  ): HeapLensSettings[K] => {
    const raw = source.get(key);
    if (raw === undefined || raw === null) return Defaults[key];
    const value = read(raw);
    if (value !== undefined) return value;
    reject(key, expected, raw, Defaults[key]);
    return Defaults[key];
  };

  /** A list: unset or not an array is empty (the latter with a problem); each entry `read` refuses is skipped with one. */
  const list = <T>(key: 'pathMappings' | 'dumps', expected: string, expectedEntry: string, read: (entry: unknown) => T | undefined): T[] => {
    const raw = source.get(key);
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      reject(key, expected, raw, []);
      return [];
    }
    const values: T[] = [];
    raw.forEach((entry, i) => {
      const value = read(entry);
      if (value !== undefined) values.push(value);
      else problems.push(`${Section}.${key}[${i}]: expected ${expectedEntry}, got ${JSON.stringify(entry)}; entry skipped`);
    });
    return values;
  };

  // An emptied serverPath field means the default, not a mistake; whitespace only is still refused.
  const serverPath = scalar('serverPath', 'a non-empty string', (raw) => {
    if (raw === '') return Defaults.serverPath;
    return typeof raw === 'string' && raw.trim() !== '' ? expandHome(raw.trim()) : undefined;
  });
  const isShare = (raw: unknown): number | undefined =>
    typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= 1 ? raw : undefined;
  const warningShare = scalar('warningShare', 'a number from 0 to 1', isShare);
  const hotspotShare = scalar('hotspotShare', 'a number from 0 to 1', isShare);
  const maxPaths = scalar('maxPaths', 'an integer from 1 to 100', (raw) =>
    typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= 100 ? raw : undefined,
  );

  const pathMappings = list<PathMapping>('pathMappings', 'an array of {from, to}', '{"from": string, "to": string}', (m) => {
    const e = typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : undefined;
    return e && typeof e.from === 'string' && typeof e.to === 'string' && e.from !== '' ? { from: e.from, to: expandHome(e.to) } : undefined;
  });
  const dumps = list('dumps', 'an array of paths', 'a path', (d) =>
    typeof d === 'string' && d.trim() !== '' ? resolveDumpPath(d.trim(), workspaceRoot) : undefined,
  );

  return { settings: { serverPath, pathMappings, warningShare, hotspotShare, maxPaths, dumps }, problems };
}

/** The part of the settings the server cares about (it never sees serverPath). */
export function toServerSettings(settings: HeapLensSettings): ServerSettings {
  const { serverPath: _unused, ...rest } = settings;
  return { ...rest, loadMessages: false };
}

function expandHome(p: string): string {
  const home = process.env.HOME;
  if (home && (p === '~' || p.startsWith('~/'))) return path.join(home, p.slice(1));
  return p;
}

function resolveDumpPath(p: string, workspaceRoot?: string): string {
  const expanded = expandHome(p);
  if (path.isAbsolute(expanded) || !workspaceRoot) return expanded;
  return path.resolve(workspaceRoot, expanded);
}
