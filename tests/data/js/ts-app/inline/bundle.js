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
//# sourceMappingURL=data:application/json;base64,ewogICJ2ZXJzaW9uIjogMywKICAic291cmNlcyI6IFsiLi4vc3JjL21haW4udHMiLCAiLi4vc3JjL2NhY2hlLnRzIiwgIi4uL3NyYy9zZXNzaW9uLnRzIl0sCiAgInNvdXJjZXNDb250ZW50IjogWyIvLyBPcGVucyBTRVNTSU9OUyBzZXNzaW9ucywgcmVtZW1iZXJzIEVOVFJJRVMgY2FjaGUgZW50cmllcyBhbmQgYWRkcyBMSVNURU5FUlMgbGlzdGVuZXJzLCBhbGwga2VwdFxuLy8gYWxpdmUsIHRoZW4gd3JpdGVzIGEgaGVhcCBzbmFwc2hvdCB0byB0aGUgcGF0aCBnaXZlbiBhcyB0aGUgZmlyc3QgYXJndW1lbnQuIEdpdmVuIGEgc2Vjb25kIHBhdGgsXG4vLyBpdCBmaXJzdCB3cml0ZXMgYSBiYXNlbGluZSB0aGVyZSwgYWZ0ZXIgdGhlIGZpcnN0IEJBU0VMSU5FX1NFU1NJT05TLCBCQVNFTElORV9FTlRSSUVTIGFuZFxuLy8gQkFTRUxJTkVfTElTVEVORVJTIG9mIHRoZW0uXG5pbXBvcnQgeyB3cml0ZUhlYXBTbmFwc2hvdCB9IGZyb20gXCJ2OFwiO1xuXG5pbXBvcnQgeyBhZGRMaXN0ZW5lciwgcmVtZW1iZXIgfSBmcm9tIFwiLi9jYWNoZVwiO1xuaW1wb3J0IHsgb3BlblNlc3Npb24gfSBmcm9tIFwiLi9zZXNzaW9uXCI7XG5cbmV4cG9ydCBjb25zdCBTRVNTSU9OUyA9IDE1MDA7XG5leHBvcnQgY29uc3QgRU5UUklFUyA9IDcwMDtcbmV4cG9ydCBjb25zdCBMSVNURU5FUlMgPSAzMDA7XG5leHBvcnQgY29uc3QgQkFTRUxJTkVfU0VTU0lPTlMgPSA1MDA7XG5leHBvcnQgY29uc3QgQkFTRUxJTkVfRU5UUklFUyA9IDIwMDtcbmV4cG9ydCBjb25zdCBCQVNFTElORV9MSVNURU5FUlMgPSAxMDA7XG5cbmxldCBzZXNzaW9ucyA9IDA7XG5sZXQgZW50cmllcyA9IDA7XG5sZXQgbGlzdGVuZXJzID0gMDtcblxuZnVuY3Rpb24gZ3Jvd1RvKHNlc3Npb25Db3VudDogbnVtYmVyLCBlbnRyeUNvdW50OiBudW1iZXIsIGxpc3RlbmVyQ291bnQ6IG51bWJlcik6IHZvaWQge1xuICBmb3IgKDsgc2Vzc2lvbnMgPCBzZXNzaW9uQ291bnQ7IHNlc3Npb25zKyspXG4gICAgb3BlblNlc3Npb24oeyB1c2VyOiBgdXNlciR7c2Vzc2lvbnN9YCwgc2NvcGVzOiBbXCJyZWFkXCJdLCB0dGxTZWNvbmRzOiA2MCB9LCBzZXNzaW9ucyk7XG4gIGZvciAoOyBlbnRyaWVzIDwgZW50cnlDb3VudDsgZW50cmllcysrKSByZW1lbWJlcihcIml0ZW1cIiwgZW50cmllcyk7XG4gIGZvciAoOyBsaXN0ZW5lcnMgPCBsaXN0ZW5lckNvdW50OyBsaXN0ZW5lcnMrKykgYWRkTGlzdGVuZXIobGlzdGVuZXJzKTtcbn1cblxuZnVuY3Rpb24gbWFpbih0YXJnZXQ6IHN0cmluZywgYmFzZWxpbmU6IHN0cmluZyB8IHVuZGVmaW5lZCk6IHZvaWQge1xuICBpZiAoYmFzZWxpbmUpIHtcbiAgICBncm93VG8oQkFTRUxJTkVfU0VTU0lPTlMsIEJBU0VMSU5FX0VOVFJJRVMsIEJBU0VMSU5FX0xJU1RFTkVSUyk7XG4gICAgd3JpdGVIZWFwU25hcHNob3QoYmFzZWxpbmUpO1xuICB9XG4gIGdyb3dUbyhTRVNTSU9OUywgRU5UUklFUywgTElTVEVORVJTKTtcbiAgd3JpdGVIZWFwU25hcHNob3QodGFyZ2V0KTtcbn1cblxubWFpbihwcm9jZXNzLmFyZ3ZbMl0gPz8gXCJhcHAuaGVhcHNuYXBzaG90XCIsIHByb2Nlc3MuYXJndlszXSk7XG4iLCAiLy8gQSBjYWNoZSB3aG9zZSBlbnRyaWVzIGFyZSBrZXB0IGZvcmV2ZXIsIGFuZCBsaXN0ZW5lcnMgd2hvc2UgY2xvc3VyZXMgaG9sZCBhIGJ1ZmZlciBlYWNoLlxuXG5pbnRlcmZhY2UgU2l6ZWQge1xuICByZWFkb25seSBieXRlczogbnVtYmVyO1xufVxuXG50eXBlIEtleSA9IGAke3N0cmluZ306JHtudW1iZXJ9YDtcblxuZXhwb3J0IGNsYXNzIENhY2hlRW50cnkgaW1wbGVtZW50cyBTaXplZCB7XG4gIHJlYWRvbmx5IGtleTogS2V5O1xuICByZWFkb25seSBieXRlczogbnVtYmVyO1xuICBjb25zdHJ1Y3RvcihrZXk6IEtleSwgYnl0ZXM6IG51bWJlcikge1xuICAgIHRoaXMua2V5ID0ga2V5O1xuICAgIHRoaXMuYnl0ZXMgPSBieXRlcztcbiAgfVxufVxuXG5jb25zdCBlbnRyaWVzID0gbmV3IE1hcDxLZXksIENhY2hlRW50cnk+KCk7XG5cbmV4cG9ydCBmdW5jdGlvbiByZW1lbWJlcihuYW1lOiBzdHJpbmcsIGluZGV4OiBudW1iZXIpOiBDYWNoZUVudHJ5IHtcbiAgY29uc3Qga2V5OiBLZXkgPSBgJHtuYW1lfToke2luZGV4fWA7XG4gIGNvbnN0IGVudHJ5ID0gbmV3IENhY2hlRW50cnkoa2V5LCA2NCk7XG4gIGVudHJpZXMuc2V0KGtleSwgZW50cnkpO1xuICByZXR1cm4gZW50cnk7XG59XG5cbnR5cGUgTGlzdGVuZXIgPSAoZXZlbnQ6IHN0cmluZykgPT4gbnVtYmVyO1xuY29uc3QgbGlzdGVuZXJzOiBMaXN0ZW5lcltdID0gW107XG5cbmV4cG9ydCBmdW5jdGlvbiBhZGRMaXN0ZW5lcihpbmRleDogbnVtYmVyKTogdm9pZCB7XG4gIGNvbnN0IGJ1ZmZlcjogbnVtYmVyW10gPSBuZXcgQXJyYXk8bnVtYmVyPigxNikuZmlsbChpbmRleCk7XG4gIGNvbnN0IG9uRXZlbnQ6IExpc3RlbmVyID0gKGV2ZW50OiBzdHJpbmcpOiBudW1iZXIgPT4ge1xuICAgIHJldHVybiBidWZmZXIubGVuZ3RoICsgZXZlbnQubGVuZ3RoO1xuICB9O1xuICBsaXN0ZW5lcnMucHVzaChvbkV2ZW50KTtcbn1cbiIsICIvLyBTZXNzaW9ucyB0aGF0IGFyZSBvcGVuZWQgYW5kIG5ldmVyIGNsb3NlZDogZXZlcnkgb25lIHN0YXlzIGluIHRoZSByZWdpc3RyeS5cbi8vIFRoZSB0eXBlIGRlY2xhcmF0aW9ucyBiZWxvdyB2YW5pc2ggZnJvbSB0aGUgY29tcGlsZWQgSmF2YVNjcmlwdCwgc28gdGhlXG4vLyBjbGFzcydzIGxpbmUgaW4gc2Vzc2lvbi5qcyBpcyBub3QgaXRzIGxpbmUgaGVyZS5cblxuZXhwb3J0IHR5cGUgVXNlcklkID0gc3RyaW5nO1xuXG5leHBvcnQgaW50ZXJmYWNlIFNlc3Npb25PcHRpb25zIHtcbiAgdXNlcjogVXNlcklkO1xuICBzY29wZXM6IHN0cmluZ1tdO1xuICB0dGxTZWNvbmRzOiBudW1iZXI7XG59XG5cbmV4cG9ydCBjbGFzcyBTZXNzaW9uIHtcbiAgcmVhZG9ubHkgdXNlcjogVXNlcklkO1xuICByZWFkb25seSBzY29wZXM6IHN0cmluZ1tdO1xuICByZWFkb25seSBvcGVuZWRBdDogbnVtYmVyO1xuICBjb25zdHJ1Y3RvcihvcHRpb25zOiBTZXNzaW9uT3B0aW9ucywgbm93OiBudW1iZXIpIHtcbiAgICB0aGlzLnVzZXIgPSBvcHRpb25zLnVzZXI7XG4gICAgdGhpcy5zY29wZXMgPSBvcHRpb25zLnNjb3BlcztcbiAgICB0aGlzLm9wZW5lZEF0ID0gbm93O1xuICB9XG59XG5cbmNvbnN0IHJlZ2lzdHJ5OiBTZXNzaW9uW10gPSBbXTtcblxuZXhwb3J0IGZ1bmN0aW9uIG9wZW5TZXNzaW9uKG9wdGlvbnM6IFNlc3Npb25PcHRpb25zLCBub3c6IG51bWJlcik6IFNlc3Npb24ge1xuICBjb25zdCBzZXNzaW9uID0gbmV3IFNlc3Npb24ob3B0aW9ucywgbm93KTtcbiAgcmVnaXN0cnkucHVzaChzZXNzaW9uKTsgIC8vIHRoZSBsZWFrOiBub3RoaW5nIGV2ZXIgcmVtb3ZlcyBpdFxuICByZXR1cm4gc2Vzc2lvbjtcbn1cblxuZXhwb3J0IGZ1bmN0aW9uIG9wZW5TZXNzaW9ucygpOiBudW1iZXIge1xuICByZXR1cm4gcmVnaXN0cnkubGVuZ3RoO1xufVxuIl0sCiAgIm1hcHBpbmdzIjogIjs7Ozs7Ozs7Ozs7Ozs7Ozs7OztBQUFBO0FBQUE7QUFBQTtBQUFBO0FBQUE7QUFBQTtBQUFBO0FBQUE7QUFBQTtBQUFBO0FBSUEsZ0JBQWtDOzs7QUNJM0IsSUFBTSxhQUFOLE1BQWtDO0FBQUEsRUFDOUI7QUFBQSxFQUNBO0FBQUEsRUFDVCxZQUFZLEtBQVUsT0FBZTtBQUNuQyxTQUFLLE1BQU07QUFDWCxTQUFLLFFBQVE7QUFBQSxFQUNmO0FBQ0Y7QUFFQSxJQUFNLFVBQVUsb0JBQUksSUFBcUI7QUFFbEMsU0FBUyxTQUFTLE1BQWMsT0FBMkI7QUFDaEUsUUFBTSxNQUFXLEdBQUcsSUFBSSxJQUFJLEtBQUs7QUFDakMsUUFBTSxRQUFRLElBQUksV0FBVyxLQUFLLEVBQUU7QUFDcEMsVUFBUSxJQUFJLEtBQUssS0FBSztBQUN0QixTQUFPO0FBQ1Q7QUFHQSxJQUFNLFlBQXdCLENBQUM7QUFFeEIsU0FBUyxZQUFZLE9BQXFCO0FBQy9DLFFBQU0sU0FBbUIsSUFBSSxNQUFjLEVBQUUsRUFBRSxLQUFLLEtBQUs7QUFDekQsUUFBTSxVQUFvQixDQUFDLFVBQTBCO0FBQ25ELFdBQU8sT0FBTyxTQUFTLE1BQU07QUFBQSxFQUMvQjtBQUNBLFlBQVUsS0FBSyxPQUFPO0FBQ3hCOzs7QUN2Qk8sSUFBTSxVQUFOLE1BQWM7QUFBQSxFQUNWO0FBQUEsRUFDQTtBQUFBLEVBQ0E7QUFBQSxFQUNULFlBQVksU0FBeUIsS0FBYTtBQUNoRCxTQUFLLE9BQU8sUUFBUTtBQUNwQixTQUFLLFNBQVMsUUFBUTtBQUN0QixTQUFLLFdBQVc7QUFBQSxFQUNsQjtBQUNGO0FBRUEsSUFBTSxXQUFzQixDQUFDO0FBRXRCLFNBQVMsWUFBWSxTQUF5QixLQUFzQjtBQUN6RSxRQUFNLFVBQVUsSUFBSSxRQUFRLFNBQVMsR0FBRztBQUN4QyxXQUFTLEtBQUssT0FBTztBQUNyQixTQUFPO0FBQ1Q7OztBRnBCTyxJQUFNLFdBQVc7QUFDakIsSUFBTSxVQUFVO0FBQ2hCLElBQU0sWUFBWTtBQUNsQixJQUFNLG9CQUFvQjtBQUMxQixJQUFNLG1CQUFtQjtBQUN6QixJQUFNLHFCQUFxQjtBQUVsQyxJQUFJLFdBQVc7QUFDZixJQUFJQSxXQUFVO0FBQ2QsSUFBSUMsYUFBWTtBQUVoQixTQUFTLE9BQU8sY0FBc0IsWUFBb0IsZUFBNkI7QUFDckYsU0FBTyxXQUFXLGNBQWM7QUFDOUIsZ0JBQVksRUFBRSxNQUFNLE9BQU8sUUFBUSxJQUFJLFFBQVEsQ0FBQyxNQUFNLEdBQUcsWUFBWSxHQUFHLEdBQUcsUUFBUTtBQUNyRixTQUFPRCxXQUFVLFlBQVlBLFdBQVcsVUFBUyxRQUFRQSxRQUFPO0FBQ2hFLFNBQU9DLGFBQVksZUFBZUEsYUFBYSxhQUFZQSxVQUFTO0FBQ3RFO0FBRUEsU0FBUyxLQUFLLFFBQWdCLFVBQW9DO0FBQ2hFLE1BQUksVUFBVTtBQUNaLFdBQU8sbUJBQW1CLGtCQUFrQixrQkFBa0I7QUFDOUQscUNBQWtCLFFBQVE7QUFBQSxFQUM1QjtBQUNBLFNBQU8sVUFBVSxTQUFTLFNBQVM7QUFDbkMsbUNBQWtCLE1BQU07QUFDMUI7QUFFQSxLQUFLLFFBQVEsS0FBSyxDQUFDLEtBQUssb0JBQW9CLFFBQVEsS0FBSyxDQUFDLENBQUM7IiwKICAibmFtZXMiOiBbImVudHJpZXMiLCAibGlzdGVuZXJzIl0KfQo=
