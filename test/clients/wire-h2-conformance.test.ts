/**
 * The wire HTTP/2 and gRPC clients held to what the library clients do: every HTTP/2-family and gRPC arm whose row
 * lists a wire client runs the same checks with every client of that row (describe.each), against the library
 * servers on loopback and against the raw HTTP/2 peer giving answers a real server may give and ours never do
 * (test/support/h2-peer-cases.ts). This is test/clients/wire-conformance.test.ts's shape for the HTTP/1.1 arms;
 * the two are meant to become one file, with these peer cases in its PEER_CASES.
 */

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { armOf, ARMS, assertNever, DEFAULT_SERVER_SETTINGS, usesTls } from "../../contract/index.ts";
import type { BenchClient, ClientKind, ClientOptions, Protocol, RequestFailure, ServerSettings } from "../../contract/index.ts";
import { startServer } from "../../servers/index.ts";
import { GRPC_PEER_CASES, GRPC_STREAM_PEER_CASES, HTTP2_PEER_CASES, outcomesFor, PEER_RESPONSE_BYTES } from "../support/h2-peer-cases.ts";
import type { H2PeerCase } from "../support/h2-peer-cases.ts";

/** The raw peer's cases for an arm, by its family and stream model. */
function peerCases(protocol: Protocol): readonly H2PeerCase[] {
  const { family, streams } = armOf(protocol);
  switch (family) {
    case "http1":
      return [];
    case "http2":
      return HTTP2_PEER_CASES;
    case "grpc":
      return streams === "bidi-stream" ? GRPC_STREAM_PEER_CASES : GRPC_PEER_CASES;
    default:
      return assertNever(family);
  }
}

/** Every HTTP/2 and gRPC arm a wire client serves, with every client its row lists. */
const ROWS: readonly { readonly name: string; readonly protocol: Protocol; readonly kind: ClientKind }[] = ARMS.filter(
  (arm) => arm.family !== "http1" && (arm.clients as readonly ClientKind[]).includes("wire"),
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

  async function served(requestBytes: number, responseBytes: number, options: Partial<ClientOptions>, settings: Partial<ServerSettings> = {}): Promise<BenchClient> {
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
    return client(server.port, { requestBytes, responseBytes, ...options });
  }

  it("answers 300 requests on 2 connections of 16 streams, each checked against its own sequence number", async () => {
    const c = await served(100, 1_000, { connections: 2, streams: 16 });
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

  it("carries 256 KiB bodies both ways, across frames and flow-control windows", async () => {
    const c = await served(256 * 1024, 256 * 1024, { connections: 1, streams: 4 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => send(c, i)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
  });

  it("answers everything when the server allows fewer concurrent streams than the client would open", async () => {
    const c = await served(100, 100, { connections: 1, streams: 16 }, { maxConcurrentStreams: 3 });
    // After warm-up every client knows the server's SETTINGS (node:http2 sends before it does, and gets REFUSED_STREAM).
    await c.warmUp();
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => send(c, i)));
    expect(outcomes.filter((o) => o !== null)).toEqual([]);
  });

  it.each(peerCases(protocol))("$name: the outcomes every client of the arm reports", async (peerCase) => {
    const peer = await peerCase.start(usesTls(protocol) ? tls : undefined);
    onTestFinished(() => peer.close());
    const c = await client(peer.port, {});
    const first = await send(c, 1);
    const second = await send(c, 2);
    expect([first?.kind ?? null, second?.kind ?? null]).toEqual(outcomesFor(peerCase, kind));
  });
});
