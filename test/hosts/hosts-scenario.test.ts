/**
 * A scenario across hosts on loopback: three agents (a server host, two client hosts) in this process, real servers
 * and generators as their children. The merged result, the schedule every host kept, and a host lost mid-run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";
import { AgentCallError, connectAgent } from "../../bench/agent/client.ts";
import { startAgent } from "../../bench/agent/service.ts";
import type { RunningAgent } from "../../bench/agent/service.ts";
import { mergeEncodedHistograms } from "../../bench/hosts/merge-reports.ts";
import { runHostsScenario } from "../../bench/hosts/hosts-scenario.ts";
import type { HostPlace, HostsScenarioPlan } from "../../bench/hosts/hosts-scenario.ts";
import { eventually, isAlive } from "../faults/bench-process.ts";

const TOKEN = "hosts-scenario-test-token-0001";
const agents: RunningAgent[] = [];
const places: HostPlace[] = [];

beforeAll(async () => {
  for (const name of ["server", "client-1", "client-2"]) {
    const agent = await startAgent({ host: "127.0.0.1", port: 0, benchAddress: "127.0.0.1", token: TOKEN });
    agents.push(agent);
    places.push({ agent: connectAgent(name, `127.0.0.1:${agent.port}`, TOKEN), benchAddress: "127.0.0.1", interfaces: ["lo"], cpu: null });
  }
});
afterAll(async () => {
  for (const p of places) p.agent.close();
  await Promise.all(agents.map((a) => a.close()));
});

const PLAN: HostsScenarioPlan = {
  protocol: "http1",
  clientKind: "wire",
  rps: 400,
  warmupMs: 200,
  durationMs: 1000,
  connections: 1,
  streams: 1,
  requestBytes: 64,
  responseBytes: 128,
  requestTimeoutMs: 5_000,
  maxInFlight: 1000,
  primeRequests: 100,
  settings: DEFAULT_SERVER_SETTINGS,
  leadMs: 1000,
  leaseMs: 5_000,
  clockRounds: 3,
};

describe("a scenario across hosts", () => {
  it("splits the rate over the client hosts, keeps one schedule on every host, and merges their histograms exactly", async () => {
    const [server, ...clients] = places as [HostPlace, HostPlace, HostPlace];
    const outcome = await runHostsScenario(server, clients, PLAN);
    const { report, schedule } = outcome;
    // Exactly rps × duration requests fall in the window, every one answered, 200 from each client host. (An answer
    // to a warm-up request may arrive in the window too: completedInWindow counts it, completed does not.)
    expect(report.perHost.map((h) => [h.host, h.offeredRps])).toEqual([
      ["client-1", 200],
      ["client-2", 200],
    ]);
    expect([report.offeredRps, report.requests, report.completed, report.latencyUs.count]).toEqual([400, 400, 400, 400]);
    expect(report.perHost.reduce((n, h) => n + h.completedInWindow, 0)).toBe(report.completedInWindow);
    expect(Object.values(report.errors).every((n) => n === 0)).toBe(true);
    // Each host's window is the schedule's, in its own clock, its first arrival 2.5 ms after the other's (1/400 s).
    expect(schedule.clients.map((c) => [c.rps, c.firstArrivalDelayMs])).toEqual([
      [200, 0],
      [200, 2.5],
    ]);
    for (const h of report.perHost) expect(h.window.endEpochMs - h.window.startEpochMs).toBeCloseTo(PLAN.durationMs, 3);
    // The hosts' windows are epoch instants of two processes, each of whose epoch origin is fixed once at its start
    // (bench/support/host-clock.ts `hostClockMs` says by how much they disagree): the interleave, give or take that.
    expect(Math.abs(report.windowSkewMs - 2.5)).toBeLessThan(5);
    // The merged histograms hold every host's requests (their exact sum is merge-reports.test.ts's to check).
    expect(mergeEncodedHistograms([report.histograms.latency]).totalCount).toBe(400);
    // Every host read its counters at the window's edges by its own clock, never before them.
    expect(outcome.hosts.map((h) => h.host)).toEqual(["server", "client-1", "client-2"]);
    for (const h of outcome.hosts) {
      expect(h.lateMs.start).toBeGreaterThanOrEqual(0);
      expect(h.lateMs.end).toBeGreaterThanOrEqual(0);
      // The reads' own epoch times agree with the lateness the agent reported on its clock: Date.now()'s whole
      // milliseconds, and the two clocks read one statement apart, where a busy machine may preempt the agent.
      expect(Math.abs(h.after.epochMs - h.before.epochMs - (PLAN.durationMs + h.lateMs.end - h.lateMs.start))).toBeLessThanOrEqual(25);
    }
    expect(outcome.hosts[0]!.after.processes.server.value?.pid).toBe(outcome.server.pid);
    expect(outcome.hosts[1]!.after.processes.generator.ok).toBe(true);
    // Nothing is left running on any host.
    expect(agents.map((a) => a.running())).toEqual([[], [], []]);
    expect(isAlive(outcome.server.pid)).toBe(false);
  });

  it("stops what the other hosts started when one host refuses its start, and names that host", async () => {
    const [server, c1, c2] = places as [HostPlace, HostPlace, HostPlace];
    // client-2's agent refuses a CPU it may not use; client-1's generator and the server have started by then.
    const error = await runHostsScenario(server, [c1, { ...c2, cpu: 4095 }], PLAN).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AgentCallError);
    expect((error as AgentCallError).message).toMatch(/^agent client-2 \(127\.0\.0\.1:\d+\): StartGenerator: cpu 4095 is not one of the CPUs this agent may use/);
    expect(agents.map((a) => a.running())).toEqual([[], [], []]);
  });

  it("stops everything started when the run is interrupted while hosts are still starting", async () => {
    const [server, c1, c2] = places as [HostPlace, HostPlace, HostPlace];
    const controller = new AbortController();
    const lines: string[] = [];
    const run = runHostsScenario(server, [c1, c2], { ...PLAN, primeRequests: 3000 }, { signal: controller.signal, progress: (l) => lines.push(l) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Interrupted once the server runs, while the generators connect and prime.
    await eventually(() => lines.some((l) => l.startsWith("server pid")), 20_000);
    controller.abort("SIGINT");
    const error = await run;
    expect((error as Error).name).toBe("HostsScenarioAbort");
    expect(agents.map((a) => a.running())).toEqual([[], [], []]);
    expect(lines.some((l) => l.startsWith("load starts"))).toBe(false);
  });

  it("errors with the lost host's name when a client host goes away mid-run, and stops everything on the others", async () => {
    const lost = await startAgent({ host: "127.0.0.1", port: 0, benchAddress: "127.0.0.1", token: TOKEN });
    const lostPlace: HostPlace = { agent: connectAgent("client-9", `127.0.0.1:${lost.port}`, TOKEN), benchAddress: "127.0.0.1", interfaces: ["lo"], cpu: null };
    const [server, client1] = places as [HostPlace, HostPlace];
    const failed = runHostsScenario(server, [client1, lostPlace], { ...PLAN, durationMs: 3000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Once its generator runs, the host goes: its agent closes, stopping its generator.
    await eventually(() => lost.running().length > 0, 20_000);
    expect(lost.running()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    await lost.close();
    const error = await failed;
    lostPlace.agent.close();
    expect(error).toBeInstanceOf(AgentCallError);
    expect((error as AgentCallError).host).toBe("client-9");
    expect((error as AgentCallError).message).toMatch(/^agent client-9 \(127\.0\.0\.1:\d+\): RunLoad: /);
    expect(agents.map((a) => a.running())).toEqual([[], [], []]);
  });
});
