import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";

const support = await checkTopologySupport("netns");
const hasTcpdump = (() => {
  try {
    execFileSync("sh", ["-c", "command -v tcpdump"]);
    return true;
  } catch {
    return false;
  }
})();
const skipReason = !support.ok ? support.reason : !hasTcpdump ? "tcpdump is not installed" : null;
const out = mkdtempSync(join(tmpdir(), "wirecost-live-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function namespaces(): string[] {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.startsWith("wirecost-"));
}

describe.skipIf(skipReason !== null)(`kernel figures in namespaces${skipReason === null ? "" : ` (skipped: ${skipReason})`}`, () => {
  it("counts packets, segments and connection opens per request consistently, and tcpdump agrees", async () => {
    const before = namespaces();
    const stderr: string[] = [];
    // --prime 200: the default 20,000 closed-loop requests (10 s for http1-close) would only add time here.
    // --kernel-time tick: nothing here is about kernel time (test/collector/ebpf-kernel-time-live.test.ts is), and
    // bpftrace's start and stop would add about 2 s.
    const code = await main(
      ["--protocols", "http1,http1-close,h2c,grpc", "--rps", "300", "--duration", "1s", "--warmup", "300ms", "--baseline", "200ms", "--prime", "200", "--topology", "netns", "--verify", "--kernel-time", "tick", "--out", out, "--json"],
      { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    expect(namespaces()).toEqual(before);
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    expect(result.topology?.kind).toBe("netns");
    expect(result.topology?.rxSteering.mode).toBe("rps");
    const byName = Object.fromEntries(result.scenarios.map((s) => [s.name, s as CompletedScenario]));
    for (const s of Object.values(byName)) {
      expect(s.state).toBe("completed");
      const p = s.perRequest;
      const t = s.totals;
      if (p === undefined || t === undefined || s.verify === undefined) throw new Error(`${s.name}: no kernel figures`);
      // The collector's packets are the server eth0's counter delta; tcpdump on that interface counts the same
      // window independently. The counter moves when the sender transmits, tcpdump stamps a packet when the receive
      // side processes it (after the RPS hop to the server CPU), so at each edge the packets of the requests then
      // on the wire may fall on either side: up to their packets per edge (a connection per request sends ~10 in a
      // burst; keep-alive 2), times the requests sent together: one, and as many more as fell due while a send ran
      // late (the window's lateness p99 at its rate) — h2c once differed by 6 packets, three requests' worth, in a
      // full test run, its sends bunched behind a late wake.
      const bunch = 1 + Math.ceil((s.offeredRps * s.generator.latenessP99Us) / 1e6);
      const perEdge = Math.max(1, Math.ceil(p.packets ?? 0)) * bunch;
      expect(Math.abs(s.verify.capturedInWindow - (t.packets ?? 0)), s.name).toBeLessThanOrEqual(2 * perEdge);
      // Small bodies: TSO/GRO merge nothing, so interface packets and TCP segments agree closely.
      expect(Math.abs((t.tcpSegments ?? 0) - (t.packets ?? 0)) / (t.packets ?? 1), s.name).toBeLessThan(0.05);
      expect(p.cpuUs.serverRun, s.name).toBeGreaterThan(0);
      expect(p.cpuUs.clientRun, s.name).toBeGreaterThan(0);
      expect(s.cpus?.server).toBe(result.topology?.serverCpu);
      expect(s.collector?.requests).toBeGreaterThan(250);
    }
    const keepAlive = byName.http1?.perRequest;
    const close = byName["http1-close"]?.perRequest;
    // Keep-alive: one request segment and one response segment per request (ACKs piggyback or are delayed).
    expect(keepAlive?.packets).toBeGreaterThan(1.8);
    expect(keepAlive?.packets).toBeLessThan(2.6);
    expect(keepAlive?.connectionOpens).toBeLessThan(0.02);
    // A connection per request: handshake and teardown add several packets, and one accepted connection each.
    expect(close?.packets).toBeGreaterThan((keepAlive?.packets ?? 0) + 4);
    expect(close?.connectionOpens).toBeGreaterThan(0.95);
    expect(close?.connectionOpens).toBeLessThan(1.05);
  });
});
