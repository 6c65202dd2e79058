import https from "node:https";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { createHttp1WireClient } from "../../clients/wire/http1/client.ts";
import type { Http1WireOptions } from "../../clients/wire/http1/client.ts";
import type { BenchClient, RequestFailure } from "../../contract/index.ts";
import { decodePayload, encodePayload, makeBody, PROTOBUF_CONTENT_TYPE } from "../../proto/codec.ts";
import { clientSecureContext } from "../../clients/common/tls-context.ts";
import { lengthAnswer, startRawHttp1Peer } from "../support/raw-http1-peer.ts";
import type { PeerScript, RawHttp1Peer } from "../support/raw-http1-peer.ts";

const REQUEST_BYTES = 10;
const RESPONSE_BYTES = 20;

function send(client: BenchClient, seq: number): Promise<RequestFailure | null> {
  return new Promise((resolve) => client.send(seq, resolve));
}

function client(port: number, overrides: Partial<Http1WireOptions> = {}): BenchClient {
  const created = createHttp1WireClient({
    host: "127.0.0.1",
    port,
    connections: 1,
    requestBytes: REQUEST_BYTES,
    responseBytes: RESPONSE_BYTES,
    requestTimeoutMs: 5_000,
    connection: "keep-alive",
    tls: null,
    ...overrides,
  });
  onTestFinished(() => created.close());
  return created;
}

async function peer(script: PeerScript): Promise<RawHttp1Peer> {
  const started = await startRawHttp1Peer(script);
  onTestFinished(() => started.close());
  return started;
}

/** Answers every request correctly. */
const answer: PeerScript = (req, socket) => socket.write(lengthAnswer(req.seq, RESPONSE_BYTES));

describe("the wire HTTP/1.1 client on the wire", () => {
  it("sends the pre-encoded request with the seq's payload, several on one keep-alive connection", async () => {
    const p = await peer(answer);
    const c = client(p.port);
    for (const seq of [1, 300, 2 ** 40]) expect(await send(c, seq)).toBeNull();
    const payload = encodePayload(300, makeBody(REQUEST_BYTES));
    expect(p.requests[1]?.bytes.equals(Buffer.concat([
      Buffer.from(`POST /wirecost.Bench/Unary HTTP/1.1\r\nhost: 127.0.0.1:${p.port}\r\ncontent-type: ${PROTOBUF_CONTENT_TYPE}\r\ncontent-length: ${payload.length}\r\n\r\n`, "latin1"),
      payload,
    ]))).toBe(true);
    expect(p.requests.map((r) => [r.connection, r.indexOnConnection, r.seq])).toEqual([[0, 0, 1], [0, 1, 300], [0, 2, 2 ** 40]]);
  });

  it("sends connection: close and opens a connection per request for http1-close", async () => {
    const p = await peer((req, socket) => socket.end(lengthAnswer(req.seq, RESPONSE_BYTES, "connection: close\r\n")));
    const c = client(p.port, { connection: "per-request", connections: 2 });
    const outcomes = await Promise.all([0, 1, 2, 3, 4].map((seq) => send(c, seq)));
    expect(outcomes).toEqual([null, null, null, null, null]);
    expect(p.connections).toBe(5);
    expect(p.requests.every((r) => r.indexOnConnection === 0 && r.head.includes("\r\nconnection: close\r\n"))).toBe(true);
  });

  it("queues requests beyond its connections and sends them in the order they were sent", async () => {
    const p = await peer(answer);
    const c = client(p.port, { connections: 2 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, seq) => send(c, seq)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
    expect(p.requests.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.connections).toBe(2);
  });

  it("warms up by completing one request on each of its connections", async () => {
    const p = await peer(answer);
    const c = client(p.port, { connections: 3 });
    await c.warmUp();
    expect(p.requests.map((r) => [r.connection, r.indexOnConnection]).sort()).toEqual([[0, 0], [1, 0], [2, 0]]);
  });

  it("opens a new connection after the server closes the keep-alive one", async () => {
    const p = await peer((req, socket) => socket.end(lengthAnswer(req.seq, RESPONSE_BYTES, "Connection: close\r\n")));
    const c = client(p.port);
    expect(await send(c, 1)).toBeNull();
    expect(await send(c, 2)).toBeNull();
    expect(p.connections).toBe(2);
  });

  it("skips a 100 Continue before the answer, which RFC 9110 §15.2 says a client must parse even unasked", async () => {
    // undici refuses it ("bad response", a reset: lib/dispatcher/client-h1.js onHeadersComplete), so this is not
    // in the conformance suite.
    const p = await peer((req, socket) => socket.write(Buffer.concat([Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"), lengthAnswer(req.seq, RESPONSE_BYTES)])));
    const c = client(p.port);
    expect(await send(c, 1)).toBeNull();
    expect(await send(c, 2)).toBeNull();
    expect(p.connections).toBe(1);
  });

  it("fails an answer that is not HTTP as protocol, and the next request goes out on a new connection", async () => {
    const p = await peer((req, socket) => socket.write(req.seq === 1 ? "garbage\r\n\r\n" : lengthAnswer(req.seq, RESPONSE_BYTES)));
    const c = client(p.port);
    expect(await send(c, 1)).toEqual({ kind: "protocol", message: "the response does not start with an HTTP/1.x status line" });
    expect(await send(c, 2)).toBeNull();
    expect(p.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it("fails a request as reset when the server resets the connection or closes it inside the answer", async () => {
    const p = await peer((req, socket) => {
      if (req.seq === 1) socket.resetAndDestroy();
      else socket.end(lengthAnswer(req.seq, RESPONSE_BYTES).subarray(0, 50));
    });
    const c = client(p.port);
    expect((await send(c, 1))?.kind).toBe("reset");
    expect(await send(c, 2)).toEqual({ kind: "reset", message: "the server closed the connection before the answer" });
    expect(c.inFlight).toBe(0);
  });

  it("closes a connection that brings an answer nobody asked for", async () => {
    const p = await peer((req, socket) => socket.write(Buffer.concat([lengthAnswer(req.seq, RESPONSE_BYTES), lengthAnswer(99, RESPONSE_BYTES)])));
    const c = client(p.port);
    expect(await send(c, 1)).toBeNull();
    expect(await send(c, 2)).toBeNull();
    expect(p.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it("closes the connection of a timed-out request and sends the next on a new one", async () => {
    const p = await peer((req, socket) => {
      if (req.seq !== 1) socket.write(lengthAnswer(req.seq, RESPONSE_BYTES));
    });
    const c = client(p.port, { requestTimeoutMs: 100 });
    expect(await send(c, 1)).toEqual({ kind: "timeout", message: "no answer within 100 ms" });
    expect(await send(c, 2)).toBeNull();
    expect(p.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it("fails a seq that is not a safe non-negative integer at once", async () => {
    const c = client(9);
    expect((await send(c, -1))?.kind).toBe("other");
    expect(c.inFlight).toBe(0);
  });
});

describe("the wire HTTP/1.1 client over TLS", () => {
  let tls: TlsFiles;
  let other: TlsFiles;
  beforeAll(async () => {
    [tls, other] = await Promise.all([makeTlsMaterial(), makeTlsMaterial()]);
  });
  afterAll(async () => {
    await Promise.all([tls?.cleanup(), other?.cleanup()]);
  });

  /** Whether each request's TLS connection resumed a session, in the order the requests arrived. */
  let resumed: boolean[] = [];

  async function httpsServer(): Promise<number> {
    resumed = [];
    const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      resumed.push((req.socket as TLSSocket).isSessionReused());
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const { seq } = decodePayload(Buffer.concat(chunks));
        res.writeHead(200, { "content-type": PROTOBUF_CONTENT_TYPE }).end(encodePayload(seq, makeBody(RESPONSE_BYTES)));
      });
    });
    await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
    onTestFinished(() => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    return address.port;
  }

  it("speaks to a node:https server that trusts the run's CA, keep-alive and per request", async () => {
    const port = await httpsServer();
    for (const connection of ["keep-alive", "per-request"] as const) {
      const c = client(port, { connections: 2, connection, tls: { secureContext: clientSecureContext(tls.certPem), servername: "localhost" } });
      await c.warmUp();
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => send(c, 1_000 + i)));
      expect(outcomes.filter((o) => o !== null)).toEqual([]);
    }
  });

  it("resumes the TLS session on every connection after the first, as undici does", async () => {
    const port = await httpsServer();
    const c = client(port, { connection: "per-request", tls: { secureContext: clientSecureContext(tls.certPem), servername: "localhost" } });
    for (let seq = 0; seq < 4; seq++) expect(await send(c, seq)).toBeNull();
    expect(resumed).toEqual([false, true, true, true]);
  });

  it("fails to connect when the server's certificate is not signed by the CA it trusts", async () => {
    const port = await httpsServer();
    const c = client(port, { tls: { secureContext: clientSecureContext(other.certPem), servername: "localhost" } });
    expect((await send(c, 1))?.kind).toBe("connect");
  });
});
