import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../bench/run/tls.ts";
import type { TlsFiles } from "../bench/run/tls.ts";
import { armOf, assertNever, DEFAULT_SERVER_SETTINGS, OUR_ARMS, usesTls } from "../contract/index.ts";
import type { BenchClient, ClientKind, ClientOptions, Protocol, RequestFailure, RunningServer, ServerOptions } from "../contract/index.ts";
import { createClientOfKind } from "../clients/index.ts";
import { bodyLooksRight, makeBody } from "../proto/codec.ts";
import { grpcAddress, loadBenchService } from "../proto/grpc-service.ts";
import type { PayloadMessage } from "../proto/grpc-service.ts";
import { startServer } from "../servers/index.ts";
import { resetMidRequest, startCountingProxy, startFakeServer } from "./support/misbehaving-peers.ts";

const REQUEST_BYTES = 100;
const RESPONSE_BYTES = 1_000;

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

/**
 * Requests a client puts on the wire at once, as the arm's stream model promises: one per connection, or `streams`
 * per connection (as streams, or as messages on the one bidi call).
 */
function expectedOnWire(protocol: Protocol, connections: number, streams: number): number {
  const model = armOf(protocol).streams;
  switch (model) {
    case "one-at-a-time":
      return connections;
    case "multiplexed":
    case "bidi-stream":
      return connections * streams;
    default:
      return assertNever(model);
  }
}

/** TCP connections a client is expected to open for `requests` requests (warm-up included), as its connection model promises. */
function expectedConnections(protocol: Protocol, connections: number, requests: number): number {
  const model = armOf(protocol).connection;
  switch (model) {
    case "per-request":
      return requests;
    case "keep-alive":
      return connections;
    default:
      return assertNever(model);
  }
}

/** Every arm with every client its row lists: the default under the arm's name, the others (`--grpc-client lean`) named. */
const DRIVEN: readonly { readonly name: string; readonly protocol: Protocol; readonly kind: ClientKind }[] = OUR_ARMS.flatMap((arm) =>
  arm.clients.map((kind: ClientKind, i) => ({ name: i === 0 ? arm.name : `${arm.name} (${kind} client)`, protocol: arm.name, kind })),
);

describe.each(DRIVEN)("the $name arm", ({ protocol, kind }) => {
  function serverOptions(): ServerOptions {
    return {
      protocol,
      host: "127.0.0.1",
      port: 0,
      requestBytes: REQUEST_BYTES,
      responseBytes: RESPONSE_BYTES,
      settings: DEFAULT_SERVER_SETTINGS,
      ...(usesTls(protocol) ? { tls } : {}),
    };
  }

  async function server(): Promise<RunningServer> {
    const running = await startServer(serverOptions());
    onTestFinished(() => running.close());
    return running;
  }

  async function client(port: number, overrides: Partial<ClientOptions> = {}): Promise<BenchClient> {
    const created = await createClientOfKind(kind, {
      protocol,
      host: "127.0.0.1",
      port,
      connections: 1,
      streams: 1,
      requestBytes: REQUEST_BYTES,
      responseBytes: RESPONSE_BYTES,
      requestTimeoutMs: 5_000,
      caPem: tls.certPem,
      ...overrides,
    });
    onTestFinished(() => created.close());
    return created;
  }

  it("answers a request with its seq and a body of responseBytes", async () => {
    const { port } = await server();
    const c = await client(port);
    await c.warmUp();
    expect(await send(c, 42)).toBeNull();
    expect(await send(c, 2 ** 40)).toBeNull();
    expect(c.inFlight).toBe(0);
  });

  it("rejects a request body of the wrong size, which the client reports as a status failure", async () => {
    const { port } = await server();
    const c = await client(port, { requestBytes: REQUEST_BYTES + 1 });
    const outcome = await send(c, 7);
    expect(outcome?.kind).toBe("status");
    expect(c.inFlight).toBe(0);
  });

  it("keeps serving after a client resets a request half-way", async () => {
    const { port } = await server();
    await resetMidRequest(serverOptions(), port);
    const c = await client(port);
    expect(await send(c, 3)).toBeNull();
  });

  it("reports a request to a port nobody listens on as a connect failure", async () => {
    const gone = await startServer(serverOptions());
    await gone.close();
    const c = await client(gone.port);
    expect((await send(c, 4))?.kind).toBe("connect");
    expect(c.inFlight).toBe(0);
  });

  it.runIf(usesTls(protocol))("refuses a server whose certificate the run's authority did not sign, sending nothing", async () => {
    const other = await makeTlsMaterial();
    onTestFinished(() => other.cleanup());
    let arrived = 0;
    // A correct server in every way but its certificate: another run's.
    const impostor = await startFakeServer({ ...serverOptions(), tls: other }, "wrong-seq", () => arrived++);
    onTestFinished(() => impostor.close());
    const c = await client(impostor.port);
    const failure = await send(c, 5);
    expect(failure?.kind).toBe("connect");
    expect(arrived).toBe(0);
    expect(c.inFlight).toBe(0);
  });

  it("counts an answer with the wrong seq as a mismatch", async () => {
    const fake = await startFakeServer(serverOptions(), "wrong-seq");
    onTestFinished(() => fake.close());
    const c = await client(fake.port);
    expect((await send(c, 5))?.kind).toBe("mismatch");
    expect((await send(c, 6))?.kind).toBe("mismatch");
    expect(c.inFlight).toBe(0);
  });

  it("counts an answer with a body of the wrong size as a mismatch", async () => {
    const fake = await startFakeServer(serverOptions(), "short-body");
    onTestFinished(() => fake.close());
    const c = await client(fake.port);
    expect((await send(c, 8))?.kind).toBe("mismatch");
    expect(c.inFlight).toBe(0);
  });

  it("completes 200 concurrent sends over 2 connections of 8 streams, and inFlight returns to 0", async () => {
    const { port } = await server();
    const c = await client(port, { connections: 2, streams: 8 });
    await c.warmUp();
    const pending = Array.from({ length: 200 }, (_, i) => send(c, 1_000 + i));
    expect(c.inFlight).toBeGreaterThan(0);
    const outcomes = await Promise.all(pending);
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
    expect(c.inFlight).toBe(0);
  });

  it("opens the TCP connections the arm promises", async () => {
    const { port } = await server();
    const proxy = await startCountingProxy(port);
    onTestFinished(() => proxy.close());
    const connections = 3;
    const c = await client(proxy.port, { connections, streams: 4 });
    await c.warmUp();
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => send(c, i)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
    expect(proxy.connections).toBe(expectedConnections(protocol, connections, connections + 12));
  });

  it("keeps at most connections × streams requests on the wire and queues the rest in the client", async () => {
    const onWire = expectedOnWire(protocol, 2, 3);
    let received = 0;
    let allArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    const fake = await startFakeServer(serverOptions(), "silent", () => {
      if (++received === onWire) allArrived();
    });
    onTestFinished(() => fake.close());
    const c = await client(fake.port, { connections: 2, streams: 3 });
    const outcomes = Array.from({ length: 20 }, (_, i) => send(c, i));
    await arrived;
    // Nothing more may follow: the rest wait in the client until a slot frees.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toBe(onWire);
    expect(c.inFlight).toBe(20);
    await c.close();
    expect((await Promise.all(outcomes)).map((o) => o?.kind)).toEqual(Array(20).fill("reset"));
  });

  it("fails outstanding requests with reset when the client closes", async () => {
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const fake = await startFakeServer(serverOptions(), "silent", () => arrived());
    onTestFinished(() => fake.close());
    const c = await client(fake.port);
    const outcome = send(c, 9);
    await received;
    expect(c.inFlight).toBe(1);
    await c.close();
    expect((await outcome)?.kind).toBe("reset");
    expect(c.inFlight).toBe(0);
    expect((await send(c, 10))?.kind).toBe("reset");
  });

  it("fails a request that gets no answer within requestTimeoutMs with timeout", async () => {
    const fake = await startFakeServer(serverOptions(), "silent");
    onTestFinished(() => fake.close());
    const c = await client(fake.port, { requestTimeoutMs: 100 });
    const outcome = await send(c, 11);
    expect(outcome?.kind).toBe("timeout");
    expect(c.inFlight).toBe(0);
  });
});

describe("the gRPC server's ServerStream method", () => {
  async function serverStream(requestBytes: number): Promise<{ messages: PayloadMessage[]; error: grpc.ServiceError | null }> {
    const running = await startServer({
      protocol: "grpc",
      host: "127.0.0.1",
      port: 0,
      requestBytes: REQUEST_BYTES,
      responseBytes: RESPONSE_BYTES,
      settings: { ...DEFAULT_SERVER_SETTINGS, streamMessages: 3 },
    });
    onTestFinished(() => running.close());
    const { Client } = loadBenchService();
    const stub = new Client(grpcAddress("127.0.0.1", running.port), grpc.credentials.createInsecure());
    onTestFinished(() => stub.close());
    const call = stub.ServerStream({ seq: 77, body: makeBody(requestBytes) });
    const messages: PayloadMessage[] = [];
    call.on("data", (message: PayloadMessage) => messages.push(message));
    return new Promise((resolve) => {
      let error: grpc.ServiceError | null = null;
      call.on("error", (err: grpc.ServiceError) => (error = err));
      call.on("status", () => resolve({ messages, error }));
    });
  }

  it("answers with streamMessages messages, each echoing the seq with a responseBytes body", async () => {
    const { messages, error } = await serverStream(REQUEST_BYTES);
    expect(error).toBeNull();
    expect(messages.map((m) => m.seq)).toEqual([77, 77, 77]);
    expect(messages.every((m) => bodyLooksRight(m.body, RESPONSE_BYTES))).toBe(true);
  });

  it("refuses a request body of the wrong size with INVALID_ARGUMENT", async () => {
    const { messages, error } = await serverStream(REQUEST_BYTES - 1);
    expect(messages).toEqual([]);
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
