/** What a machine without ethtool prints: one warning, once, whichever list it travels in. */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { choosePlacer } from "../../bench/run/placement.ts";

const bin = mkdtempSync(join(tmpdir(), "wirecost-no-ethtool-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** A PATH holding what a loopback topology runs (ip, taskset), and not `tool`. */
function pathWithout(tool: string): string {
  for (const name of ["ip", "taskset"]) {
    const dir = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].find((d) => existsSync(join(d, name)));
    if (dir === undefined) throw new Error(`${name} is not installed`);
    symlinkSync(join(dir, name), join(bin, name));
  }
  expect(existsSync(join(bin, tool))).toBe(false);
  return bin;
}

describe("choosePlacer on a machine without ethtool", () => {
  it("warns once that offloads are not recorded, and keeps that warning in the topology's list only", async () => {
    const saved = process.env.PATH;
    process.env.PATH = pathWithout("ethtool");
    onTestFinished(() => void (process.env.PATH = saved));
    const config = configFromArgv(["--topology", "loopback"]) as BenchConfig;
    const printed: string[] = [];
    const placement = await choosePlacer(config, (line) => printed.push(line));
    onTestFinished(() => placement.destroy());
    const ethtool = "offloads not recorded: ethtool is missing (Debian package ethtool; npm run setup installs it)";
    expect(printed.filter((line) => /ethtool/.test(line))).toEqual([ethtool]);
    expect(placement.topology?.warnings.filter((line) => /ethtool/.test(line))).toEqual([ethtool]);
    expect(placement.warnings).toEqual([]);
    expect(placement.topology?.interfaces.map((i) => i.offloads)).toEqual([null]);
  });
});
