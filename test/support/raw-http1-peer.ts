/**
 * A scripted HTTP/1.1 server over a raw `net` socket (or a `tls` one, for the TLS arms), for what node:http would
 * never send: chunked answers with extensions and trailers, interim 1xx responses, HTTP/1.0, garbage, resets, bodies
 * cut short. It reads each request (head + content-length body), records it, and lets the test's script answer with
 * exact bytes.
 */

import net from "node:net";
import tls from "node:tls";
import type { TlsMaterial } from "../../contract/index.ts";
import { decodePayload, encodePayload, makeBody } from "../../proto/codec.ts";

export interface PeerRequest {
  /** Which accepted connection carried it (0-based), and its place on that connection. */
  readonly connection: number;
  readonly indexOnConnection: number;
  /** The request head as text, up to and including the empty line. */
  readonly head: string;
  /** The whole request as received. */
  readonly bytes: Buffer;
  readonly seq: number;
}

/** Answers one request on `socket`: write bytes, end, reset, or nothing at all. */
export type PeerScript = (req: PeerRequest, socket: net.Socket) => void;

export interface RawHttp1Peer {
  readonly port: number;
  readonly requests: readonly PeerRequest[];
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A correct answer's payload for `seq` with a `responseBytes` filler body. */
export function answerPayload(seq: number, responseBytes: number): Buffer {
  return encodePayload(seq, makeBody(responseBytes));
}

/** `HTTP/1.1 200` with a content-length (and any extra field lines) and the payload. */
export function lengthAnswer(seq: number, responseBytes: number, fields = "", status = "HTTP/1.1 200 OK"): Buffer {
  const payload = answerPayload(seq, responseBytes);
  return Buffer.concat([Buffer.from(`${status}\r\ncontent-length: ${payload.length}\r\n${fields}\r\n`, "latin1"), payload]);
}

/** The payload in two chunks, with chunk extensions and a trailer section (RFC 9112 §7.1). */
export function chunkedAnswer(seq: number, responseBytes: number): Buffer {
  const payload = answerPayload(seq, responseBytes);
  const half = payload.length >> 1;
  const first = payload.subarray(0, half);
  const second = payload.subarray(half);
  return Buffer.concat([
    Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "latin1"),
    Buffer.from(`${first.length.toString(16)};name=value\r\n`, "latin1"),
    first,
    Buffer.from(`\r\n${second.length.toString(16)};q="x"\r\n`, "latin1"),
    second,
    Buffer.from("\r\n0\r\nX-Trailer: done\r\n\r\n", "latin1"),
  ]);
}

/** Reads requests off one connection as they complete, keep-alive included. */
function readRequests(socket: net.Socket, onRequest: (head: string, bytes: Buffer, body: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const end = pending.indexOf("\r\n\r\n");
      if (end === -1) return;
      const head = pending.toString("latin1", 0, end + 4);
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (pending.length < end + 4 + length) return;
      const bytes = pending.subarray(0, end + 4 + length);
      pending = pending.subarray(bytes.length);
      onRequest(head, bytes, bytes.subarray(end + 4));
    }
  });
}

/** Starts the peer on 127.0.0.1, port 0; over TLS (ALPN http/1.1) with `material`. */
export async function startRawHttp1Peer(script: PeerScript, material?: TlsMaterial): Promise<RawHttp1Peer> {
  const requests: PeerRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const onSocket = (socket: net.Socket): void => {
    const connection = connections++;
    let indexOnConnection = 0;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    readRequests(socket, (head, bytes, body) => {
      const req: PeerRequest = { connection, indexOnConnection: indexOnConnection++, head, bytes, seq: decodePayload(body).seq };
      requests.push(req);
      script(req, socket);
    });
  };
  const secureContext = material === undefined ? null : tls.createSecureContext({ key: material.keyPem, cert: material.certPem });
  const server = net.createServer((raw) => {
    if (secureContext === null) {
      onSocket(raw);
      return;
    }
    raw.on("error", () => {});
    const socket = new tls.TLSSocket(raw, { isServer: true, secureContext, ALPNProtocols: ["http/1.1"] });
    // A reset is the TCP connection's: a TLS socket has no RST of its own to send.
    socket.resetAndDestroy = () => {
      raw.resetAndDestroy();
      return socket;
    };
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    port: address.port,
    requests,
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
