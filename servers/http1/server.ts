/**
 * HTTP/1.1 server (node:http, node:https) for the `http1` and `http1-close` arms and their TLS twins `https1` and
 * `https1-close` (the per-run certificate, ALPN http/1.1, the run's TLS version and ciphers).
 *
 * `http1` keeps connections alive for `keepAliveTimeoutMs`; `http1-close` answers every request with
 * `connection: close`, so Node ends the connection after the response (RFC 9112 §9.6).
 */

import http from "node:http";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { armServedBy, assertNever, secureContextParameters } from "../../contract/index.ts";
import type { RunningServer, ServerOptions, TlsMaterial } from "../../contract/index.ts";
import { bodyLooksRight, decodePayload, encodePayload, makeBody, MAX_BODY_BYTES, PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../proto/codec.ts";
import { runServerChild } from "../child.ts";

/** Largest request accepted: the biggest body plus its two varints and tags. */
const MAX_REQUEST_BYTES = MAX_BODY_BYTES + 32;
/** Node's default; a 16 MiB upload over a slow namespace link must fit in it. */
const REQUEST_TIMEOUT_MS = 300_000;
/** Node's default for receiving the header block of a request. */
const HEADERS_TIMEOUT_MS = 60_000;

function noop(): void {}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const arm = armServedBy(opts.protocol, "http1", "servers/http1");
  if (arm.tls && opts.tls === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.tls`);
  const tls = arm.tls ? (opts.tls ?? null) : null;
  switch (arm.connection) {
    case "keep-alive":
      return listen(opts, false, tls);
    case "per-request":
      return listen(opts, true, tls);
    default:
      return assertNever(arm.connection);
  }
}

function listen(opts: ServerOptions, closeEach: boolean, tls: TlsMaterial | null): Promise<RunningServer> {
  const { requestBytes } = opts;
  const responseBody = makeBody(opts.responseBytes);
  // Only `http1-close` names the connection header: left to Node, a keep-alive answer also carries the
  // `keep-alive: timeout=N` hint that tells undici how long it may reuse the connection.
  const closeHeader: Record<string, string> = closeEach ? { connection: "close" } : {};

  function reject(res: ServerResponse, status: number): void {
    res.writeHead(status, { "content-length": 0, ...closeHeader });
    res.end();
  }

  function answer(res: ServerResponse, request: Buffer): void {
    let seq: number;
    let body: Uint8Array;
    try {
      ({ seq, body } = decodePayload(request));
    } catch {
      reject(res, 400);
      return;
    }
    if (!bodyLooksRight(body, requestBytes)) {
      reject(res, 400);
      return;
    }
    const out = encodePayload(seq, responseBody);
    res.writeHead(200, { "content-type": PROTOBUF_CONTENT_TYPE, "content-length": out.length, ...closeHeader });
    res.end(out);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.on("error", noop);
    if (req.method !== "POST" || req.url !== UNARY_PATH) {
      req.resume();
      reject(res, 404);
      return;
    }
    let first: Buffer | null = null;
    let rest: Buffer[] | null = null;
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (first === null) first = chunk;
      else (rest ??= [first]).push(chunk);
      if (length > MAX_REQUEST_BYTES) {
        reject(res, 413);
        req.destroy();
      }
    });
    req.on("end", () => {
      if (!res.headersSent) answer(res, rest !== null ? Buffer.concat(rest) : (first ?? Buffer.alloc(0)));
    });
  }

  const options = {
    keepAliveTimeout: opts.settings.keepAliveTimeoutMs,
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    noDelay: true,
  };
  const server =
    tls === null
      ? http.createServer(options, onRequest)
      : https.createServer({ ...options, key: tls.keyPem, cert: tls.certPem, ALPNProtocols: ["http/1.1"], ...secureContextParameters(opts.tlsParameters) }, onRequest);
  // A client that resets mid-request must cost one connection, not the process.
  server.on("clientError", (_err, socket) => socket.destroy());

  return new Promise((resolve, rejectListen) => {
    server.once("error", rejectListen);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", rejectListen);
      server.on("error", noop);
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("http server has no TCP address");
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (import.meta.main) runServerChild("http1", startServer);
