// Opens SESSIONS sessions, remembers ENTRIES cache entries and adds LISTENERS listeners, all kept
// alive, then writes a heap snapshot to the path given as the first argument. Given a second path,
// it first writes a baseline there, after the first BASELINE_SESSIONS, BASELINE_ENTRIES and
// BASELINE_LISTENERS of them.
import { writeHeapSnapshot } from "v8";

import { addListener, remember } from "./cache";
import { openSession } from "./session";

export const SESSIONS = 1500;
export const ENTRIES = 700;
export const LISTENERS = 300;
export const BASELINE_SESSIONS = 500;
export const BASELINE_ENTRIES = 200;
export const BASELINE_LISTENERS = 100;

let sessions = 0;
let entries = 0;
let listeners = 0;

function growTo(sessionCount: number, entryCount: number, listenerCount: number): void {
  for (; sessions < sessionCount; sessions++)
    openSession({ user: `user${sessions}`, scopes: ["read"], ttlSeconds: 60 }, sessions);
  for (; entries < entryCount; entries++) remember("item", entries);
  for (; listeners < listenerCount; listeners++) addListener(listeners);
}

function main(target: string, baseline: string | undefined): void {
  if (baseline) {
    growTo(BASELINE_SESSIONS, BASELINE_ENTRIES, BASELINE_LISTENERS);
    writeHeapSnapshot(baseline);
  }
  growTo(SESSIONS, ENTRIES, LISTENERS);
  writeHeapSnapshot(target);
}

main(process.argv[2] ?? "app.heapsnapshot", process.argv[3]);
