/**
 * One run at a time (bench/run/run-lock.ts): the refusal's exact text, the registry on disk with a live and a dead
 * owner, and two real benches started together.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { concurrencyRefusal, registerRun } from "../../bench/run/run-lock.ts";
import type { RunEntry } from "../../bench/run/run-lock.ts";
import { UsageError } from "../../bench/support/errors.ts";
import { readProcStartTime } from "../../bench/topology/state.ts";
import { startBench } from "../faults/bench-process.ts";

const root = mkdtempSync(join(tmpdir(), "wirecost-run-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = (pid: number, since: string, cpus: number[], allowConcurrent = false, runId: string | null = "20261205-120000-ab12"): RunEntry => ({
  pid,
  startTime: 1,
  runId,
  since,
  cpus,
  allowConcurrent,
});

describe("concurrencyRefusal", () => {
  const running = entry(100, "2026-12-05T12:00:00.000Z", [1, 0]);

  it("refuses a second run, naming the running one and the way out", () => {
    expect(concurrencyRefusal(entry(200, "2026-12-05T12:00:05.000Z", [1, 0]), [running])).toBe(
      "another npm run bench is running (pid 100, run 20261205-120000-ab12, since 2026-12-05T12:00:00.000Z, CPUs 1,0), and two runs skew each other's figures; wait for it to finish, or give this run CPUs it does not use (--server-cpu, --client-cpu) and --allow-concurrent",
    );
  });

  it("lets a run with --allow-concurrent start on CPUs the running one does not use, and only then", () => {
    expect(concurrencyRefusal(entry(200, "2026-12-05T12:00:05.000Z", [3, 2], true), [running])).toBeNull();
    expect(concurrencyRefusal(entry(200, "2026-12-05T12:00:05.000Z", [3, 0], true), [running])).toBe(
      "--allow-concurrent: this run's CPUs 3,0 overlap those of the running one (pid 100, run 20261205-120000-ab12, since 2026-12-05T12:00:00.000Z, CPUs 1,0); give --server-cpu and --client-cpu it does not use",
    );
  });

  it("judges only the later of two runs: the earlier goes on, a tie is broken by pid", () => {
    expect(concurrencyRefusal(running, [entry(200, "2026-12-05T12:00:05.000Z", [1, 0])])).toBeNull();
    expect(concurrencyRefusal(entry(99, running.since, [1, 0]), [running])).toBeNull();
    expect(concurrencyRefusal(entry(101, running.since, [1, 0], false, null), [running])).toMatch(/^another npm run bench is running \(pid 100,/);
  });
});

describe("registerRun", () => {
  it("refuses beside a live run, leaving no entry of its own; drops a gone run's entry; release removes its own", () => {
    const dir = join(root, "registry");
    mkdirSync(dir, { recursive: true });
    const live = spawn("sleep", ["30"], { stdio: "ignore" });
    onTestFinished(() => void live.kill("SIGKILL"));
    const pid = live.pid as number;
    const other: RunEntry = { ...entry(pid, "2000-01-01T00:00:00.000Z", [1, 0]), startTime: readProcStartTime(pid) };
    writeFileSync(join(dir, `${pid}.json`), JSON.stringify(other));
    let refused: unknown = null;
    try {
      registerRun([1, 0], false, dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as UsageError).code).toBe("WC_BUSY");
    expect((refused as UsageError).message).toMatch(new RegExp(`^another npm run bench is running \\(pid ${pid}, run 20261205-120000-ab12, since 2000-01-01T00:00:00.000Z, CPUs 1,0\\)`));
    expect(readdirSync(dir)).toEqual([`${pid}.json`]);
    // The same entry with another start time: its pid now names another process, so no run holds it.
    writeFileSync(join(dir, `${pid}.json`), JSON.stringify({ ...other, startTime: 0 }));
    const mine = registerRun([1, 0], false, dir);
    expect(readdirSync(dir)).toEqual([`${process.pid}.json`]);
    mine.setRunId("20261205-120100-cd34");
    expect(JSON.parse(readFileSync(join(dir, `${process.pid}.json`), "utf8"))).toMatchObject({ pid: process.pid, runId: "20261205-120100-cd34", cpus: [1, 0], allowConcurrent: false });
    mine.release();
    mine.release();
    // The last entry gone, so is the directory.
    expect(existsSync(dir)).toBe(false);
  });
});

describe("a registry that cannot be written", () => {
  it("is one line naming the directory and the fix", () => {
    expect(() => registerRun([1, 0], false, "/etc/hostname/runs")).toThrow(
      new UsageError("WC_BUSY", "cannot register this run in /etc/hostname/runs (ENOTDIR), where runs see each other; make it writable, or set WIRECOST_RUNS_DIR to a directory that is"),
    );
  });
});

describe("two benches started together", () => {
  it("the second exits 2 with one line naming the first, before it makes anything", async () => {
    const dir = join(root, "benches");
    const out = join(root, "out");
    const before = process.env.WIRECOST_RUNS_DIR;
    process.env.WIRECOST_RUNS_DIR = dir;
    const args = ["--protocols", "http1", "--rps", "200", "--duration", "1s", "--warmup", "0s", "--baseline", "0s", "--prime", "0", "--topology", "loopback", "--kernel-time", "tick"];
    const first = startBench([...args, "--out", join(out, "first")]);
    try {
      await first.waitFor(/server pid \d+/);
      const second = startBench([...args, "--out", join(out, "second")]);
      expect((await second.exited).code).toBe(2);
      expect(second.stderr()).toMatch(new RegExp(`^wirecost: another npm run bench is running \\(pid ${first.child.pid}, run \\d{8}-\\d{6}-[0-9a-f]{4}, since [^)]+, CPUs \\d+,\\d+\\), and two runs skew each other's figures; wait for it to finish, or give this run CPUs it does not use \\(--server-cpu, --client-cpu\\) and --allow-concurrent\\n$`));
      expect(existsSync(join(out, "second"))).toBe(false);
      expect((await first.exited).code).toBe(0);
      // The first one's entry is gone with it, and the emptied directory too.
      expect(existsSync(dir)).toBe(false);
    } finally {
      if (before === undefined) delete process.env.WIRECOST_RUNS_DIR;
      else process.env.WIRECOST_RUNS_DIR = before;
    }
  });
});
