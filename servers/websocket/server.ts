/**
 * WebSocket server (the `ws` package on node:http or node:https) for the `ws` arm and its TLS twin `wss` (the
 * per-run certificate, ALPN http/1.1). A client opens one WebSocket per connection at WEBSOCKET_PATH and sends each
 * request as one binary message carrying the workload's protobuf bytes; the server answers each with one binary
 * message of the response bytes and the same seq, in the order it read them.
 *
 * permessage-deflate (RFC 7692) is off unless `settings.wsDeflate` (`--ws-deflate`): the other arms send
 * their bodies uncompressed, and the body is a filler that compresses to almost nothing. Off, a client that offers
 * it gets no `sec-websocket-extensions` answer, so the frames stay plain; on, `ws`'s defaults apply (messages of
 * 1 KiB and more are compressed). `ws` answers pings with pongs and close frames with close frames itself (RFC 6455 §5.5), and puts
 * fragmented messages back together before `'message'`.
 *
 * A message the server cannot use ends the connection with a close code (§7.4.1): 1003 for a text message, 1007
 * for bytes that do not decode or a body of the wrong size — as a gRPC Bidi call ends with a status.
 */

import http from "node:http";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { WebSocketServer } from "ws";
import type { RawData, WebSocket } from "ws";
import { armServedBy, secureContextParameters } from "../../contract/index.ts";
import type { RunningServer, ServerOptions, TlsMaterial } from "../../contract/index.ts";
import { bodyLooksRight, decodePayload, encodePayload, makeBody, MAX_BODY_BYTES, WEBSOCKET_PATH } from "../../proto/codec.ts";
import { runServerChild } from "../child.ts";

/** Largest message accepted: the biggest body plus its two varints and tags, as servers/http1 accepts. */
const MAX_MESSAGE_BYTES = MAX_BODY_BYTES + 32;

/** RFC 6455 §7.4.1 close codes. */
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_INVALID_PAYLOAD = 1007;

function noop(): void {}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const arm = armServedBy(opts.protocol, "websocket", "servers/websocket");
  if (arm.tls && opts.tls === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.tls`);
  return listen(opts, arm.tls ? (opts.tls ?? null) : null);
}

/** The bytes of a binary message: `ws` hands a Buffer, or an array of fragments' Buffers for some binary types. */
function messageBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function listen(opts: ServerOptions, tls: TlsMaterial | null): Promise<RunningServer> {
  const { requestBytes } = opts;
  const responseBody = makeBody(opts.responseBytes);

  // Anything but the upgrade at WEBSOCKET_PATH: 404, or 426 for a plain request to the path (RFC 9110 §15.5.22).
  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const status = req.url === WEBSOCKET_PATH ? 426 : 404;
    res.writeHead(status, status === 426 ? { "content-length": 0, upgrade: "websocket", connection: "upgrade" } : { "content-length": 0 });
    res.end();
  }

  const server =
    tls === null
      ? http.createServer({ noDelay: true }, onRequest)
      : https.createServer(
          { noDelay: true, key: tls.keyPem, cert: tls.certPem, ALPNProtocols: ["http/1.1"], ...secureContextParameters(opts.tlsParameters) },
          onRequest,
        );
  server.on("clientError", (_err, socket) => socket.destroy());

  const wss = new WebSocketServer({ server, path: WEBSOCKET_PATH, perMessageDeflate: opts.settings.wsDeflate, maxPayload: MAX_MESSAGE_BYTES });
  // Without a listener, an error of the underlying server would be thrown again by `ws` as unhandled.
  wss.on("error", noop);
  wss.on("connection", (socket: WebSocket) => {
    // One bad frame or a reset must cost that connection, not the process.
    socket.on("error", noop);
    socket.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        socket.close(CLOSE_UNSUPPORTED_DATA, "binary messages only");
        return;
      }
      let seq: number;
      let body: Uint8Array;
      try {
        ({ seq, body } = decodePayload(messageBytes(data)));
      } catch {
        socket.close(CLOSE_INVALID_PAYLOAD, "undecodable message");
        return;
      }
      if (!bodyLooksRight(body, requestBytes)) {
        socket.close(CLOSE_INVALID_PAYLOAD, `request body of ${body.length} bytes, expected ${requestBytes}`);
        return;
      }
      socket.send(encodePayload(seq, responseBody), { binary: true });
    });
  });

  return new Promise((resolve, rejectListen) => {
    server.once("error", rejectListen);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", rejectListen);
      server.on("error", noop);
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("websocket server has no TCP address");
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            // Upgraded sockets are no longer the HTTP server's connections: end them through `ws`.
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (import.meta.main) runServerChild("websocket", startServer);
