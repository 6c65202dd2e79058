/** A short real `npm run bench -- --driver h2load` on loopback, in-process: h2load in the generator's place. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { hasCommand } from "../../bench/support/tools.ts";

const out = mkdtempSync(join(tmpdir(), "wirecost-h2load-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const skip = hasCommand("h2load") ? null : "h2load is not installed (apt-get install nghttp2-client)";

describe.skipIf(skip !== null)(`bench CLI: h2load as the driver, on loopback${skip === null ? "" : ` (skipped: ${skip})`}`, () => {
  it("runs http1 and h2c through h2load and records its window, its histograms and its CPU", async () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    // --kernel-time tick: nothing here is about kernel time (test/collector/ebpf-kernel-time-live.test.ts is), and
    // bpftrace's start and stop would add about 2 s.
    const code = await main(
      ["--driver", "h2load", "--protocols", "http1,h2c", "--rps", "200", "--duration", "1s", "--warmup", "300ms", "--baseline", "200ms", "--prime", "300", "--kernel-time", "tick", "--out", out, "--topology", "loopback", "--json"],
      { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    expect(result.config.driver).toBe("h2load");
    expect(result.scenarios.map((s) => [s.name, s.state])).toEqual([
      ["http1", "completed"],
      ["h2c", "completed"],
    ]);
    for (const s of result.scenarios as CompletedScenario[]) {
      expect(s.driver?.name).toBe("h2load");
      expect(s.driver?.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(s.driver?.perConnectionRps).toBe(50);
      // h2load's timer sends each connection's 50 req/s on a 20 ms period: 200 are due in any 1 s. A late tick is not
      // made up (h2load sends one request per tick), and this file runs beside the other unit files on two CPUs, h2load
      // and the harness sharing the client's: clean-clone runs counted 96, 171, 184 and 208. The floor only has to
      // tell the rate spread over four connections from one connection's, which cannot send more than 51 in a 1 s
      // window; the ceiling tells a window that took in the warm-up or a burst (the warm-up alone adds 60).
      expect(s.requests, s.name).toBeGreaterThan(51);
      expect(s.requests, s.name).toBeLessThanOrEqual(220);
      expect(s.completed).toBe(s.requests);
      expect(Object.values(s.errors).every((n) => n === 0)).toBe(true);
      // Service time only: the latency is that one histogram, and there is no lateness.
      expect(s.latencyUs).toEqual(s.serviceLatencyUs);
      expect(s.latencyUs.count).toBe(s.completed);
      expect(s.latenessUs.count).toBe(0);
      expect(s.window.endEpochMs - s.window.startEpochMs).toBe(1000);
      // The collector read h2load's pid: its run time over the window is h2load's CPU.
      expect(s.placement.generatorPid).toBeGreaterThan(0);
      expect(s.perRequest?.cpuUs.clientRun, s.name).toBeGreaterThan(0);
      expect(s.prime).toMatchObject({ requested: 300, completed: 300, failed: 0, timedOut: false });
    }
    const scenarios = result.scenarios as CompletedScenario[];
    expect(scenarios[0]?.driver?.argv).toContain("--h1");
    expect(scenarios[1]?.driver?.summary?.applicationProtocol).toBe("h2c");
  });
});
