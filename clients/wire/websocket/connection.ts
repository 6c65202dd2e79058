/**
 * One connection of the wire WebSocket client: a `net` or `tls` socket, the opening handshake (RFC 6455 §4.1–4.2),
 * then masked binary frames out and the server's frames in (frames.ts) — the only I/O of clients/wire/websocket.
 *
 * The client sends no data frame before the server's 101 (§4.1: it must wait for the response), so messages written
 * during the handshake wait in `#early`. It answers pings with pongs and a close frame with a close frame (§5.5),
 * and fails whatever is pending on the connection however it ends (the lane, clients/common/message-lane.ts).
 */

import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { failure, failureFromError } from "../../common/error-kind.ts";
import { closeFailure, MessageLane } from "../../common/message-lane.ts";
import type { LaneRequest } from "../../common/message-lane.ts";
import type { RequestFailure } from "../../../contract/index.ts";
import { WEBSOCKET_PATH } from "../../../proto/codec.ts";
import { closePayload, encodeClientFrame, FrameError, FrameReader, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PONG } from "./frames.ts";
import type { FrameSink, MaskKeys } from "./frames.ts";

/** §1.3: the GUID the server appends to our key before hashing it into `sec-websocket-accept`. */
const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Largest handshake response read before it is refused. */
const MAX_HANDSHAKE_BYTES = 16 * 1024;
/** How long a closing connection waits for the server's close frame and FIN before it is destroyed. */
const CLOSE_WAIT_MS = 1_000;

export interface TlsSettings {
  /** The client's one context (clients/common/tls-context.ts): the run's CA and TLS parameters. */
  readonly secureContext: tls.SecureContext;
  /** SNI and the name the certificate is checked against. */
  readonly servername: string;
}

/** What the client gives its connections. */
export interface WsContext {
  readonly host: string;
  readonly port: number;
  /** `host:port` as the Host header writes it. */
  readonly authority: string;
  readonly tls: TlsSettings | null;
  readonly keys: MaskKeys;
  readonly maxMessageBytes: number;
  /** The buffer every socket of the client reads into; each read is parsed before the next one can land. */
  readonly readBuffer: Buffer;
}

/** `sec-websocket-accept` for `key` (§4.2.2 step 5.4). */
export function acceptFor(key: string): string {
  return createHash("sha1").update(key + ACCEPT_GUID).digest("base64");
}

/** The opening handshake request for `key` (§4.1). */
export function handshakeRequest(authority: string, key: string): string {
  return (
    `GET ${WEBSOCKET_PATH} HTTP/1.1\r\nhost: ${authority}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
    `sec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`
  );
}

/**
 * Checks the server's handshake response head (status line and headers, without the blank line) against `key`;
 * returns why it fails §4.2.2 / §4.1's client checks, or null when it opens the connection.
 */
export function handshakeProblem(head: string, key: string): string | null {
  const lines = head.split("\r\n");
  const status = /^HTTP\/1\.1 (\d{3})(?: |$)/.exec(lines[0] ?? "");
  if (status === null) return `not an HTTP/1.1 response: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`;
  if (status[1] !== "101") return `HTTP status ${status[1]} instead of 101 Switching Protocols`;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return `a malformed header line ${JSON.stringify(line.slice(0, 80))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") return "no `upgrade: websocket` in the 101";
  const connection = (headers.get("connection") ?? "").toLowerCase().split(",").map((t) => t.trim());
  if (!connection.includes("upgrade")) return "no `connection: upgrade` in the 101";
  if (headers.get("sec-websocket-accept") !== acceptFor(key)) return "a wrong sec-websocket-accept";
  // We asked for neither: a server that answers with one breaks the handshake (§4.1, client checks 5 and 6).
  if (headers.has("sec-websocket-extensions")) return "an extension we did not offer";
  if (headers.has("sec-websocket-protocol")) return "a subprotocol we did not offer";
  return null;
}

export class WsConnection<R extends LaneRequest> implements FrameSink {
  readonly lane: MessageLane<R>;
  readonly #ctx: WsContext;
  readonly #socket: net.Socket;
  readonly #reader: FrameReader;
  readonly #key = randomBytes(16).toString("base64");
  readonly #onClosed: () => void;
  #state: "handshake" | "open" | "closing" | "closed" = "handshake";
  /** The handshake response read so far. */
  #head: Buffer | null = null;
  #early: Buffer[] = [];

  /** Opens the socket and sends the handshake at once; `onClosed` runs once when the socket has closed. */
  constructor(ctx: WsContext, lane: MessageLane<R>, onClosed: () => void) {
    this.#ctx = ctx;
    this.lane = lane;
    this.#onClosed = onClosed;
    this.#reader = new FrameReader(this, ctx.maxMessageBytes);
    const onread: net.OnReadOpts = { buffer: ctx.readBuffer, callback: (bytes: number) => this.#onRead(bytes) };
    const where = { host: ctx.host, port: ctx.port, onread };
    this.#socket =
      ctx.tls === null
        ? net.connect(where)
        : tls.connect({ ...where, secureContext: ctx.tls.secureContext, servername: ctx.tls.servername, ALPNProtocols: ["http/1.1"] } as tls.ConnectionOptions);
    // Messages are small and many: Nagle would hold one back for the previous one's ACK.
    this.#socket.setNoDelay(true);
    this.#socket.write(handshakeRequest(ctx.authority, this.#key));
    this.#socket.on("error", (err) => this.fail(this.#state === "handshake" ? failure("connect", err.message) : failureFromError(err)));
    this.#socket.on("end", () => this.fail(failure("reset", "the server closed the connection")));
    this.#socket.on("close", () => {
      this.fail(failure("reset", "the connection closed"));
      this.#onClosed();
    });
  }

  /** Sends `req` as one binary message of `bytes`. */
  send(req: R, bytes: Uint8Array): void {
    this.lane.sent(req);
    const frame = encodeClientFrame(OPCODE_BINARY, bytes, this.#ctx.keys);
    if (this.#state === "open") this.#socket.write(frame);
    else this.#early.push(frame);
  }

  /** Starts the closing handshake (§7.1.2) with `code`; pending requests fail with `outcome`. */
  close(code: number, outcome: RequestFailure): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    const wasOpen = this.#state === "open";
    this.#state = "closing";
    this.lane.end(outcome);
    if (!wasOpen) {
      this.#socket.destroy();
      return;
    }
    this.#socket.write(encodeClientFrame(OPCODE_CLOSE, closePayload(code, ""), this.#ctx.keys));
    setTimeout(() => this.#socket.destroy(), CLOSE_WAIT_MS).unref();
  }

  /** Ends the connection at once; pending requests fail with `outcome`. */
  fail(outcome: RequestFailure): void {
    if (this.#state !== "closed") {
      this.#state = "closed";
      this.#socket.destroy();
    }
    this.lane.end(outcome);
  }

  onMessage(opcode: number, payload: Uint8Array): void {
    if (opcode !== OPCODE_BINARY) this.close(1003, failure("protocol", "a text message instead of a binary answer"));
    else if (!this.lane.answer(payload)) this.close(1002, failure("protocol", "an answer to no request"));
  }

  onPing(payload: Uint8Array): void {
    if (this.#state === "open") this.#socket.write(encodeClientFrame(OPCODE_PONG, payload, this.#ctx.keys));
  }

  onPong(): void {}

  onClose(code: number, reason: string): void {
    this.lane.end(closeFailure(code, reason, true));
    if (this.#state === "open") {
      // Echo the code (§5.5.1), or send none when the server sent none; the server then closes TCP (§7.1.1).
      this.#state = "closing";
      const payload = code === 1005 ? Buffer.alloc(0) : closePayload(code, "");
      this.#socket.write(encodeClientFrame(OPCODE_CLOSE, payload, this.#ctx.keys));
      setTimeout(() => this.#socket.destroy(), CLOSE_WAIT_MS).unref();
    }
  }

  #onRead(bytes: number): boolean {
    const chunk = this.#ctx.readBuffer.subarray(0, bytes);
    try {
      if (this.#state === "handshake") this.#handshake(chunk);
      else if (this.#state !== "closed") this.#reader.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.close(err.closeCode, failure("protocol", err.message));
    }
    return true;
  }

  #handshake(chunk: Buffer): void {
    const head = this.#head === null ? Buffer.from(chunk) : Buffer.concat([this.#head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > MAX_HANDSHAKE_BYTES) this.fail(failure("connect", `a handshake response over ${MAX_HANDSHAKE_BYTES} bytes`));
      else this.#head = head;
      return;
    }
    this.#head = null;
    const problem = handshakeProblem(head.subarray(0, end).toString("latin1"), this.#key);
    if (problem !== null) {
      this.fail(failure("connect", `WebSocket handshake refused: ${problem}`));
      return;
    }
    this.#state = "open";
    if (this.#early.length > 0) {
      this.#socket.cork();
      for (const frame of this.#early) this.#socket.write(frame);
      this.#socket.uncork();
      this.#early = [];
    }
    // Frames the server sent right behind its 101.
    if (end + 4 < head.length) this.#reader.push(head.subarray(end + 4));
  }
}
