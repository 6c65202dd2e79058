/**
 * `npm run bench -- --topology hosts` end to end: namespaces playing a server host and two client hosts, an agent in
 * each, one merged result; and a client host's agent killed mid-run. Both leave nothing behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadRun } from "../../bench/results/load-run.ts";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";
import { eventually, isAlive, startBench, wirecostNamespaces } from "../faults/bench-process.ts";

const support = await checkTopologySupport("hosts");
const out = mkdtempSync(join(tmpdir(), "wirecost-hosts-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// A short window: what is checked is the merge, the hosts and what is left, not the figures' precision.
const ARGS = ["--topology", "hosts", "--warmup", "300ms", "--prime", "200", "--out", out];

const agentPids = (stderr: string): Record<string, number> =>
  Object.fromEntries([...stderr.matchAll(/host (\S+): agent pid (\d+)/g)].map((m) => [m[1], Number(m[2])]));

describe.skipIf(!support.ok)(`a run across simulated hosts${support.ok ? "" : ` (skipped: ${support.reason})`}`, () => {
  it("splits the rate over two client hosts and writes one merged scenario whose hosts are the agents'", async () => {
    const before = wirecostNamespaces();
    const stderr: string[] = [];
    const code = await main(["--protocols", "http1", "--client-hosts", "2", "--rps", "400", "--duration", "1s", ...ARGS], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => stderr.push(t) },
      env: { NO_COLOR: "1" },
    });
    const said = stderr.join("");
    expect(code, said).toBe(0);
    const path = /results: (.*result\.json)/.exec(said)?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    expect(result.schema).toBe("wirecost.result/v2");
    expect(result.topology?.kind).toBe("hosts");
    expect(result.hosts?.map((h) => [h.name, h.role, h.cpu, h.nics.map((n) => [n.name, n.driver])])).toEqual([
      ["server", "server", result.topology?.serverCpu, [["eth0", null]]],
      ["client", "client", result.topology?.clientCpu, [["eth0", null]]],
      ["client-2", "client", result.topology?.clientCpu, [["eth0", null]]],
    ]);
    for (const h of result.hosts ?? []) expect(h.agent).toMatch(/^198\.(18|19)\.\d+\.\d+:7000$/);
    // Both client hosts' eth0 are in the topology's record (and so under --offloads off), the first one first.
    expect(result.topology?.interfaces.filter((i) => i.role === "client").map((i) => i.namespace?.replace(/^.*-/, ""))).toEqual(["cli", "cli2"]);
    const s = result.scenarios[0] as CompletedScenario;
    expect(s.state).toBe("completed");
    // Exactly rps × duration requests fall in the window, every one answered: 200 from each client host.
    expect([s.requests, s.completed, s.latencyUs.count]).toEqual([400, 400, 400]);
    expect(s.acrossHosts?.hosts.map((h) => [h.host, h.role, h.offeredRps ?? null])).toEqual([
      ["server", "server", null],
      ["client", "client", 200],
      ["client-2", "client", 200],
    ]);
    expect((s.acrossHosts?.hosts ?? []).reduce((n, h) => n + (h.completedInWindow ?? 0), 0)).toBe(s.completedInWindow);
    // Every request is one segment each way on the wire, as in a netns run (two clients share the server's eth0).
    // Each agent reads its counters when it wakes after the scheduled edge (edgeLateMs: beside the unit files, up to
    // ~100 ms), so a host's counters cover its own stretch of the window: compared as packets per millisecond of it.
    // The figure checked is the one the table prints (pkts/req), against the client hosts' own counters.
    const [server, c1, c2] = s.acrossHosts?.hosts ?? [];
    const stretchMs = (h: (typeof s.acrossHosts & {})["hosts"][number] | undefined): number => 1000 + (h?.edgeLateMs.end ?? 0) - (h?.edgeLateMs.start ?? 0);
    const serverPerMs = ((s.perRequest?.packets ?? 0) * s.completedInWindow) / stretchMs(server);
    expect(serverPerMs * 1000 / 400).toBeGreaterThan(1.9);
    expect(serverPerMs * 1000 / 400).toBeLessThan(2.1);
    const clientsPerMs = (c1?.packets ?? 0) / stretchMs(c1) + (c2?.packets ?? 0) / stretchMs(c2);
    expect(Math.abs(clientsPerMs - serverPerMs)).toBeLessThanOrEqual(0.03 * serverPerMs);
    expect(s.kernelTime?.method).toBe("tick");
    expect(wirecostNamespaces()).toEqual(before);
    expect(Object.values(agentPids(said)).some(isAlive)).toBe(false);
    // The reports read the merged result as any other (report, and the view compare and plan share).
    expect(said).not.toMatch(/could not write the reports/);
    expect(existsSync(join(dirname(path), "report.md"))).toBe(true);
    expect(loadRun(dirname(path)).result.scenarios).toHaveLength(1);
  });

  it("errors a scenario whose client host's agent is killed, naming the host, and leaves nothing running", async () => {
    const before = wirecostNamespaces();
    const bench = startBench(["--protocols", "http1,h2c", "--rps", "200", ...ARGS, "--duration", "3s"]);
    await bench.waitFor(/\[1\/2\] http1: load starts/);
    const pids = agentPids(bench.stderr());
    expect(Object.keys(pids)).toEqual(["server", "client"]);
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(pids.client as number, "SIGKILL");
    expect((await bench.exited).code).toBe(1);
    const path = /results: (\S+result\.json)/.exec(bench.stderr())?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    expect(result.scenarios.map((x) => x.state)).toEqual(["errored", "errored"]);
    for (const x of result.scenarios) expect(x.state === "errored" ? x.error : "").toMatch(/^agent client \(198\.(18|19)\.\d+\.\d+:7000\): /);
    expect(wirecostNamespaces()).toEqual(before);
    expect(await eventually(() => !isAlive(pids.server as number))).toBe(true);
  }, 90_000);
});
