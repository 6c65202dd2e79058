/**
 * The HTTP/1.1 clients resume TLS sessions as browsers do, and count which handshakes resumed: on `https1-close`, a
 * connection per request, only the connections opened before any session arrived need a full handshake; later ones
 * offer the last session the server issued and resume it — with TLS 1.3's tickets (sent after the handshake, RFC
 * 8446 §4.6.1, so read with the first answer) as with TLS 1.2's. The real servers/http1 server, on loopback.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { DEFAULT_SERVER_SETTINGS, TLS_VERSIONS } from "../../contract/index.ts";
import type { BenchClient, ClientKind, Protocol, TlsHandshakeCounts, TlsParameters } from "../../contract/index.ts";
import { startServer } from "../../servers/index.ts";

let material: TlsFiles;
beforeAll(async () => {
  material = await makeTlsMaterial();
});
afterAll(async () => {
  await material?.cleanup();
});

/** A client, and the handshakes it has reported so far. */
async function clientFor(protocol: Protocol, kind: ClientKind, connections: number, tlsParameters: TlsParameters): Promise<[BenchClient, () => TlsHandshakeCounts]> {
  const server = await startServer({ protocol, host: "127.0.0.1", port: 0, requestBytes: 16, responseBytes: 16, settings: DEFAULT_SERVER_SETTINGS, tls: material, tlsParameters });
  onTestFinished(() => server.close());
  const client = await createClientOfKind(kind, {
    protocol, host: "127.0.0.1", port: server.port, connections, streams: 1, requestBytes: 16, responseBytes: 16, requestTimeoutMs: 5000,
    caPem: material.certPem, tlsParameters,
  });
  onTestFinished(() => client.close());
  let full = 0;
  let resumed = 0;
  expect(client.onTlsHandshake).toBeTypeOf("function");
  client.onTlsHandshake?.((wasResumed) => (wasResumed ? resumed++ : full++));
  return [client, () => ({ full, resumed })];
}

/** `count` requests one after another, each answered before the next is sent. */
async function sendInTurn(client: BenchClient, count: number): Promise<void> {
  for (let seq = 100; seq < 100 + count; seq++) {
    const outcome = await new Promise((resolve) => client.send(seq, resolve));
    expect(outcome).toBeNull();
  }
}

const CASES = (["undici", "wire"] as const).flatMap((kind) => TLS_VERSIONS.map((version): [ClientKind, TlsParameters] => [kind, { version, ciphers: null }]));

describe.each(CASES)("the %s client, %j", (kind, tlsParameters) => {
  it("on https1-close: one full handshake, then 20 requests on 20 resumed sessions", async () => {
    const [client, handshakes] = await clientFor("https1-close", kind, 1, tlsParameters);
    await client.warmUp();
    expect(handshakes()).toEqual({ full: 1, resumed: 0 });
    await sendInTurn(client, 20);
    expect(handshakes()).toEqual({ full: 1, resumed: 20 });
  });

  it("on https1-close with 4 connections: the 4 opened at once at warm-up have no session yet, every later one resumes", async () => {
    const [client, handshakes] = await clientFor("https1-close", kind, 4, tlsParameters);
    await client.warmUp();
    expect(handshakes()).toEqual({ full: 4, resumed: 0 });
    await sendInTurn(client, 20);
    expect(handshakes()).toEqual({ full: 4, resumed: 20 });
  });

  it("on https1: a handshake per kept-alive connection, none per request", async () => {
    const [client, handshakes] = await clientFor("https1", kind, 2, tlsParameters);
    await client.warmUp();
    await sendInTurn(client, 20);
    expect(handshakes()).toEqual({ full: 2, resumed: 0 });
  });
});

describe("the undici client's sessions", () => {
  it("outlive garbage collections: undici keeps them behind a WeakRef, the client holds the last one", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const [client, handshakes] = await clientFor("https1-close", "undici", 1, { version: "auto", ciphers: null });
    await client.warmUp();
    for (let seq = 1; seq <= 5; seq++) {
      // A full collection between connections: an entry held only weakly would be gone by the next connect.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      expect(await new Promise((resolve) => client.send(seq, resolve))).toBeNull();
    }
    expect(handshakes()).toEqual({ full: 1, resumed: 5 });
  });
});
