/**
 * The harness pins itself beside the generator at a lower priority (bench/run/harness-placement.ts), sets its servers
 * and generators back to nice 0, and puts itself back afterwards. The live case runs in a child process, so that
 * this test's own worker is never pinned, even when an assertion fails half-way.
 */
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { childCommand, HARNESS_NICE } from "../../bench/run/harness-placement.ts";
import { harnessRow } from "../../bench/report/environment-section.ts";

const MODULE = fileURLToPath(new URL("../../bench/run/harness-placement.ts", import.meta.url));
const root = process.getuid?.() === 0;

describe("childCommand", () => {
  const command = { file: "ip", args: ["netns", "exec", "ns", "taskset", "-c", "1", "node", "server.ts"] };

  it("sets a child back to nice 0 from the harness's nice", () => {
    expect(childCommand(command, { cpu: 0, nice: 10, childrenAtNiceZero: true })).toEqual({
      file: "nice",
      args: ["-n", "-10", "ip", "netns", "exec", "ns", "taskset", "-c", "1", "node", "server.ts"],
    });
  });

  it("leaves the command alone when the harness runs at nice 0 or may not lower a child's nice", () => {
    expect(childCommand(command, { cpu: 0, nice: 0, childrenAtNiceZero: true })).toBe(command);
    expect(childCommand(command, { cpu: 0, nice: 5, childrenAtNiceZero: false })).toBe(command);
  });
});

describe("the report's harness row", () => {
  it("says where the harness ran and at what priority", () => {
    expect(harnessRow({ cpu: 0, nice: 10, childrenAtNiceZero: true })).toEqual(["Harness", "pinned to CPU 0, beside the load generator, at nice 10 (the servers and generators at nice 0)"]);
    expect(harnessRow({ cpu: null, nice: 0, childrenAtNiceZero: false, error: "could not pin the harness to CPU 3: no such CPU" })).toEqual([
      "Harness",
      "unpinned (could not pin the harness to CPU 3: no such CPU), at nice 0",
    ]);
  });
});

// In the child: every thread's allowed CPUs and the main thread's nice, before, while placed and after restore(); and
// the nice of a process started through childCommand while placed (field 19 of /proc/<pid>/stat).
const SCRIPT = `
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { getPriority } from "node:os";
const { placeHarness, childCommand } = await import(process.argv[1]);
const cpus = () => [...new Set(readdirSync("/proc/self/task").map((t) => /Cpus_allowed_list:\\s*(\\S+)/.exec(readFileSync("/proc/self/task/" + t + "/status", "utf8"))[1]))].join(" ");
const before = { cpus: cpus(), nice: getPriority() };
const placed = placeHarness(Number(process.argv[2]));
const child = childCommand({ file: "cat", args: ["/proc/self/stat"] }, placed.placement);
const stat = spawnSync(child.file, child.args, { encoding: "utf8" }).stdout;
const during = { cpus: cpus(), nice: getPriority(), childNice: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]) };
placed.restore();
console.log(JSON.stringify({ placement: placed.placement, before, during, after: { cpus: cpus(), nice: getPriority() } }));
`;

describe("placeHarness in a process of its own", () => {
  it(`pins every thread to the CPU, lowers its priority${root ? "" : " (skipped part: needs root)"}, starts children at nice 0, and restore() puts it back`, () => {
    const cpu = availableParallelism() - 1;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT, MODULE, String(cpu)], { encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      placement: { cpu: number | null; nice: number; childrenAtNiceZero: boolean };
      before: { cpus: string; nice: number };
      during: { cpus: string; nice: number; childNice: number };
      after: { cpus: string; nice: number };
    };
    expect(out.placement.cpu).toBe(cpu);
    expect(out.during.cpus).toBe(String(cpu));
    expect(out.after).toEqual(out.before);
    if (root) {
      expect(out.placement).toEqual({ cpu, nice: HARNESS_NICE, childrenAtNiceZero: true });
      expect(out.during.nice).toBe(HARNESS_NICE);
      expect(out.during.childNice).toBe(0);
    } else {
      expect(out.during.nice).toBe(out.before.nice);
      expect(out.during.childNice).toBe(out.before.nice);
    }
  });
});
