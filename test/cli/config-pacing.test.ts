import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { UsageError } from "../../bench/support/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-pacing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(argv: string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("unexpected help");
  return c;
}

describe("--pacing", () => {
  it("defaults to the worker pacer", () => {
    expect(config([]).pacing).toBe("worker");
  });

  it("takes timer or spin from the flag and from the config file key pacing, the flag winning", () => {
    expect(config(["--pacing", "timer"]).pacing).toBe("timer");
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ pacing: "spin" }));
    expect(config(["--config", file]).pacing).toBe("spin");
    expect(config(["--config", file, "--pacing", "worker"]).pacing).toBe("worker");
  });

  it("refuses an unknown strategy with a UsageError naming the flag and the choices", () => {
    expect(() => configFromArgv(["--pacing", "sleep"])).toThrow(new UsageError("WC_BAD_VALUE", "--pacing sleep: choose one of worker, timer, spin, batch"));
  });
});
