/**
 * The only I/O of the wire HTTP/2 clients: a TCP socket (h2c, gRPC: prior knowledge, RFC 9113 §3.3) or a TLS socket
 * that must negotiate `h2` by ALPN (§3.2) and trust the run's CA, bound to a session (session.ts). What ends the
 * socket decides how its streams fail: a failure to connect (refused, TLS handshake, ALPN) is `connect`, a socket
 * lost later is what error-kind.ts makes of its error (`reset` for ECONNRESET), or `reset` when it just closed.
 */

import net from "node:net";
import tls from "node:tls";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { TLS_SERVER_NAME } from "../../../contract/index.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import type { RequestHeaderBlocks } from "./hpack-encoder.ts";
import { Http2Session } from "./session.ts";
import type { Transport } from "./session.ts";

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /**
   * For TLS, the client's one context (clients/common/tls-context.ts): the run's CA (bench/run/tls.ts) and its TLS
   * version, ciphers and groups, as the server has them.
   */
  readonly secureContext?: tls.SecureContext | undefined;
}

/** The per-run certificate names localhost (as the library client's `servername`). */
/** How long a closing socket may take to finish before it is destroyed. */
const CLOSE_GRACE_MS = 1_000;

class SocketTransport implements Transport {
  readonly #socket: net.Socket;
  readonly #closed: Promise<void>;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  write(chunk: Buffer): void {
    if (!this.#socket.destroyed) this.#socket.write(chunk);
  }

  close(): Promise<void> {
    const socket = this.#socket;
    if (!socket.destroyed) {
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    return this.#closed;
  }
}

/** Why a socket's streams fail when it closes: any error before the connection was established is `connect`. */
function closeFailure(error: unknown, established: boolean): RequestFailure {
  if (error !== null) {
    const why = failureFromError(error);
    return established || why.kind === "connect" ? why : failure("connect", why.message);
  }
  return established ? failure("reset", "the server closed the connection") : failure("connect", "the connection closed before it was established");
}

/** Opens a connection to `target` and a session over it; `onClosed` runs once when the session is done. */
export function connectSession(target: ConnectTarget, headers: RequestHeaderBlocks, onClosed: (session: Http2Session) => void): Http2Session {
  const socket = target.tls
    ? tls.connect({ host: target.host, port: target.port, secureContext: target.secureContext, servername: TLS_SERVER_NAME, ALPNProtocols: ["h2"] })
    : net.connect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  const session = new Http2Session(new SocketTransport(socket), headers, onClosed);
  let error: unknown = null;
  let established = false;
  let alpnRefused: RequestFailure | null = null;
  socket.once(target.tls ? "secureConnect" : "connect", () => {
    established = true;
    if (socket instanceof tls.TLSSocket && socket.alpnProtocol !== "h2") {
      alpnRefused = failure("connect", `the server did not negotiate h2 by ALPN (got ${String(socket.alpnProtocol)})`);
      socket.destroy();
    }
  });
  socket.on("data", (chunk: Buffer) => session.receive(chunk));
  socket.on("error", (err) => (error ??= err));
  socket.on("close", () => session.transportClosed(alpnRefused ?? closeFailure(error, established)));
  return session;
}
