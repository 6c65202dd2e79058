/**
 * The h2load child's edges, with a stand-in shell script for h2load: the gate holds it until `run`, the pid known at
 * spawn is the one that prints, the window opens on the "started" line and closes `windowMs` later by the harness's
 * clock while the child still runs, and a child that fails says why.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startH2load } from "../../bench/run/h2load-process.ts";
import type { Command } from "../../bench/support/child-process.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-h2load-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const direct = (argv: string[]): Command => ({ file: argv[0] ?? "", args: argv.slice(1) });

/** A stand-in for h2load: prints its pid and h2load's phase lines, logs two requests, runs `afterMs` past the start. */
function standIn(log: string, afterMs: number, exitCode = 0): string[] {
  const script = [
    "echo pid $$",
    'echo "Warm-up started for thread #0."',
    'echo "Main benchmark duration is started for thread #0."',
    `printf '%s\\t200\\t150\\n%s\\t503\\t90\\n' "$(date +%s%6N)" "$(date +%s%6N)" > ${log}`,
    `sleep ${afterMs / 1000}`,
    'echo "Main benchmark duration is over for thread #0. Stopping all clients."',
    `exit ${exitCode}`,
  ].join("\n");
  return ["sh", "-c", script];
}

describe("startH2load", () => {
  it("holds the child at the gate, then reports a window of exactly windowMs from its start line, its log and its CPU", async () => {
    const log = join(dir, "ok.log");
    const process = startH2load(standIn(log, 400), log, 150, direct);
    // Nothing runs before the gate opens.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(process.child.hasExited()).toBe(false);
    const phases: [string, number][] = [];
    const out = await process.run((phase, epochMs) => phases.push([phase, epochMs]));
    expect(out.stdout).toContain(`pid ${process.pid}\n`);
    expect(phases.map(([p]) => p)).toEqual(["measure", "drain"]);
    expect(out.window.endEpochMs - out.window.startEpochMs).toBe(150);
    expect(phases.map(([, t]) => t)).toEqual([out.window.startEpochMs, out.window.endEpochMs]);
    expect(out.lines.map((l) => [l.status, l.serviceUs])).toEqual([
      [200, 150],
      [503, 90],
    ]);
    expect(out.cpu.userUs).toBeGreaterThanOrEqual(0);
    expect(out.cpu.sysUs).toBeGreaterThanOrEqual(0);
  });

  it("fails when the child exits before the window closes", async () => {
    const log = join(dir, "short.log");
    await expect(startH2load(standIn(log, 10), log, 2000, direct).run(() => {})).rejects.toThrow("h2load exited before the 2000 ms window closed");
  });

  it("fails with the exit code and the last lines it printed when the child fails", async () => {
    const log = join(dir, "failed.log");
    await expect(startH2load(standIn(log, 300, 3), log, 100, direct).run(() => {})).rejects.toThrow(
      "h2load exited with code 3; it printed last: Warm-up started for thread #0. | Main benchmark duration is started for thread #0. | Main benchmark duration is over for thread #0. Stopping all clients.",
    );
  });

  it("fails when the child never starts its main duration", async () => {
    const log = join(dir, "never.log");
    const run = startH2load(["sh", "-c", "echo could not connect"], log, 100, direct).run(() => {});
    await expect(run).rejects.toThrow("h2load exited without starting its main duration; it printed last: could not connect");
  });
});
