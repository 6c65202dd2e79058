/**
 * The wire HTTP/2 client's one I/O edge (clients/wire/http2/connect.ts) on real loopback sockets: how a connection
 * that never becomes an HTTP/2 connection fails its requests.
 */
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { makeTlsMaterial } from "../../../bench/run/tls.ts";
import type { TlsFiles } from "../../../bench/run/tls.ts";
import { createClient } from "../../../clients/wire/http2/client.ts";
import type { BenchClient, Protocol, RequestFailure } from "../../../contract/index.ts";

let material: TlsFiles;
let stranger: TlsFiles;
beforeAll(async () => {
  [material, stranger] = await Promise.all([makeTlsMaterial(), makeTlsMaterial()]);
});
afterAll(async () => {
  await Promise.all([material?.cleanup(), stranger?.cleanup()]);
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

async function firstOutcome(protocol: Protocol, port: number, caPem: string): Promise<RequestFailure | null> {
  const client: BenchClient = await createClient({
    protocol,
    host: "127.0.0.1",
    port,
    connections: 1,
    streams: 1,
    requestBytes: 10,
    responseBytes: 10,
    requestTimeoutMs: 2_000,
    caPem,
  });
  onTestFinished(() => client.close());
  return new Promise((resolve) => client.send(1, resolve));
}

describe("the wire HTTP/2 client's connections", () => {
  it("fails a request with connect when the TLS server does not negotiate h2 by ALPN", async () => {
    const silent = await listen(tls.createServer({ key: material.keyPem, cert: material.certPem }));
    expect(await firstOutcome("h2", silent, material.certPem)).toEqual({ kind: "connect", message: "the server did not negotiate h2 by ALPN (got false)" });
    const http1 = await listen(tls.createServer({ key: material.keyPem, cert: material.certPem, ALPNProtocols: ["http/1.1"] }));
    const refused = await firstOutcome("h2", http1, material.certPem); // RFC 7301 §3.2: a no_application_protocol alert
    expect(refused?.kind).toBe("connect");
    expect(refused?.message).toMatch(/no application protocol/);
  });

  it("fails a request with connect when the server's certificate is not the run's", async () => {
    const port = await listen(tls.createServer({ key: stranger.keyPem, cert: stranger.certPem, ALPNProtocols: ["h2"] }));
    expect((await firstOutcome("h2", port, material.certPem))?.kind).toBe("connect");
  });

  it("fails a request with reset when the server closes the connection before its SETTINGS", async () => {
    const port = await listen(net.createServer((socket) => socket.end()));
    expect(await firstOutcome("h2c", port, "")).toEqual({ kind: "reset", message: "the server closed the connection" });
  });

  it("fails a request with protocol when the server answers with something that is not HTTP/2", async () => {
    const port = await listen(net.createServer((socket) => socket.write("HTTP/1.1 400 Bad Request\r\n\r\n")));
    const outcome = await firstOutcome("h2c", port, "");
    expect(outcome?.kind).toBe("protocol");
    expect(outcome?.message).toMatch(/^HTTP\/2 connection error: FRAME_SIZE_ERROR: a \d+-byte frame/);
  });
});
