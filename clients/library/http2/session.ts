/**
 * The node:http2 session handling the h2c/h2 client and the lean gRPC client share: one session per connection
 * slot, reopened when it has closed, and a bounded graceful close.
 */
import http2 from "node:http2";
import type { ClientHttp2Session, SecureClientSessionOptions } from "node:http2";

/** A connection slot: the session it carries now, if any. */
export interface SessionSlot {
  session: ClientHttp2Session | null;
}

/** The slot's open session, or a new one to `authority` (the slot forgets it when it closes). */
export function sessionOf(slot: SessionSlot, authority: string, options: SecureClientSessionOptions): ClientHttp2Session {
  const current = slot.session;
  if (current !== null && !current.closed && !current.destroyed) return current;
  const session = http2.connect(authority, options);
  // Connect and session errors also fail the session's streams, which report them one by one.
  session.on("error", () => {});
  session.on("close", () => {
    if (slot.session === session) slot.session = null;
  });
  slot.session = session;
  return session;
}

/** Closes a session gracefully (GOAWAY, FIN) and destroys it if that takes longer than a second. */
export function closeSession(session: ClientHttp2Session | null): Promise<void> {
  if (session === null || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => session.destroy(), 1_000);
    session.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
