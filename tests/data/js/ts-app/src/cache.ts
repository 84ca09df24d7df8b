// A cache whose entries are kept forever, and listeners whose closures hold a buffer each.

interface Sized {
  readonly bytes: number;
}

type Key = `${string}:${number}`;

export class CacheEntry implements Sized {
  readonly key: Key;
  readonly bytes: number;
  constructor(key: Key, bytes: number) {
    this.key = key;
    this.bytes = bytes;
  }
}

const entries = new Map<Key, CacheEntry>();

export function remember(name: string, index: number): CacheEntry {
  const key: Key = `${name}:${index}`;
  const entry = new CacheEntry(key, 64);
  entries.set(key, entry);
  return entry;
}

type Listener = (event: string) => number;
const listeners: Listener[] = [];

export function addListener(index: number): void {
  const buffer: number[] = new Array<number>(16).fill(index);
  const onEvent: Listener = (event: string): number => {
    return buffer.length + event.length;
  };
  listeners.push(onEvent);
}
