/**
 * The harness pins itself beside the generator (bench/run/harness-placement.ts) and puts itself back afterwards. The
 * live case runs in a child process, so that this test's own worker is never pinned, even when an assertion fails
 * half-way.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { harnessRow } from "../../bench/report/environment-section.ts";

const MODULE = fileURLToPath(new URL("../../bench/run/harness-placement.ts", import.meta.url));

describe("the report's harness row", () => {
  it("says where the harness ran", () => {
    expect(harnessRow({ cpu: 0 })).toEqual(["Harness", "pinned to CPU 0, beside the load generator"]);
    expect(harnessRow({ cpu: null, error: "could not pin the harness to CPU 3: no such CPU" })).toEqual(["Harness", "unpinned (could not pin the harness to CPU 3: no such CPU)"]);
  });
});

// In the child: every thread's allowed CPUs before, while placed and after restore(), and its nice throughout.
const SCRIPT = `
import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
const { placeHarness } = await import(process.argv[1]);
const cpus = () => [...new Set(readdirSync("/proc/self/task").map((t) => /Cpus_allowed_list:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]))].join(" ");
const before = { cpus: cpus(), nice: getPriority() };
const placed = placeHarness(Number(process.argv[2]));
const during = { cpus: cpus(), nice: getPriority() };
placed.restore();
console.log(JSON.stringify({ placement: placed.placement, before, during, after: { cpus: cpus(), nice: getPriority() } }));
`;

describe("placeHarness in a process of its own", () => {
  it("pins every thread to the CPU, keeps its priority, and restore() puts it back", () => {
    const cpu = availableParallelism() - 1;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT, MODULE, String(cpu)], { encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      placement: { cpu: number | null };
      before: { cpus: string; nice: number };
      during: { cpus: string; nice: number };
      after: { cpus: string; nice: number };
    };
    expect(out.placement).toEqual({ cpu });
    expect(out.during).toEqual({ cpus: String(cpu), nice: out.before.nice });
    expect(out.after).toEqual(out.before);
  });
});
