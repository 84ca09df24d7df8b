var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/main.ts
var main_exports = {};
__export(main_exports, {
  BASELINE_ENTRIES: () => BASELINE_ENTRIES,
  BASELINE_LISTENERS: () => BASELINE_LISTENERS,
  BASELINE_SESSIONS: () => BASELINE_SESSIONS,
  ENTRIES: () => ENTRIES,
  LISTENERS: () => LISTENERS,
  SESSIONS: () => SESSIONS
});
module.exports = __toCommonJS(main_exports);
var import_v8 = require("v8");

// src/cache.ts
var CacheEntry = class {
  key;
  bytes;
  constructor(key, bytes) {
    this.key = key;
    this.bytes = bytes;
  }
};
var entries = /* @__PURE__ */ new Map();
function remember(name, index) {
  const key = `${name}:${index}`;
  const entry = new CacheEntry(key, 64);
  entries.set(key, entry);
  return entry;
}
var listeners = [];
function addListener(index) {
  const buffer = new Array(16).fill(index);
  const onEvent = (event) => {
    return buffer.length + event.length;
  };
  listeners.push(onEvent);
}

// src/session.ts
var Session = class {
  user;
  scopes;
  openedAt;
  constructor(options, now) {
    this.user = options.user;
    this.scopes = options.scopes;
    this.openedAt = now;
  }
};
var registry = [];
function openSession(options, now) {
  const session = new Session(options, now);
  registry.push(session);
  return session;
}

// src/main.ts
var SESSIONS = 1500;
var ENTRIES = 700;
var LISTENERS = 300;
var BASELINE_SESSIONS = 500;
var BASELINE_ENTRIES = 200;
var BASELINE_LISTENERS = 100;
var sessions = 0;
var entries2 = 0;
var listeners2 = 0;
function growTo(sessionCount, entryCount, listenerCount) {
  for (; sessions < sessionCount; sessions++)
    openSession({ user: `user${sessions}`, scopes: ["read"], ttlSeconds: 60 }, sessions);
  for (; entries2 < entryCount; entries2++) remember("item", entries2);
  for (; listeners2 < listenerCount; listeners2++) addListener(listeners2);
}
function main(target, baseline) {
  if (baseline) {
    growTo(BASELINE_SESSIONS, BASELINE_ENTRIES, BASELINE_LISTENERS);
    (0, import_v8.writeHeapSnapshot)(baseline);
  }
  growTo(SESSIONS, ENTRIES, LISTENERS);
  (0, import_v8.writeHeapSnapshot)(target);
}
main(process.argv[2] ?? "app.heapsnapshot", process.argv[3]);
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  BASELINE_ENTRIES,
  BASELINE_LISTENERS,
  BASELINE_SESSIONS,
  ENTRIES,
  LISTENERS,
  SESSIONS
});
//# sourceMappingURL=bundle.js.map
