/** bench:memory's arithmetic on captured text: /proc/<pid>/status, node --trace-gc lines, and the growth slope. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../bench/memory-bench/main.ts";
import { growthMiBPerHour, parseFullGc, parseStatusKb } from "../../bench/memory-bench/summary.ts";

const STATUS = readFileSync(new URL("../fixtures/proc/6.18/pid-status", import.meta.url), "utf8");

describe("bench:memory's figures", () => {
  it("reads resident and peak resident memory from /proc/<pid>/status", () => {
    // An idle node process's (test/fixtures/proc/README.md): VmHWM 40276 kB, VmRSS 40276 kB.
    expect(parseStatusKb(STATUS)).toEqual({ rssKb: 40276, peakKb: 40276 });
    expect(parseStatusKb("Name:\tkworker/0:1\nState:\tI (idle)\n")).toBeNull();
  });

  it("takes the live heap from a full collection's line and ignores scavenges", () => {
    expect(
      parseFullGc(
        "[10083:0x17779000]      721 ms: Mark-Compact 26.9 (38.8) -> 22.6 (40.8) MB, pooled: 0 MB, 12.25 / 0.00 ms  (+ 2.5 ms in 8 steps since start of marking, biggest step 2.4 ms, walltime since start of marking 35 ms) (average mu = 0.972, current mu = 0.963) finalize incremental marking via stack guard; GC in old space requested",
      ),
    ).toEqual({ ms: 721, liveMb: 22.6 });
    expect(parseFullGc("[10083:0x17779000]      200 ms: Scavenge 9.1 (10.1) -> 8.6 (11.1) MB, pooled: 0 MB, 3.85 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;")).toBeNull();
    expect(parseFullGc("| http1 | 1000 | …")).toBeNull();
  });

  it("fits growth per hour by least squares over the points after the start", () => {
    // 1 MiB per minute from s = 60 on: 60 MiB/h; the start-up jump before s = 60 is left out.
    const points = [{ s: 0, kb: 0 }, ...[60, 120, 180, 240].map((s) => ({ s, kb: 50_000 + (s / 60) * 1024 }))];
    expect(growthMiBPerHour(points, 60)).toBeCloseTo(60, 10);
    expect(growthMiBPerHour([{ s: 60, kb: 1 }, { s: 120, kb: 3 }, { s: 180, kb: 2 }], 60)).toBeCloseTo((0.5 / 60) * 3600 / 1024, 12);
    expect(growthMiBPerHour(points, 200)).toBeNull();
  });
});

describe("bench:memory's refusals", () => {
  const run = async (argv: string[]): Promise<{ code: number; err: string; out: string }> => {
    let err = "";
    let out = "";
    const code = await main(argv, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: { ...process.env, NO_COLOR: "1" } });
    return { code, err, out };
  };

  it("refuses its own bad flags in one line with exit 2, before starting anything", async () => {
    const r = await run(["--duration", "7200"]);
    expect([r.code, r.out, r.err]).toEqual([2, "", "wirecost bench:memory: --duration 7200: at most 3600 seconds (bench's --duration limit); e.g. --duration 600\n"]);
  });

  it("passes on the bench's own refusal and its exit 2, with no result to read", async () => {
    const r = await run(["--sample-hz", "500", "--topology", "loopback"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe("wirecost: --sample-hz 500: must be a number from 0.1 to 100; give collector samples per second, e.g. --sample-hz 10\n");
  });
});
