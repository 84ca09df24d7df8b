// Sessions that are opened and never closed: every one stays in the registry.
// The type declarations below vanish from the compiled JavaScript, so the
// class's line in session.js is not its line here.

export type UserId = string;

export interface SessionOptions {
  user: UserId;
  scopes: string[];
  ttlSeconds: number;
}

export class Session {
  readonly user: UserId;
  readonly scopes: string[];
  readonly openedAt: number;
  constructor(options: SessionOptions, now: number) {
    this.user = options.user;
    this.scopes = options.scopes;
    this.openedAt = now;
  }
}

const registry: Session[] = [];

export function openSession(options: SessionOptions, now: number): Session {
  const session = new Session(options, now);
  registry.push(session);  // the leak: nothing ever removes it
  return session;
}

export function openSessions(): number {
  return registry.length;
}
