import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ARMS, CLIENT_KINDS, DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";
import type { Arm, ClientKind, ClientOptions, ProtocolFamily, RunningServer, ServerOptions } from "../../contract/index.ts";
import { createClientOfKind } from "../../clients/index.ts";
import { serverEntry } from "../../servers/index.ts";
import { startServer as startHttp1 } from "../../servers/http1/server.ts";
import { startServer as startHttp2 } from "../../servers/http2/server.ts";
import { startServer as startGrpc } from "../../servers/grpc/server.ts";
import { startServer as startWebSocket } from "../../servers/websocket/server.ts";

// Pure: no server listens and no client connects. A server refuses another family's arm before it listens, and a
// client opens its connections on the first request, so creating and closing one touches no socket.

const SERVERS: Record<ProtocolFamily, (opts: ServerOptions) => Promise<RunningServer>> = {
  http1: startHttp1,
  http2: startHttp2,
  grpc: startGrpc,
  websocket: startWebSocket,
};

function clientOptions(arm: Arm): ClientOptions {
  return {
    protocol: arm.name,
    host: "127.0.0.1",
    port: 9,
    connections: 2,
    streams: 4,
    requestBytes: 16,
    responseBytes: 16,
    requestTimeoutMs: 1_000,
    caPem: "not a certificate: never read, since nothing connects",
  };
}

describe.each(ARMS)("the $name arm", (arm) => {
  it("is served by servers/<family>/server.ts, the file the harness spawns, or by the server its row names", () => {
    if (arm.server !== "node") {
      expect(() => serverEntry(arm.name)).toThrow(`${arm.name} is answered by ${arm.server}, not by servers/ (bench/run/server-process.ts starts it)`);
      return;
    }
    const entry = serverEntry(arm.name);
    expect(entry).toBe(fileURLToPath(new URL(`../../servers/${arm.family}/server.ts`, import.meta.url)));
    expect(existsSync(entry)).toBe(true);
  });

  it("is refused by the servers of the other families", async () => {
    const opts: ServerOptions = {
      protocol: arm.name,
      host: "127.0.0.1",
      port: 0,
      requestBytes: 16,
      responseBytes: 16,
      settings: DEFAULT_SERVER_SETTINGS,
    };
    for (const family of Object.keys(SERVERS) as ProtocolFamily[]) {
      if (family === arm.family) continue;
      await expect(SERVERS[family](opts)).rejects.toThrow(`servers/${family} does not handle ${arm.name}: contract/arms.ts gives it to ${arm.family}`);
    }
  });

  it.each(arm.clients.map((kind: ClientKind) => [kind]))("is driven by the %s client that its row lists", async (kind) => {
    const client = await createClientOfKind(kind, clientOptions(arm));
    expect(client.inFlight).toBe(0);
    await client.close();
  });

  it("is refused by every client its row does not list", async () => {
    const others = CLIENT_KINDS.filter((kind) => !(arm.clients as readonly ClientKind[]).includes(kind));
    for (const kind of others) await expect(createClientOfKind(kind, clientOptions(arm))).rejects.toThrow(`does not handle ${arm.name}`);
  });
});
