/**
 * The wire clients held to what the library clients do: every arm whose row lists a wire client runs the same
 * checks with every client of that row (describe.each), against the library servers on loopback and against a
 * scripted peer giving answers a real server may give and ours never do — the raw HTTP/1.1 peer for the HTTP/1.1
 * arms, the raw HTTP/2 peer (test/support/h2-peer-cases.ts) for the HTTP/2 and gRPC arms, the raw WebSocket peer
 * (test/support/raw-ws-peer.ts) for ws and wss. Where a library client is
 * known to differ from the rest, the case says so and why (`outcomesFor`). test/protocol-contract.test.ts holds
 * every client to the contract (error kinds, queueing, connections); this file adds what a hand-written protocol
 * stack can get wrong: many sequence numbers on few connections, bodies of every size, the answers the RFCs allow.
 *
 * A wire client joins by listing "wire" in its arms' rows (contract/arms.ts); its family's peer answers go in
 * `peerCases`.
 */

import { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { armOf, assertNever, DEFAULT_SERVER_SETTINGS, familyOf, OUR_ARMS, usesTls } from "../../contract/index.ts";
import type { BenchClient, ClientKind, ClientOptions, Protocol, ProtocolFamily, RequestFailure, ServerSettings } from "../../contract/index.ts";
import { startServer } from "../../servers/index.ts";
import { GRPC_PEER_CASES, GRPC_STREAM_PEER_CASES, HTTP2_PEER_CASES, outcomesFor, PEER_RESPONSE_BYTES } from "../support/h2-peer-cases.ts";
import type { H2PeerCase } from "../support/h2-peer-cases.ts";
import { chunkedAnswer, lengthAnswer, startRawHttp1Peer } from "../support/raw-http1-peer.ts";
import type { PeerScript } from "../support/raw-http1-peer.ts";
import { frameBytes, startRawWsPeer } from "../support/raw-ws-peer.ts";
import type { WsPeerScript } from "../support/raw-ws-peer.ts";
import { encodePayload, makeBody } from "../../proto/codec.ts";

function http1Case(name: string, script: PeerScript, outcomes: H2PeerCase["outcomes"]): H2PeerCase {
  return { name, start: (material) => startRawHttp1Peer(script, material), outcomes };
}

/** Legal and broken HTTP/1.1 answers, and what every client must make of them. */
const HTTP1_CASES: readonly H2PeerCase[] = [
  http1Case(
    "a chunked answer with chunk extensions and a trailer section (RFC 9112 §7.1)",
    (req, socket) => socket.write(chunkedAnswer(req.seq, PEER_RESPONSE_BYTES)),
    [null, null],
  ),
  http1Case(
    "a 103 Early Hints before the answer (RFC 9110 §15.2)",
    (req, socket) => socket.write(Buffer.concat([Buffer.from("HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n"), lengthAnswer(req.seq, PEER_RESPONSE_BYTES)])),
    [null, null],
  ),
  http1Case(
    "an HTTP/1.0 answer, after which the server closes (RFC 9112 §9.3)",
    (req, socket) => socket.end(lengthAnswer(req.seq, PEER_RESPONSE_BYTES, "", "HTTP/1.0 200 OK")),
    [null, null],
  ),
  http1Case(
    "an answer whose body runs to the close of the connection (RFC 9112 §6.3 rule 8)",
    (req, socket) => socket.end(lengthAnswer(req.seq, PEER_RESPONSE_BYTES).toString("latin1").replace(/content-length: \d+\r\n/, ""), "latin1"),
    [null, null],
  ),
  http1Case(
    "a 503 answer, then a good one",
    (req, socket) => socket.write(req.seq === 1 ? "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n" : lengthAnswer(req.seq, PEER_RESPONSE_BYTES)),
    ["status", null],
  ),
  http1Case(
    "bytes that are not HTTP, then a good answer on a new connection",
    (req, socket) => socket.write(req.seq === 1 ? "\x16\x03\x01 this is not HTTP\r\n\r\n" : lengthAnswer(req.seq, PEER_RESPONSE_BYTES)),
    ["protocol", null],
  ),
  http1Case(
    "two different content-lengths (RFC 9112 §6.3 rule 5)",
    (req, socket) => socket.write(lengthAnswer(req.seq, PEER_RESPONSE_BYTES, "content-length: 3\r\n")),
    ["protocol", "protocol"],
  ),
  http1Case(
    "a reset instead of an answer",
    (req, socket) => (req.seq === 1 ? socket.resetAndDestroy() : socket.write(lengthAnswer(req.seq, PEER_RESPONSE_BYTES))),
    ["reset", null],
  ),
  http1Case(
    "a close half-way through the body",
    (req, socket) => socket.end(lengthAnswer(req.seq, PEER_RESPONSE_BYTES).subarray(0, 60)),
    ["reset", "reset"],
  ),
];

function wsCase(name: string, script: WsPeerScript, outcomes: H2PeerCase["outcomes"], except?: H2PeerCase["except"]): H2PeerCase {
  return { name, start: (material) => startRawWsPeer(script, PEER_RESPONSE_BYTES, material), outcomes, ...(except ? { except } : {}) };
}

/** An unmasked server frame (RFC 6455 §5.2). */
const BINARY = 0x2;
const CONTINUATION = 0x0;
const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;

function closeFrame(code: number, reason: string): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return frameBytes(CLOSE, payload);
}

/** Legal and broken WebSocket answers (RFC 6455), and what every client must make of them. */
const WEBSOCKET_CASES: readonly H2PeerCase[] = [
  wsCase(
    "an answer in three fragments with a ping between them (RFC 6455 §5.4, §5.5)",
    (msg, conn) => {
      const payload = encodePayload(msg.seq, makeBody(PEER_RESPONSE_BYTES));
      conn.send(frameBytes(BINARY, payload.subarray(0, 10), { fin: false }));
      conn.send(frameBytes(PING, Buffer.from(`ping ${msg.seq}`)));
      conn.send(frameBytes(CONTINUATION, payload.subarray(10, 40), { fin: false }));
      conn.send(frameBytes(CONTINUATION, payload.subarray(40)));
    },
    [null, null],
  ),
  wsCase(
    "an answer coalesced with a ping and a pong in one write",
    (msg, conn) => conn.send(Buffer.concat([frameBytes(PING, Buffer.from("p")), frameBytes(0xa, Buffer.alloc(0)), conn.answerFrame(msg)])),
    [null, null],
  ),
  wsCase(
    "a close frame 1011 instead of the first answer, then a good answer on a new connection",
    (msg, conn) => (msg.connection === 0 ? conn.send(closeFrame(1011, "internal error")) : conn.send(conn.answerFrame(msg))),
    ["status", null],
  ),
  wsCase(
    "a close frame 1001 (going away) instead of the first answer, then a good answer on a new connection",
    (msg, conn) => (msg.connection === 0 ? conn.send(closeFrame(1001, "")) : conn.send(conn.answerFrame(msg))),
    ["reset", null],
  ),
  wsCase(
    "a reset instead of the first answer, then a good answer on a new connection",
    // A TLS socket cannot be reset from Node (only its TCP socket could): it ends without a close_notify instead.
    (msg, conn) => (msg.connection === 0 ? (conn.socket instanceof TLSSocket ? conn.socket.destroy() : conn.socket.resetAndDestroy()) : conn.send(conn.answerFrame(msg))),
    ["reset", null],
  ),
  wsCase(
    "an answer with the wrong seq, then a good one",
    (msg, conn) => conn.send(conn.answerFrame(msg.seq === 1 ? { ...msg, seq: 7 } : msg)),
    ["mismatch", null],
  ),
  wsCase(
    "a text message instead of the first answer, then a good answer on a new connection",
    (msg, conn) => conn.send(msg.connection === 0 ? frameBytes(TEXT, Buffer.from("hello")) : conn.answerFrame(msg)),
    ["protocol", null],
    { "undici-websocket": { outcomes: ["reset", null], why: "the WebSocket API hands a text message to the page as a string; the client closes with 4000, and the lane fails what is pending as a close" } },
  ),
  wsCase(
    "a masked frame from the server (RFC 6455 §5.1), then a good answer on a new connection",
    (msg, conn) => conn.send(msg.connection === 0 ? frameBytes(BINARY, encodePayload(msg.seq, makeBody(PEER_RESPONSE_BYTES)), { mask: Buffer.from([1, 2, 3, 4]) }) : conn.answerFrame(msg)),
    ["protocol", null],
    { "undici-websocket": { outcomes: ["reset", null], why: "undici fails the connection (close code 1006 to the page) without saying why" } },
  ),
];

/** The raw peer's cases for an arm, by its family and stream model. */
function peerCases(protocol: Protocol): readonly H2PeerCase[] {
  const { family, streams } = armOf(protocol);
  switch (family) {
    case "http1":
      return HTTP1_CASES;
    case "http2":
      return HTTP2_PEER_CASES;
    case "grpc":
      return streams === "bidi-stream" ? GRPC_STREAM_PEER_CASES : GRPC_PEER_CASES;
    case "websocket":
      return WEBSOCKET_CASES;
    default:
      return assertNever(family);
  }
}

interface Shape {
  readonly connections: number;
  readonly streams: number;
}

/**
 * How each family is loaded: HTTP/1.1 carries one request at a time, so many requests need several connections;
 * HTTP/2 and gRPC multiplex streams on few, and their large bodies cross frames and flow-control windows on one.
 */
const LOAD: { readonly [F in ProtocolFamily]: { readonly many: Shape & { readonly on: string }; readonly large: Shape & { readonly across: string } } } = {
  http1: { many: { connections: 4, streams: 4, on: "4 connections" }, large: { connections: 2, streams: 4, across: "many reads" } },
  http2: { many: { connections: 2, streams: 16, on: "2 connections of 16 streams" }, large: { connections: 1, streams: 4, across: "frames and flow-control windows" } },
  grpc: { many: { connections: 2, streams: 16, on: "2 connections of 16 streams" }, large: { connections: 1, streams: 4, across: "frames and flow-control windows" } },
  websocket: { many: { connections: 2, streams: 16, on: "2 connections of 16 messages in flight" }, large: { connections: 1, streams: 4, across: "frames with 64-bit lengths and many reads" } },
};

/** Every arm a wire client serves, with every client its row lists (the library ones and the wire one). */
const ROWS: readonly { readonly name: string; readonly protocol: Protocol; readonly kind: ClientKind }[] = OUR_ARMS.filter((arm) =>
  (arm.clients as readonly ClientKind[]).includes("wire"),
).flatMap((arm) => arm.clients.map((kind: ClientKind) => ({ name: `${arm.name} with the ${kind} client`, protocol: arm.name, kind })));

let tls: TlsFiles;
beforeAll(async () => {
  tls = await makeTlsMaterial();
});
afterAll(async () => {
  await tls?.cleanup();
});

function send(client: BenchClient, seq: number): Promise<RequestFailure | null> {
  return new Promise((resolve) => client.send(seq, resolve));
}

describe.each(ROWS)("$name", ({ protocol, kind }) => {
  const { many, large } = LOAD[familyOf(protocol)];

  async function client(port: number, overrides: Partial<ClientOptions>): Promise<BenchClient> {
    const created = await createClientOfKind(kind, {
      protocol,
      host: "127.0.0.1",
      port,
      connections: 1,
      streams: 1,
      requestBytes: 100,
      responseBytes: PEER_RESPONSE_BYTES,
      requestTimeoutMs: 5_000,
      caPem: tls.certPem,
      ...overrides,
    });
    onTestFinished(() => created.close());
    return created;
  }

  async function served(requestBytes: number, responseBytes: number, shape: Shape, settings: Partial<ServerSettings> = {}): Promise<BenchClient> {
    const server = await startServer({
      protocol,
      host: "127.0.0.1",
      port: 0,
      requestBytes,
      responseBytes,
      settings: { ...DEFAULT_SERVER_SETTINGS, ...settings },
      ...(usesTls(protocol) ? { tls } : {}),
    });
    onTestFinished(() => server.close());
    return client(server.port, { requestBytes, responseBytes, connections: shape.connections, streams: shape.streams });
  }

  it(`answers 300 requests on ${many.on}, each checked against its own sequence number`, async () => {
    const c = await served(100, 1_000, many);
    await c.warmUp();
    // Sequence numbers of 1, 3 and 7 varint bytes, interleaved.
    const seqs = Array.from({ length: 300 }, (_, i) => [i, 2 ** 14 + i, 2 ** 42 + i][i % 3] as number);
    const outcomes = await Promise.all(seqs.map((seq) => send(c, seq)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
    expect(c.inFlight).toBe(0);
  });

  it("carries empty bodies both ways", async () => {
    const c = await served(0, 0, { connections: 2, streams: 4 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => send(c, i)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
  });

  it(`carries 256 KiB bodies both ways, across ${large.across}`, async () => {
    const c = await served(256 * 1024, 256 * 1024, large);
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => send(c, i)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
  });

  // Only where a connection carries several requests at once is there a stream limit to respect.
  if (armOf(protocol).streams !== "one-at-a-time") {
    it("answers everything when the server allows fewer concurrent streams than the client would open", async () => {
      const c = await served(100, 100, { connections: 1, streams: 16 }, { maxConcurrentStreams: 3 });
      // After warm-up every client knows the server's SETTINGS (node:http2 sends before it does, and gets REFUSED_STREAM).
      await c.warmUp();
      const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => send(c, i)));
      expect(outcomes.filter((o) => o !== null)).toEqual([]);
    });
  }

  it.each(peerCases(protocol))("$name: the outcomes every client of the arm reports", async (peerCase) => {
    const peer = await peerCase.start(usesTls(protocol) ? tls : undefined);
    onTestFinished(() => peer.close());
    const c = await client(peer.port, {});
    const first = await send(c, 1);
    const second = await send(c, 2);
    expect([first?.kind ?? null, second?.kind ?? null]).toEqual(outcomesFor(peerCase, kind));
  });
});
