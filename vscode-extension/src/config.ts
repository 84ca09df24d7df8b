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
export type ServerSettings = Omit<HeapLensSettings, 'serverPath'>;

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

  let serverPath = Defaults.serverPath;
  const rawServerPath = source.get('serverPath');
  if (rawServerPath !== undefined && rawServerPath !== null) {
    if (typeof rawServerPath === 'string' && rawServerPath.trim() !== '') serverPath = expandHome(rawServerPath.trim());
    else if (rawServerPath !== '') reject('serverPath', 'a non-empty string', rawServerPath, serverPath);
  }

  const share = (key: 'warningShare' | 'hotspotShare'): number => {
    const raw = source.get(key);
    if (raw === undefined || raw === null) return Defaults[key];
    if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= 1) return raw;
    reject(key, 'a number from 0 to 1', raw, Defaults[key]);
    return Defaults[key];
  };
  const warningShare = share('warningShare');
  const hotspotShare = share('hotspotShare');

  let maxPaths = Defaults.maxPaths;
  const rawMaxPaths = source.get('maxPaths');
  if (rawMaxPaths !== undefined && rawMaxPaths !== null) {
    if (typeof rawMaxPaths === 'number' && Number.isInteger(rawMaxPaths) && rawMaxPaths >= 1 && rawMaxPaths <= 100) maxPaths = rawMaxPaths;
    else reject('maxPaths', 'an integer from 1 to 100', rawMaxPaths, maxPaths);
  }

  const pathMappings: PathMapping[] = [];
  const rawMappings = source.get('pathMappings');
  if (rawMappings !== undefined && rawMappings !== null) {
    if (!Array.isArray(rawMappings)) {
      reject('pathMappings', 'an array of {from, to}', rawMappings, []);
    } else {
      rawMappings.forEach((m, i) => {
        const ok = typeof m === 'object' && m !== null && typeof m.from === 'string' && typeof m.to === 'string' && m.from !== '';
        if (ok) pathMappings.push({ from: m.from, to: expandHome(m.to) });
        else problems.push(`${Section}.pathMappings[${i}]: expected {"from": string, "to": string}, got ${JSON.stringify(m)}; entry skipped`);
      });
    }
  }

  const dumps: string[] = [];
  const rawDumps = source.get('dumps');
  if (rawDumps !== undefined && rawDumps !== null) {
    if (!Array.isArray(rawDumps)) {
      reject('dumps', 'an array of paths', rawDumps, []);
    } else {
      rawDumps.forEach((d, i) => {
        if (typeof d === 'string' && d.trim() !== '') dumps.push(resolveDumpPath(d.trim(), workspaceRoot));
        else problems.push(`${Section}.dumps[${i}]: expected a path, got ${JSON.stringify(d)}; entry skipped`);
      });
    }
  }

  return { settings: { serverPath, pathMappings, warningShare, hotspotShare, maxPaths, dumps }, problems };
}

/** The part of the settings the server cares about (it never sees serverPath). */
export function toServerSettings(settings: HeapLensSettings): ServerSettings {
  const { serverPath: _unused, ...rest } = settings;
  return rest;
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
