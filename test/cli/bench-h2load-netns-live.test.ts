/**
 * `--driver h2load` in namespaces: h2load runs in the client namespace, pinned to the client CPU, and the collector
 * measures its CPU and the window's packets as it does our generator's.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { hasCommand } from "../../bench/support/tools.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";

const support = await checkTopologySupport("netns");
const skipReason = !support.ok ? support.reason : !hasCommand("h2load") ? "h2load is not installed (apt-get install nghttp2-client)" : null;
const out = mkdtempSync(join(tmpdir(), "wirecost-h2load-live-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function namespaces(): string[] {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.startsWith("wirecost-"));
}

describe.skipIf(skipReason !== null)(`h2load as the driver in namespaces${skipReason === null ? "" : ` (skipped: ${skipReason})`}`, () => {
  it("drives http1 and h2c from the client namespace, with h2load's CPU and the window's packets measured", async () => {
    const stderr: string[] = [];
    // --kernel-time tick: nothing here is about kernel time (test/collector/ebpf-kernel-time-live.test.ts is), and
    // bpftrace's start and stop would add about 2 s.
    const code = await main(
      ["--driver", "h2load", "--protocols", "http1,h2c", "--rps", "300", "--duration", "1s", "--warmup", "300ms", "--baseline", "200ms", "--prime", "200", "--topology", "netns", "--kernel-time", "tick", "--out", out, "--json"],
      { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    // Its own namespaces are gone; other runs on the machine may come and go meanwhile.
    expect(namespaces().filter((n) => n.includes(result.runId))).toEqual([]);
    expect(result.topology?.kind).toBe("netns");
    for (const s of result.scenarios as CompletedScenario[]) {
      expect(s.state, s.name).toBe("completed");
      expect(s.driver?.name).toBe("h2load");
      // h2load connected to the server namespace's address, from the client namespace.
      expect(s.driver?.argv.at(-1)).toBe(`http://${result.topology?.serverAddress}:${s.placement.serverPort}/wirecost.Bench/Unary`);
      expect(s.requests, s.name).toBeGreaterThanOrEqual(295);
      expect(s.requests, s.name).toBeLessThanOrEqual(305);
      expect(s.completed).toBe(s.requests);
      const p = s.perRequest;
      if (p === undefined) throw new Error(`${s.name}: no kernel figures`);
      // h2load's own CPU (schedstat of its threads, and utime + stime) over the window, and the server's.
      expect(p.cpuUs.clientRun, s.name).toBeGreaterThan(0);
      expect(p.cpuUs.serverRun, s.name).toBeGreaterThan(0);
      expect(s.cpus?.client).toBe(result.topology?.clientCpu);
      // Keep-alive HTTP/1.1: a request segment and a response segment per request, as with our generator.
      if (s.protocol === "http1") {
        expect(p.packets).toBeGreaterThan(1.8);
        expect(p.packets).toBeLessThan(2.6);
      }
      expect(s.collector?.requests).toBe(s.completedInWindow);
    }
  });
});
