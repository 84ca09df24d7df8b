"use strict";
// A cache whose entries are kept forever, and listeners whose closures hold a buffer each.
Object.defineProperty(exports, "__esModule", { value: true });
exports.CacheEntry = void 0;
exports.remember = remember;
exports.addListener = addListener;
class CacheEntry {
    constructor(key, bytes) {
        this.key = key;
        this.bytes = bytes;
    }
}
exports.CacheEntry = CacheEntry;
const entries = new Map();
function remember(name, index) {
    const key = `${name}:${index}`;
    const entry = new CacheEntry(key, 64);
    entries.set(key, entry);
    return entry;
}
const listeners = [];
function addListener(index) {
    const buffer = new Array(16).fill(index);
    const onEvent = (event) => {
        return buffer.length + event.length;
    };
    listeners.push(onEvent);
}
//# sourceMappingURL=cache.js.map