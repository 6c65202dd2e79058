/**
 * The WebSocket arms (RFC 6455) beyond what every arm is held to (test/protocol-contract.test.ts,
 * test/clients/wire-conformance.test.ts): servers/websocket fed fragmented and coalesced frames, pings and a close
 * by a hand-written client; both clients fed coalesced answers and pings by a hand-written server; and the wire
 * client's framing, exactly.
 */

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { acceptFor, handshakeProblem } from "../../clients/wire/websocket/connection.ts";
import { encodeClientFrame, FrameError, FrameReader, MaskKeys } from "../../clients/wire/websocket/frames.ts";
import type { FrameSink } from "../../clients/wire/websocket/frames.ts";
import { DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";
import type { BenchClient, ClientKind, Protocol, RequestFailure } from "../../contract/index.ts";
import { decodePayload, encodePayload, makeBody } from "../../proto/codec.ts";
import { startServer } from "../../servers/index.ts";
import { clientFrame, frameBytes, parseFrames, readServerFrames, startRawWsPeer, wsHandshake } from "../support/raw-ws-peer.ts";
import type { WsFrame } from "../support/raw-ws-peer.ts";

const BINARY = 0x2;
const TEXT = 0x1;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

let tls: TlsFiles;
beforeAll(async () => {
  tls = await makeTlsMaterial();
});
afterAll(async () => {
  await tls?.cleanup();
});

async function wsServer(requestBytes: number, responseBytes: number): Promise<number> {
  const server = await startServer({ protocol: "ws", host: "127.0.0.1", port: 0, requestBytes, responseBytes, settings: DEFAULT_SERVER_SETTINGS });
  onTestFinished(() => server.close());
  return server.port;
}

function seqOf(frame: WsFrame): number {
  return decodePayload(frame.payload).seq;
}

describe("servers/websocket, fed by a hand-written client", () => {
  it("answers a request sent in three fragments with a ping between them, and pongs the ping", async () => {
    const port = await wsServer(100, 50);
    const { socket, rest } = await wsHandshake(port);
    onTestFinished(() => void socket.destroy());
    const request = encodePayload(9, makeBody(100));
    socket.write(clientFrame(BINARY, request.subarray(0, 5), false));
    socket.write(clientFrame(PING, Buffer.from("are you there")));
    socket.write(clientFrame(CONTINUATION, request.subarray(5, 60), false));
    socket.write(clientFrame(CONTINUATION, request.subarray(60), true));
    const frames = await readServerFrames(socket, rest, (f) => f.length >= 2);
    expect(frames.map((f) => [f.opcode, f.fin, f.masked])).toEqual([
      [PONG, true, false],
      [BINARY, true, false],
    ]);
    expect(frames[0]?.payload.toString()).toBe("are you there");
    const answer = decodePayload(frames[1]?.payload ?? Buffer.alloc(0));
    expect(answer.seq).toBe(9);
    expect(Buffer.from(answer.body).equals(Buffer.from(makeBody(50)))).toBe(true);
  });

  it("answers three requests coalesced in one write, in order", async () => {
    const port = await wsServer(10, 10);
    const { socket, rest } = await wsHandshake(port);
    onTestFinished(() => void socket.destroy());
    socket.write(Buffer.concat([1, 2, 3].map((seq) => clientFrame(BINARY, encodePayload(seq, makeBody(10))))));
    const frames = await readServerFrames(socket, rest, (f) => f.length >= 3);
    expect(frames.map(seqOf)).toEqual([1, 2, 3]);
  });

  it("answers a close with a close of the same code, then ends the connection", async () => {
    const port = await wsServer(10, 10);
    const { socket, rest } = await wsHandshake(port);
    const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(clientFrame(CLOSE, Buffer.from([0x03, 0xe8])));
    const frames = await readServerFrames(socket, rest, (f) => f.length >= 1);
    expect(frames.map((f) => [f.opcode, f.payload.readUInt16BE(0)])).toEqual([[CLOSE, 1000]]);
    await ended;
  });

  it("closes with 1003 on a text message and 1007 on a body of the wrong size", async () => {
    const port = await wsServer(10, 10);
    const codes: number[] = [];
    for (const frame of [clientFrame(TEXT, Buffer.from("hello")), clientFrame(BINARY, encodePayload(1, makeBody(11)))]) {
      const { socket, rest } = await wsHandshake(port);
      onTestFinished(() => void socket.destroy());
      socket.write(frame);
      const frames = await readServerFrames(socket, rest, (f) => f.length >= 1);
      codes.push(frames[0]?.opcode === CLOSE ? (frames[0]?.payload.readUInt16BE(0) ?? 0) : -1);
    }
    expect(codes).toEqual([1003, 1007]);
  });

  it("declines permessage-deflate when a client offers it", async () => {
    const port = await wsServer(10, 10);
    const { socket, head } = await wsHandshake(port, undefined, "sec-websocket-extensions: permessage-deflate; client_max_window_bits\r\n");
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head.toLowerCase()).not.toContain("sec-websocket-extensions");
  });
});

const CLIENTS: readonly { readonly protocol: Protocol; readonly kind: ClientKind }[] = [
  { protocol: "ws", kind: "wire" },
  { protocol: "ws", kind: "undici-websocket" },
  { protocol: "wss", kind: "wire" },
  { protocol: "wss", kind: "undici-websocket" },
];

function send(client: BenchClient, seq: number): Promise<RequestFailure | null> {
  return new Promise((resolve) => client.send(seq, resolve));
}

describe.each(CLIENTS)("the $kind client of $protocol, fed by a hand-written server", ({ protocol, kind }) => {
  async function clientOf(port: number, streams: number): Promise<BenchClient> {
    const client = await createClientOfKind(kind, {
      protocol,
      host: "127.0.0.1",
      port,
      connections: 1,
      streams,
      requestBytes: 20,
      responseBytes: 30,
      requestTimeoutMs: 5_000,
      caPem: tls.certPem,
    });
    onTestFinished(() => client.close());
    return client;
  }

  it("takes four answers coalesced with a ping in one write, and pongs it", async () => {
    const held: Buffer[] = [];
    const peer = await startRawWsPeer(
      (msg, conn) => {
        held.push(conn.answerFrame(msg));
        if (held.length === 4) conn.send(Buffer.concat([held[0] as Buffer, frameBytes(PING, Buffer.from("x1")), ...held.slice(1)]));
      },
      30,
      protocol === "wss" ? tls : undefined,
    );
    onTestFinished(() => peer.close());
    const client = await clientOf(peer.port, 4);
    const outcomes = await Promise.all([11, 12, 13, 14].map((seq) => send(client, seq)));
    expect(outcomes).toEqual([null, null, null, null]);
    expect(peer.messages.map((m) => m.seq)).toEqual([11, 12, 13, 14]);
    // The pong may trail the answers it was coalesced with.
    await expect.poll(() => peer.frames.filter((f) => f.opcode === PONG).map((f) => f.payload.toString()), { timeout: 5_000 }).toEqual(["x1"]);
    expect(peer.frames.every((f) => f.masked)).toBe(true);
  });

  it("closes with a close frame of its own when closed", async () => {
    const peer = await startRawWsPeer((msg, conn) => conn.send(conn.answerFrame(msg)), 30, protocol === "wss" ? tls : undefined);
    onTestFinished(() => peer.close());
    const client = await clientOf(peer.port, 1);
    expect(await send(client, 1)).toBeNull();
    await client.close();
    await expect.poll(() => peer.frames.filter((f) => f.opcode === CLOSE).map((f) => f.payload.readUInt16BE(0)), { timeout: 5_000 }).toEqual([1000]);
  });
});

describe("the wire client's framing", () => {
  it("masks every frame with a fresh key and writes 7-bit, 16-bit and 64-bit lengths (RFC 6455 §5.2)", () => {
    const keys = new MaskKeys();
    for (const length of [0, 125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(length, 0x5a);
      const frame = encodeClientFrame(BINARY, payload, keys);
      const ext = length < 126 ? 0 : length < 65_536 ? 2 : 8;
      expect(frame.length).toBe(2 + ext + 4 + length);
      expect(frame[0]).toBe(0x82);
      expect(frame[1]).toBe(0x80 | (ext === 0 ? length : ext === 2 ? 126 : 127));
      const parsed = parseFrames(frame);
      expect(parsed.rest.length).toBe(0);
      expect(parsed.frames[0]?.masked).toBe(true);
      expect(parsed.frames[0]?.payload.equals(payload)).toBe(true);
    }
    const a = encodeClientFrame(BINARY, Buffer.alloc(4), keys);
    const b = encodeClientFrame(BINARY, Buffer.alloc(4), keys);
    // A zero payload masked is the key itself: two frames, two keys.
    expect(a.subarray(2, 6).equals(b.subarray(2, 6))).toBe(false);
    expect(a.subarray(6).equals(a.subarray(2, 6))).toBe(true);
  });

  function reading(): { sink: FrameSink; events: string[] } {
    const events: string[] = [];
    const sink: FrameSink = {
      onMessage: (opcode, payload) => events.push(`message ${opcode} ${Buffer.from(payload).toString("hex")}`),
      onPing: (payload) => events.push(`ping ${Buffer.from(payload).toString()}`),
      onPong: (payload) => events.push(`pong ${Buffer.from(payload).toString()}`),
      onClose: (code, reason) => events.push(`close ${code} ${reason}`),
    };
    return { sink, events };
  }

  it("reads the same events whatever the reads' boundaries: every split of a fragmented message, pings and a close", () => {
    const stream = Buffer.concat([
      frameBytes(BINARY, Buffer.from("0102", "hex"), { fin: false }),
      frameBytes(PING, Buffer.from("hi")),
      frameBytes(CONTINUATION, Buffer.alloc(300, 0xab), { fin: false }),
      frameBytes(CONTINUATION, Buffer.from("ff", "hex")),
      frameBytes(PONG, Buffer.alloc(0)),
      frameBytes(BINARY, Buffer.from("07", "hex")),
      frameBytes(CLOSE, Buffer.from([0x03, 0xf3, 0x62, 0x79, 0x65])),
    ]);
    const expected = [
      "ping hi",
      `message 2 0102${"ab".repeat(300)}ff`,
      "pong ",
      "message 2 07",
      "close 1011 bye",
    ];
    for (let split = 0; split <= stream.length; split++) {
      const { sink, events } = reading();
      const reader = new FrameReader(sink, 1_000);
      reader.push(stream.subarray(0, split));
      reader.push(stream.subarray(split));
      expect(events, `split at ${split}`).toEqual(expected);
    }
    const { sink, events } = reading();
    const reader = new FrameReader(sink, 1_000);
    for (const byte of stream) reader.push(Buffer.from([byte]));
    expect(events).toEqual(expected);
  });

  it.each([
    ["a masked server frame", frameBytes(BINARY, Buffer.from("x"), { mask: Buffer.from([1, 2, 3, 4]) }), 1002],
    ["RSV1 without permessage-deflate", frameBytes(BINARY, Buffer.from("x"), { rsv: 4 }), 1002],
    ["a fragmented ping", frameBytes(PING, Buffer.from("x"), { fin: false }), 1002],
    ["a continuation with no message", frameBytes(CONTINUATION, Buffer.from("x")), 1002],
    ["a new message inside a fragmented one", Buffer.concat([frameBytes(BINARY, Buffer.from("x"), { fin: false }), frameBytes(BINARY, Buffer.from("y"))]), 1002],
    ["a message over the limit", frameBytes(BINARY, Buffer.alloc(1_001)), 1009],
    ["the reserved opcode 0x3", frameBytes(0x3, Buffer.from("x")), 1002],
  ])("refuses %s with close code %i", (_name, bytes, code) => {
    const reader = new FrameReader(reading().sink, 1_000);
    let caught: unknown;
    try {
      reader.push(bytes);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FrameError);
    expect((caught as FrameError).closeCode).toBe(code);
  });

  it("checks the handshake response as RFC 6455 §4.1 asks of a client", () => {
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    // The example of RFC 6455 §1.3.
    expect(acceptFor(key)).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    const good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    expect(handshakeProblem(good, key)).toBeNull();
    expect(handshakeProblem(good.replace("101 Switching Protocols", "200 OK"), key)).toBe("HTTP status 200 instead of 101 Switching Protocols");
    expect(handshakeProblem(good.replace("s3pP", "AAAA"), key)).toBe("a wrong sec-websocket-accept");
    expect(handshakeProblem(`${good}\r\nSec-WebSocket-Extensions: permessage-deflate`, key)).toBe("an extension we did not offer");
    expect(handshakeProblem(good.replace("Upgrade: websocket\r\n", ""), key)).toBe("no `upgrade: websocket` in the 101");
  });
});

describe("servers/websocket with wsDeflate", () => {
  it("accepts permessage-deflate when offered, and compresses the answers undici's WebSocket then inflates", async () => {
    const server = await startServer({
      protocol: "ws",
      host: "127.0.0.1",
      port: 0,
      requestBytes: 10,
      responseBytes: 4_000,
      settings: { ...DEFAULT_SERVER_SETTINGS, wsDeflate: true },
    });
    onTestFinished(() => server.close());
    const { socket, head, rest } = await wsHandshake(server.port, undefined, "sec-websocket-extensions: permessage-deflate\r\n");
    onTestFinished(() => void socket.destroy());
    expect(head.toLowerCase()).toMatch(/\r\nsec-websocket-extensions: permessage-deflate/);
    socket.write(clientFrame(BINARY, encodePayload(5, makeBody(10))));
    const [answer] = await readServerFrames(socket, rest, (f) => f.length >= 1);
    // RSV1 marks a compressed message (RFC 7692 §6); the 4 000-byte filler shrinks to under a quarter.
    expect(answer?.rsv).toBe(4);
    expect(answer?.payload.length).toBeLessThan(1_000);

    const client = await createClientOfKind("undici-websocket", {
      protocol: "ws",
      host: "127.0.0.1",
      port: server.port,
      connections: 1,
      streams: 2,
      requestBytes: 10,
      responseBytes: 4_000,
      requestTimeoutMs: 5_000,
    });
    onTestFinished(() => client.close());
    expect(await Promise.all([1, 2, 3].map((seq) => send(client, seq)))).toEqual([null, null, null]);
  });
});
