/**
 * HTTP/2 server (node:http2, core `'stream'` API) for the `h2c` (cleartext, prior knowledge) and `h2` (TLS, ALPN
 * `h2` only, the run's TLS version and ciphers) arms.
 */

import http2 from "node:http2";
import type { Http2Server, Http2Session, Http2SecureServer, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { armServedBy, secureContextParameters } from "../../contract/index.ts";
import type { RunningServer, ServerOptions } from "../../contract/index.ts";
import { bodyLooksRight, decodePayload, encodePayload, makeBody, MAX_BODY_BYTES, PROTOBUF_CONTENT_TYPE, UNARY_PATH } from "../../proto/codec.ts";
import { runServerChild } from "../child.ts";

const MAX_REQUEST_BYTES = MAX_BODY_BYTES + 32;
/**
 * Node refuses new streams with ENHANCE_YOUR_CALM once a session buffers more than this many MB (default 10);
 * raised so large bodies at high concurrency are measured rather than refused.
 */
const MAX_SESSION_MEMORY_MB = 256;
/** After a graceful GOAWAY, how long sessions get to finish their streams before they are destroyed. */
const SESSION_CLOSE_GRACE_MS = 1_000;

const OK_HEADERS = { ":status": 200, "content-type": PROTOBUF_CONTENT_TYPE };
const BAD_REQUEST_HEADERS = { ":status": 400 };
const NOT_FOUND_HEADERS = { ":status": 404 };
const TOO_LARGE_HEADERS = { ":status": 413 };

function noop(): void {}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  return listen(opts, armServedBy(opts.protocol, "http2", "servers/http2").tls);
}

function respondEmpty(stream: ServerHttp2Stream, headers: Record<string, number>): void {
  if (!stream.destroyed && !stream.headersSent) stream.respond(headers, { endStream: true });
}

function createServer(opts: ServerOptions, tls: boolean): Http2Server | Http2SecureServer {
  const common = {
    settings: {
      maxConcurrentStreams: opts.settings.maxConcurrentStreams,
      initialWindowSize: opts.settings.initialWindowSize,
    },
    maxSessionMemory: MAX_SESSION_MEMORY_MB,
  };
  if (!tls) return http2.createServer(common);
  if (opts.tls === undefined) throw new TypeError(`the ${opts.protocol} arm needs opts.tls`);
  return http2.createSecureServer({
    ...common,
    key: opts.tls.keyPem,
    cert: opts.tls.certPem,
    allowHTTP1: false,
    ALPNProtocols: ["h2"],
    ...secureContextParameters(opts.tlsParameters),
  });
}

function listen(opts: ServerOptions, tls: boolean): Promise<RunningServer> {
  const { requestBytes } = opts;
  const responseBody = makeBody(opts.responseBytes);
  const sessions = new Set<Http2Session>();

  function answer(stream: ServerHttp2Stream, request: Buffer): void {
    if (stream.destroyed) return;
    let seq: number;
    let body: Uint8Array;
    try {
      ({ seq, body } = decodePayload(request));
    } catch {
      respondEmpty(stream, BAD_REQUEST_HEADERS);
      return;
    }
    if (!bodyLooksRight(body, requestBytes)) {
      respondEmpty(stream, BAD_REQUEST_HEADERS);
      return;
    }
    stream.respond(OK_HEADERS);
    stream.end(encodePayload(seq, responseBody));
  }

  function onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    // One reset stream must cost that stream, not the process.
    stream.on("error", noop);
    if (headers[":method"] !== "POST" || headers[":path"] !== UNARY_PATH) {
      stream.resume();
      respondEmpty(stream, NOT_FOUND_HEADERS);
      return;
    }
    let first: Buffer | null = null;
    let rest: Buffer[] | null = null;
    let length = 0;
    stream.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (first === null) first = chunk;
      else (rest ??= [first]).push(chunk);
      if (length > MAX_REQUEST_BYTES) {
        respondEmpty(stream, TOO_LARGE_HEADERS);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    stream.on("end", () => answer(stream, rest !== null ? Buffer.concat(rest) : (first ?? Buffer.alloc(0))));
  }

  const server = createServer(opts, tls);
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.on("error", noop);
    session.on("close", () => sessions.delete(session));
  });
  server.on("stream", onStream);
  server.on("sessionError", noop);
  server.on("tlsClientError", noop);

  function close(): Promise<void> {
    return new Promise((done) => {
      server.close(() => done());
      for (const session of sessions) session.close();
      setTimeout(() => {
        for (const session of sessions) session.destroy();
      }, SESSION_CLOSE_GRACE_MS).unref();
    });
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", reject);
      server.on("error", noop);
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("http2 server has no TCP address");
      resolve({ port: address.port, close });
    });
  });
}

if (import.meta.main) runServerChild("http2", startServer);
