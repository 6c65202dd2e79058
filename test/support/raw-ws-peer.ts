/**
 * A scripted WebSocket server over a raw `net` socket (or a `tls` one, for `wss`), for what the `ws` package would
 * never send: fragmented answers, answers coalesced with control frames, pings, close frames, masked or RSV-marked
 * frames. It does the opening handshake (RFC 6455 §4.2), reads the client's frames (checking each is masked, §5.1),
 * records every message, pong and close, and lets the test's script answer each message with exact bytes.
 *
 * Also the client half for testing servers/websocket by hand: `wsHandshake`, `clientFrame` and `readServerFrames`.
 */

import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import type { TlsMaterial } from "../../contract/index.ts";
import { decodePayload, encodePayload, makeBody, WEBSOCKET_PATH } from "../../proto/codec.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export interface WsFrame {
  readonly fin: boolean;
  readonly rsv: number;
  readonly opcode: number;
  readonly masked: boolean;
  readonly payload: Buffer;
}

/** A frame's bytes: any flags, any opcode, masked with `mask` when given (the client's way) or not (the server's). */
export function frameBytes(opcode: number, payload: Uint8Array, opts: { fin?: boolean; rsv?: number; mask?: Buffer } = {}): Buffer {
  const { fin = true, rsv = 0, mask } = opts;
  const length = payload.length;
  const ext = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  head[1] = (mask ? 0x80 : 0) | (ext === 0 ? length : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(length, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(length), 2);
  const body = Buffer.from(payload);
  if (mask) {
    mask.copy(head, 2 + ext);
    for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i & 3] as number);
  }
  return Buffer.concat([head, body]);
}

/** A client frame: masked with a fresh key. */
export function clientFrame(opcode: number, payload: Uint8Array, fin = true): Buffer {
  return frameBytes(opcode, payload, { fin, mask: randomBytes(4) });
}

/** Parses whole frames off the front of `buf`; returns them and the unparsed rest. */
export function parseFrames(buf: Buffer): { frames: WsFrame[]; rest: Buffer } {
  const frames: WsFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buf.length - offset < 2) break;
    const b0 = buf[offset] as number;
    const b1 = buf[offset + 1] as number;
    let length = b1 & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      if (buf.length < at + 2) break;
      length = buf.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (buf.length < at + 8) break;
      length = Number(buf.readBigUInt64BE(at));
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? buf.subarray(at, at + 4) : null;
    if (masked) at += 4;
    if (buf.length < at + length) break;
    const payload = Buffer.from(buf.subarray(at, at + length));
    if (key !== null) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (key[i & 3] as number);
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x7, opcode: b0 & 0x0f, masked, payload });
    offset = at + length;
  }
  return { frames, rest: buf.subarray(offset) };
}

export interface WsPeerMessage {
  /** Which accepted connection carried it (0-based). */
  readonly connection: number;
  readonly seq: number;
}

export interface WsPeerConnection {
  readonly socket: net.Socket;
  /** The right answer to `msg`'s message as one unmasked binary frame. */
  answerFrame(msg: WsPeerMessage): Buffer;
  send(bytes: Uint8Array): void;
  /** Pongs received on this connection so far, by payload. */
  readonly pongs: readonly string[];
}

/** Answers one message: write frames, close, reset, or nothing at all. */
export type WsPeerScript = (msg: WsPeerMessage, conn: WsPeerConnection) => void;

export interface RawWsPeer {
  readonly port: number;
  readonly messages: readonly WsPeerMessage[];
  /** Every frame any client sent after its handshake, in order. */
  readonly frames: readonly WsFrame[];
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts the peer on 127.0.0.1, port 0; over TLS (ALPN http/1.1) with `material`. */
export async function startRawWsPeer(script: WsPeerScript, responseBytes: number, material?: TlsMaterial): Promise<RawWsPeer> {
  const messages: WsPeerMessage[] = [];
  const frames: WsFrame[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const onSocket = (socket: net.Socket): void => {
    const connection = connections++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    const pongs: string[] = [];
    const conn: WsPeerConnection = {
      socket,
      answerFrame: (msg) => frameBytes(0x2, encodePayload(msg.seq, makeBody(responseBytes))),
      send: (bytes) => socket.write(bytes),
      pongs,
    };
    let pending = Buffer.alloc(0);
    let open = false;
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!open) {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = pending.toString("latin1", 0, end);
        pending = pending.subarray(end + 4);
        const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1] ?? "";
        const accept = createHash("sha1").update(key + GUID).digest("base64");
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
        open = true;
      }
      const parsed = parseFrames(pending);
      pending = Buffer.from(parsed.rest);
      for (const frame of parsed.frames) {
        frames.push(frame);
        if (frame.opcode === 0xa) pongs.push(frame.payload.toString("latin1"));
        if (frame.opcode === 0x8) socket.end();
        if (frame.opcode !== 0x2) continue;
        const msg = { connection, seq: decodePayload(frame.payload).seq };
        messages.push(msg);
        script(msg, conn);
      }
    });
  };
  const server =
    material === undefined
      ? net.createServer(onSocket)
      : tls.createServer({ key: material.keyPem, cert: material.certPem, ALPNProtocols: ["http/1.1"] }, onSocket);
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    messages,
    frames,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * Opens a raw WebSocket to a server on 127.0.0.1:`port` (over TLS when given the run's CA), sending `extraHeaders`
 * too; resolves with the socket, the response head, and any bytes after it.
 */
export function wsHandshake(port: number, caPem?: string, extraHeaders = ""): Promise<{ socket: net.Socket; rest: Buffer; head: string }> {
  return new Promise((resolve, reject) => {
    const socket =
      caPem === undefined ? net.connect({ host: "127.0.0.1", port }) : tls.connect({ host: "127.0.0.1", port, ca: caPem, servername: "localhost" });
    const key = randomBytes(16).toString("base64");
    let got = Buffer.alloc(0);
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed before the handshake response")));
    socket.on(caPem === undefined ? "connect" : "secureConnect", () =>
      socket.write(`GET ${WEBSOCKET_PATH} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n${extraHeaders}\r\n`),
    );
    const onData = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      resolve({ socket, head: got.toString("latin1", 0, end), rest: got.subarray(end + 4) });
    };
    socket.on("data", onData);
  });
}

/** Collects the server's frames on `socket` (after `rest`) until `until` says enough, or the socket ends. */
export function readServerFrames(socket: net.Socket, rest: Buffer, until: (frames: readonly WsFrame[]) => boolean): Promise<WsFrame[]> {
  return new Promise((resolve) => {
    let pending = rest;
    const frames: WsFrame[] = [];
    const take = (): boolean => {
      const parsed = parseFrames(pending);
      pending = Buffer.from(parsed.rest);
      frames.push(...parsed.frames);
      return until(frames);
    };
    if (take()) {
      resolve(frames);
      return;
    }
    const onData = (chunk: Buffer): void => {
      pending = Buffer.concat([pending, chunk]);
      if (!take()) return;
      socket.off("data", onData);
      resolve(frames);
    };
    socket.on("data", onData);
    socket.on("close", () => resolve(frames));
  });
}
