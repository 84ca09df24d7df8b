"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.BASELINE_LISTENERS = exports.BASELINE_ENTRIES = exports.BASELINE_SESSIONS = exports.LISTENERS = exports.ENTRIES = exports.SESSIONS = void 0;
// Opens SESSIONS sessions, remembers ENTRIES cache entries and adds LISTENERS listeners, all kept
// alive, then writes a heap snapshot to the path given as the first argument. Given a second path,
// it first writes a baseline there, after the first BASELINE_SESSIONS, BASELINE_ENTRIES and
// BASELINE_LISTENERS of them.
const v8_1 = require("v8");
const cache_1 = require("./cache");
const session_1 = require("./session");
exports.SESSIONS = 1500;
exports.ENTRIES = 700;
exports.LISTENERS = 300;
exports.BASELINE_SESSIONS = 500;
exports.BASELINE_ENTRIES = 200;
exports.BASELINE_LISTENERS = 100;
let sessions = 0;
let entries = 0;
let listeners = 0;
function growTo(sessionCount, entryCount, listenerCount) {
    for (; sessions < sessionCount; sessions++)
        (0, session_1.openSession)({ user: `user${sessions}`, scopes: ["read"], ttlSeconds: 60 }, sessions);
    for (; entries < entryCount; entries++)
        (0, cache_1.remember)("item", entries);
    for (; listeners < listenerCount; listeners++)
        (0, cache_1.addListener)(listeners);
}
function main(target, baseline) {
    if (baseline) {
        growTo(exports.BASELINE_SESSIONS, exports.BASELINE_ENTRIES, exports.BASELINE_LISTENERS);
        (0, v8_1.writeHeapSnapshot)(baseline);
    }
    growTo(exports.SESSIONS, exports.ENTRIES, exports.LISTENERS);
    (0, v8_1.writeHeapSnapshot)(target);
}
main(process.argv[2] ?? "app.heapsnapshot", process.argv[3]);
//# sourceMappingURL=main.js.map