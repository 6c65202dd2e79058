/**
 * The agent over real gRPC on loopback: the token, what it agrees to run, a server it starts answering the arm's
 * requests, its snapshot naming that server, and every way a server it runs ends (asked, lease, close).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { createClientOfKind } from "../../clients/index.ts";
import { DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";
import { AgentCallError, connectAgent } from "../../bench/agent/client.ts";
import type { AgentClient } from "../../bench/agent/client.ts";
import { startAgent } from "../../bench/agent/service.ts";
import type { RunningAgent } from "../../bench/agent/service.ts";
import type { StartServerRequest } from "../../bench/agent/protocol.ts";
import { eventually, isAlive } from "../faults/bench-process.ts";

const TOKEN = "0123456789abcdef-test-token";
const logged: string[] = [];
let agent: RunningAgent;
let driver: AgentClient;
let clock = 1_000_000;

beforeAll(async () => {
  agent = await startAgent({ host: "127.0.0.1", port: 0, benchAddress: "127.0.0.1", token: TOKEN, log: (line) => logged.push(line), now: () => (clock += 0.5) });
  driver = connectAgent("server", `127.0.0.1:${agent.port}`, TOKEN);
});
afterAll(async () => {
  driver.close();
  await agent.close();
});

const start = (over: Partial<StartServerRequest> = {}): StartServerRequest => ({
  protocol: "http1",
  host: "127.0.0.1",
  cpu: null,
  requestBytes: 64,
  responseBytes: 128,
  settings: DEFAULT_SERVER_SETTINGS,
  leaseMs: 30_000,
  ...over,
});

async function refusal(call: Promise<unknown>): Promise<AgentCallError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AgentCallError)) throw new Error(`expected an AgentCallError, got ${String(error)}`);
  return error;
}

describe("the agent", () => {
  it("refuses every call without the run's token, and names the host in the error", async () => {
    for (const token of ["", "wrong-token-of-the-same-size-x"]) {
      const stranger = connectAgent("server", `127.0.0.1:${agent.port}`, token);
      const error = await refusal(stranger.call("StartServer", start()));
      stranger.close();
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error.message).toBe(`agent server (127.0.0.1:${agent.port}): StartServer: wirecost agent: wrong or missing token (the run's --token-file)`);
    }
    expect(agent.running()).toEqual([]);
    expect(logged.filter((l) => l.startsWith("refused StartServer"))).toHaveLength(2);
  });

  it("answers Hello with the host and its clock when the call arrived and left", async () => {
    const hello = await driver.call("Hello", { driver: "test" });
    expect(hello.protocolVersion).toBe(1);
    expect(hello.cpuCount).toBeGreaterThan(0);
    expect(hello.node).toBe(process.versions.node);
    // The injected clock steps 0.5 ms per reading: arrival, then the answer.
    expect(hello.sentMs - hello.receivedMs).toBe(0.5);
  });

  it.each([
    [{ protocol: "bash" }, grpc.status.INVALID_ARGUMENT, 'protocol "bash" is not a wirecost arm; an agent runs only the arms\' own servers'],
    [{ protocol: "h2" }, grpc.status.FAILED_PRECONDITION, "h2: TLS arms are not run by agents yet"],
    [{ host: "localhost" }, grpc.status.INVALID_ARGUMENT, 'host "localhost" is not an IP address'],
    [{ cpu: 4096 }, grpc.status.INVALID_ARGUMENT, "cpu 4096 is not one of the CPUs this agent may use ("],
    // The settings reach nginx's config text: each is checked by the server's own schema, never pasted.
    [{ protocol: "nginx-h2c", settings: { ...DEFAULT_SERVER_SETTINGS, maxConcurrentStreams: "100; } } user root; http {" } }, grpc.status.INVALID_ARGUMENT, "server options: settings.maxConcurrentStreams: "],
    [{ settings: { ...DEFAULT_SERVER_SETTINGS, extra: 1 } }, grpc.status.INVALID_ARGUMENT, "server options: settings: "],
    [{ responseBytes: -1 }, grpc.status.INVALID_ARGUMENT, "server options: responseBytes: "],
    [{ leaseMs: 10 }, grpc.status.INVALID_ARGUMENT, "leaseMs 10 is outside 100–600000"],
  ] as const)("runs nothing it is not made for: %o", async (over, code, message) => {
    const error = await refusal(driver.call("StartServer", start(over as Partial<StartServerRequest>)));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(agent.running()).toEqual([]);
  });

  it("starts an arm's server that answers the arm's requests, snapshots it, and stops it when asked", async () => {
    const started = await driver.call("StartServer", start());
    expect(agent.running()).toEqual([started.id]);
    const client = await createClientOfKind("wire", {
      protocol: "http1",
      host: "127.0.0.1",
      port: started.port,
      connections: 1,
      streams: 1,
      requestBytes: 64,
      responseBytes: 128,
      requestTimeoutMs: 5_000,
    });
    const outcome = await new Promise((resolve) => client.send(7, resolve));
    await client.close();
    expect(outcome).toBeNull();
    const { snapshot } = await driver.call("Snapshot", { serverId: started.id, interfaces: ["lo"] });
    expect(snapshot.processes.server.value?.pid).toBe(started.pid);
    expect(snapshot.server.interfaces.lo?.ok).toBe(true);
    expect((await refusal(driver.call("Snapshot", { serverId: "s999", interfaces: [] }))).code).toBe(grpc.status.NOT_FOUND);
    expect(await driver.call("Stop", { id: started.id })).toEqual({ stopped: true });
    expect(isAlive(started.pid)).toBe(false);
    expect(agent.running()).toEqual([]);
    expect(await driver.call("Stop", { id: started.id })).toEqual({ stopped: false });
  });

  it("stops a server whose lease runs out, and keeps one the driver renews", async () => {
    const lapsing = await driver.call("StartServer", start({ leaseMs: 400 }));
    // Renewed every 200 ms for 2 s, past its 1.5 s lease: a renewal late by up to 1.3 s on a busy machine still holds.
    const renewed = await driver.call("StartServer", start({ leaseMs: 1500 }));
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      expect((await driver.call("Renew", { ids: [renewed.id, "s999"] })).renewed).toEqual([renewed.id]);
    }
    expect(await eventually(() => !isAlive(lapsing.pid))).toBe(true);
    expect(agent.running()).toEqual([renewed.id]);
    expect(logged).toContain(`server ${lapsing.id} (pid ${lapsing.pid}) stopped: its lease of 400 ms ran out`);
    expect(isAlive(renewed.pid)).toBe(true);
    await driver.call("Stop", { id: renewed.id });
  });

  it("stops what it runs when it is closed", async () => {
    const own = await startAgent({ host: "127.0.0.1", port: 0, benchAddress: "127.0.0.1", token: TOKEN });
    const d = connectAgent("client", `127.0.0.1:${own.port}`, TOKEN);
    const s = await d.call("StartServer", start({ protocol: "h2c" }));
    expect(isAlive(s.pid)).toBe(true);
    await own.close();
    expect(isAlive(s.pid)).toBe(false);
    const error = await refusal(d.call("Hello", { driver: "test" }, 2_000));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.message).toMatch(new RegExp(`^agent client \\(127\\.0\\.0\\.1:${own.port}\\): Hello: `));
    d.close();
  });
});
