"use strict";
// Sessions that are opened and never closed: every one stays in the registry.
// The type declarations below vanish from the compiled JavaScript, so the
// class's line in session.js is not its line here.
Object.defineProperty(exports, "__esModule", { value: true });
exports.Session = void 0;
exports.openSession = openSession;
exports.openSessions = openSessions;
class Session {
    constructor(options, now) {
        this.user = options.user;
        this.scopes = options.scopes;
        this.openedAt = now;
    }
}
exports.Session = Session;
const registry = [];
function openSession(options, now) {
    const session = new Session(options, now);
    registry.push(session); // the leak: nothing ever removes it
    return session;
}
function openSessions() {
    return registry.length;
}
//# sourceMappingURL=session.js.map