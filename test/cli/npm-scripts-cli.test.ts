/**
 * Every `npm run` entry answers `--help` with its usage on stdout (exit 0), and an unknown flag with one line on
 * stderr naming the flag and where to look (exit 2), never a stack trace. Table-driven over package.json, so a new
 * entry is checked the day it is added. Only the exit paths before any work are run: no load, no namespaces.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
/** The entries that are wirecost's own programs: `node <bin>.ts`; typecheck and test are tsc and vitest. */
const ENTRIES = Object.entries(scripts).flatMap(([name, command]) => {
  const bin = /^node (\S+\.ts)$/.exec(command)?.[1];
  return bin === undefined ? [] : [{ name, bin }];
});

function runEntry(bin: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : child.exitCode, stdout, stderr }),
    );
  });
}

describe("npm run entries", () => {
  it("are the thirteen programs the README names", () => {
    expect(ENTRIES.map((e) => e.name).sort()).toEqual(["agent", "bench", "bench:codec", "bench:generator", "bench:kernel-time", "bench:memory", "bench:pacer", "cleanup", "compare", "k8s", "plan", "report", "setup"]);
  });

  describe.each(ENTRIES)("npm run $name", ({ name, bin }) => {
    it.concurrent("prints its usage on stdout with --help and exits 0", async () => {
      const r = await runEntry(bin, ["--help"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: (sudo )?npm run ${name}( |$)`, "m"));
    });

    it.concurrent("names an unknown flag and --help on one stderr line, and exits 2", async () => {
      const r = await runEntry(bin, ["--no-such-flag"]);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`wirecost${name === "bench" ? "" : ` ${name}`}: unknown flag --no-such-flag; see npm run ${name} -- --help\n`);
      expect(r.code).toBe(2);
    });
  });
});
