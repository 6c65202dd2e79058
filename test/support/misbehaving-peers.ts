/**
 * Deliberately broken peers for the protocol contract. Servers, one per family, for the client half:
 * `wrong-seq` answers every request with seq + 1 (otherwise a correct answer), `short-body` with a body one byte
 * short, `silent` reads requests and never answers. A client that resets a request half-way, for the server half. And a TCP proxy that counts the
 * connections clients open.
 */

import * as grpc from "@grpc/grpc-js";
import http from "node:http";
import https from "node:https";
import http2 from "node:http2";
import type { Http2Session, ServerHttp2Stream } from "node:http2";
import net from "node:net";
import tls from "node:tls";
import { WebSocketServer } from "ws";
import type { RawData } from "ws";
import { assertNever, familyOf, usesTls } from "../../contract/index.ts";
import type { RunningServer, ServerOptions } from "../../contract/index.ts";
import { decodePayload, encodePayload, makeBody, PROTOBUF_CONTENT_TYPE, WEBSOCKET_PATH } from "../../proto/codec.ts";
import { grpcAddress, loadBenchService } from "../../proto/grpc-service.ts";
import { UNARY_PATH } from "../../proto/codec.ts";
import type { PayloadMessage } from "../../proto/grpc-service.ts";
import { wsHandshake } from "./raw-ws-peer.ts";

export type Misbehaviour = "wrong-seq" | "short-body" | "silent";

/** The seq and body a misbehaving server answers `seq` with. */
function wrongAnswer(how: Misbehaviour, seq: number, responseBody: Uint8Array): PayloadMessage {
  return how === "wrong-seq" ? { seq: seq + 1, body: responseBody } : { seq, body: responseBody.subarray(1) };
}

function addressPort(server: net.Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

function listenOn(server: net.Server, opts: ServerOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port }, () => resolve(addressPort(server)));
  });
}

function collect(stream: NodeJS.ReadableStream, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream.on("end", () => then(Buffer.concat(chunks)));
}

async function startHttp1(opts: ServerOptions, how: Misbehaviour, onRequest: () => void): Promise<RunningServer> {
  const responseBody = makeBody(opts.responseBytes);
  const onHttpRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    collect(req, (body) => {
      onRequest();
      if (how === "silent") return;
      const answer = wrongAnswer(how, decodePayload(body).seq, responseBody);
      const out = encodePayload(answer.seq, answer.body);
      res.writeHead(200, { "content-type": PROTOBUF_CONTENT_TYPE, "content-length": out.length }).end(out);
    });
  };
  const server =
    usesTls(opts.protocol) && opts.tls !== undefined
      ? https.createServer({ key: opts.tls.keyPem, cert: opts.tls.certPem }, onHttpRequest)
      : http.createServer(onHttpRequest);
  const port = await listenOn(server, opts);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function startHttp2(opts: ServerOptions, how: Misbehaviour, onRequest: () => void): Promise<RunningServer> {
  const responseBody = makeBody(opts.responseBytes);
  const server =
    usesTls(opts.protocol) && opts.tls !== undefined
      ? http2.createSecureServer({ key: opts.tls.keyPem, cert: opts.tls.certPem })
      : http2.createServer();
  const sessions = new Set<Http2Session>();
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.on("error", () => {});
    session.on("close", () => sessions.delete(session));
  });
  server.on("stream", (stream: ServerHttp2Stream) => {
    stream.on("error", () => {});
    collect(stream, (body) => {
      onRequest();
      if (how === "silent") return;
      stream.respond({ ":status": 200, "content-type": PROTOBUF_CONTENT_TYPE });
      const answer = wrongAnswer(how, decodePayload(body).seq, responseBody);
      stream.end(encodePayload(answer.seq, answer.body));
    });
  });
  const port = await listenOn(server, opts);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}

async function startGrpc(opts: ServerOptions, how: Misbehaviour, onRequest: () => void): Promise<RunningServer> {
  const responseBody = makeBody(opts.responseBytes);
  const server = new grpc.Server();
  const Unary: grpc.handleUnaryCall<PayloadMessage, PayloadMessage> = (call, callback) => {
    onRequest();
    if (how !== "silent") callback(null, wrongAnswer(how, call.request.seq, responseBody));
  };
  const Bidi: grpc.handleBidiStreamingCall<PayloadMessage, PayloadMessage> = (call) => {
    call.on("error", () => {});
    call.on("data", (message: PayloadMessage) => {
      onRequest();
      if (how !== "silent") call.write(wrongAnswer(how, message.seq, responseBody));
    });
  };
  server.addService(loadBenchService().definition, { Unary, Bidi, ServerStream: () => {} });
  const port = await new Promise<number>((resolve, reject) => {
    const credentials =
      usesTls(opts.protocol) && opts.tls !== undefined
        ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(opts.tls.keyPem), cert_chain: Buffer.from(opts.tls.certPem) }])
        : grpc.ServerCredentials.createInsecure();
    server.bindAsync(grpcAddress(opts.host, opts.port), credentials, (err, bound) =>
      err !== null ? reject(err) : resolve(bound),
    );
  });
  return {
    port,
    close: async () => server.forceShutdown(),
  };
}

async function startWebSocket(opts: ServerOptions, how: Misbehaviour, onRequest: () => void): Promise<RunningServer> {
  const responseBody = makeBody(opts.responseBytes);
  const server =
    usesTls(opts.protocol) && opts.tls !== undefined ? https.createServer({ key: opts.tls.keyPem, cert: opts.tls.certPem }) : http.createServer();
  const wss = new WebSocketServer({ server, path: WEBSOCKET_PATH, perMessageDeflate: false });
  wss.on("connection", (socket) => {
    socket.on("error", () => {});
    socket.on("message", (data: RawData) => {
      onRequest();
      if (how === "silent") return;
      const answer = wrongAnswer(how, decodePayload(data as Buffer).seq, responseBody);
      socket.send(encodePayload(answer.seq, answer.body));
    });
  });
  const port = await listenOn(server, opts);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A server for `opts.protocol` that misbehaves as asked; `onRequest` runs once per request it receives. */
export function startFakeServer(opts: ServerOptions, how: Misbehaviour, onRequest: () => void = () => {}): Promise<RunningServer> {
  const family = familyOf(opts.protocol);
  switch (family) {
    case "http1":
      return startHttp1(opts, how, onRequest);
    case "http2":
      return startHttp2(opts, how, onRequest);
    case "grpc":
      return startGrpc(opts, how, onRequest);
    case "websocket":
      return startWebSocket(opts, how, onRequest);
    default:
      return assertNever(family);
  }
}

export interface CountingProxy {
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `targetPort` that counts the connections clients open through it. */
export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  };
  const server = net.createServer((downstream) => {
    connections++;
    const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
    track(downstream);
    track(upstream);
    downstream.pipe(upstream).pipe(downstream);
    downstream.on("close", () => upstream.destroy());
    upstream.on("close", () => downstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  return {
    port: addressPort(server),
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

/** Opens a TCP connection, sends bytes that are no protocol at all, and closes it. */
async function sendGarbage(port: number): Promise<void> {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("\x16\x03\x01 this is not a protocol\r\n\r\n");
  await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
}

/**
 * Sends garbage on one connection, then starts a request and abandons it half-way through its body: an HTTP/1.1
 * connection reset mid-body; an HTTP/2 stream that declares 1000 bytes and ends after 8 (nghttp2 resets it, and the
 * server stream emits 'error'), then its session destroyed; a gRPC Bidi call cancelled after one message; a
 * WebSocket frame cut short by a reset.
 */
export async function resetMidRequest(opts: ServerOptions, port: number): Promise<void> {
  await sendGarbage(port);
  const family = familyOf(opts.protocol);
  const partial = encodePayload(1, makeBody(opts.requestBytes)).subarray(0, 8);
  switch (family) {
    case "http1": {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.on("error", () => {});
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(`POST ${UNARY_PATH} HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n`);
      socket.write(partial);
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.resetAndDestroy();
      return;
    }
    case "http2": {
      const scheme = usesTls(opts.protocol) ? "https" : "http";
      const session = http2.connect(`${scheme}://127.0.0.1:${port}`, { ca: opts.tls?.certPem, servername: "localhost" });
      session.on("error", () => {});
      // The declared length is never reached: nghttp2 resets the stream on the server side as a protocol error.
      const stream = session.request({ ":method": "POST", ":path": UNARY_PATH, "content-length": "1000" }, { endStream: false });
      stream.on("error", () => {});
      stream.write(partial);
      await new Promise((resolve) => setTimeout(resolve, 20));
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      await new Promise((resolve) => setTimeout(resolve, 20));
      session.destroy();
      return;
    }
    case "grpc": {
      const { Client } = loadBenchService();
      const client = new Client(grpcAddress("127.0.0.1", port), grpc.credentials.createInsecure());
      const call = client.Bidi();
      call.on("error", () => {});
      call.on("data", () => {});
      call.write({ seq: 1, body: makeBody(opts.requestBytes) });
      await new Promise((resolve) => setTimeout(resolve, 20));
      call.cancel();
      client.close();
      return;
    }
    case "websocket": {
      // The handshake, then a binary frame that announces 1000 bytes and carries 8, then a reset.
      const { socket } = await wsHandshake(port, opts.tls?.certPem);
      socket.on("error", () => {});
      socket.write(Buffer.concat([Buffer.from([0x82, 0xfe, 0x03, 0xe8, 0, 0, 0, 0]), partial]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Node can reset a TCP socket, not a TLS one: wss ends without a close_notify instead.
      if (socket instanceof tls.TLSSocket) socket.destroy();
      else socket.resetAndDestroy();
      return;
    }
    default:
      assertNever(family);
  }
}
