/**
 * `--tls-version` and `--tls-ciphers` reach every TLS client kind, not only the servers: a client told what its
 * server refuses cannot connect, and one told what the server allows can. Every TLS arm's real server, on loopback.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../bench/run/tls.ts";
import type { TlsFiles } from "../../bench/run/tls.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { DEFAULT_SERVER_SETTINGS, OUR_ARMS } from "../../contract/index.ts";
import type { ClientKind, Protocol, RequestFailure, TlsParameters } from "../../contract/index.ts";
import { startServer } from "../../servers/index.ts";

let material: TlsFiles;
beforeAll(async () => {
  material = await makeTlsMaterial();
});
afterAll(async () => {
  await material?.cleanup();
});

const PAIRS = OUR_ARMS.filter((arm) => arm.tls).flatMap((arm) => arm.clients.map((kind): [Protocol, ClientKind] => [arm.name, kind]));

/** A server that takes the classic X25519 key exchange only, not Node's default post-quantum hybrid. */
const GROUP: TlsParameters = { version: "auto", ciphers: null, groups: "X25519" };

/** The server's parameters: TLS 1.3 with one suite. */
const SERVER: TlsParameters = { version: "1.3", ciphers: "TLS_AES_128_GCM_SHA256" };

async function firstAnswer(protocol: Protocol, kind: ClientKind, port: number, tlsParameters: TlsParameters): Promise<RequestFailure | null> {
  const client = await createClientOfKind(kind, {
    protocol, host: "127.0.0.1", port, connections: 1, streams: 1, requestBytes: 16, responseBytes: 16, requestTimeoutMs: 5000,
    caPem: material.certPem, tlsParameters,
  });
  onTestFinished(() => client.close());
  return new Promise((resolve) => client.send(1, resolve));
}

describe.each(PAIRS)("the %s arm's %s client", (protocol, kind) => {
  it("connects with the server's version and suite, and cannot with another version or another suite", async () => {
    const server = await startServer({ protocol, host: "127.0.0.1", port: 0, requestBytes: 16, responseBytes: 16, settings: DEFAULT_SERVER_SETTINGS, tls: material, tlsParameters: SERVER });
    onTestFinished(() => server.close());
    expect(await firstAnswer(protocol, kind, server.port, SERVER)).toBeNull();
    const otherVersion = await firstAnswer(protocol, kind, server.port, { version: "1.2", ciphers: null });
    expect(otherVersion?.kind).toBe("connect");
    expect(otherVersion?.message).toMatch(/alert protocol version/);
    const otherSuite = await firstAnswer(protocol, kind, server.port, { version: "1.3", ciphers: "TLS_CHACHA20_POLY1305_SHA256" });
    expect(otherSuite?.kind).toBe("connect");
    expect(otherSuite?.message).toMatch(/alert handshake failure/);
  });

  it("connects with the server's key exchange group, and cannot with another", async () => {
    const server = await startServer({ protocol, host: "127.0.0.1", port: 0, requestBytes: 16, responseBytes: 16, settings: DEFAULT_SERVER_SETTINGS, tls: material, tlsParameters: GROUP });
    onTestFinished(() => server.close());
    expect(await firstAnswer(protocol, kind, server.port, GROUP)).toBeNull();
    const otherGroup = await firstAnswer(protocol, kind, server.port, { version: "auto", ciphers: null, groups: "P-256" });
    expect(otherGroup?.kind).toBe("connect");
    // undici's WebSocket has no error of its own to show; its client appends the connector's (clients/library/websocket).
    expect(otherGroup?.message).toMatch(/alert handshake failure/);
  });
});
