/** A short real `npm run bench` on loopback, in-process: what result.json holds for three protocols. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { RunResult } from "../../bench/results/schema.ts";

const out = mkdtempSync(join(tmpdir(), "wirecost-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("bench CLI: a short real run", () => {
  it("runs http1, h2c and grpc open loop with the wire and the library clients and writes a result.json with six completed scenarios", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    // --kernel-time tick: nothing here is about kernel time (test/collector/ebpf-kernel-time-live.test.ts is), and
    // bpftrace's start and stop would add about 2 s.
    const code = await main(
      ["--protocols", "http1,h2c,grpc", "--client", "wire,library", "--rps", "200", "--duration", "1s", "--warmup", "300ms", "--baseline", "200ms", "--prime", "300", "--kernel-time", "tick", "--out", out, "--topology", "loopback", "--json"],
      { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    const printed = JSON.parse(stdout.join("")) as RunResult;
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1];
    expect(path).toBeDefined();
    const saved = JSON.parse(readFileSync(path ?? "", "utf8")) as RunResult;
    expect(saved).toEqual(printed);
    expect(saved.schema).toBe("wirecost.result/v2");
    expect(saved.state).toBe("finished");
    expect(saved.environment.node).toBe(process.versions.node);
    expect(saved.scenarios.map((s) => [s.name, s.client, s.state])).toEqual([
      ["http1", "wire", "completed"],
      ["http1~library", "undici", "completed"],
      ["h2c", "wire", "completed"],
      ["h2c~library", "node-http2", "completed"],
      ["grpc", "wire", "completed"],
      ["grpc~library", "grpc-js", "completed"],
    ]);
    for (const s of saved.scenarios) {
      if (s.state !== "completed") continue;
      // Exactly rps × duration requests fall in the window, and every one was answered and verified.
      expect(s.requests).toBe(200);
      expect(s.completed).toBe(200);
      expect(Object.values(s.errors).every((n) => n === 0)).toBe(true);
      expect(s.latencyUs.count).toBe(200);
      expect(s.latencyUs.p50).toBeGreaterThan(0);
      expect(s.latencyUs.p50).toBeGreaterThanOrEqual(s.serviceLatencyUs.p50);
      expect(s.window.endEpochMs - s.window.startEpochMs).toBe(1000);
      expect(s.placement.serverPid).toBeGreaterThan(0);
      // Primed closed loop before the baseline: every one of the 300 answered, none cut short.
      expect(s.prime).toMatchObject({ requested: 300, completed: 300, failed: 0, timedOut: false });
    }
  });
});
