/**
 * The run's environment record (bench/run/environment.ts) describes the machine, not the process describing it:
 * the harness pins itself to one CPU before it writes the record, and results made so once said "1 CPUs" on two.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ENVIRONMENT = fileURLToPath(new URL("../../bench/run/environment.ts", import.meta.url));

describe("the environment record", () => {
  it.skipIf(cpus().length < 2)("counts every CPU of the machine from a process pinned to one", () => {
    const script = `import(${JSON.stringify(ENVIRONMENT)}).then((m) => process.stdout.write(String(m.describeEnvironment().cpuCount)))`;
    const r = spawnSync("taskset", ["-c", "0", process.execPath, "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(String(cpus().length));
  });
});
