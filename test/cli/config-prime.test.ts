import { describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import type { BenchConfig } from "../../bench/config/config.ts";
import { UsageError } from "../../bench/support/errors.ts";
import { scenarioTimeLimitMs } from "../../bench/run/scenario.ts";
import { PRIME_MAX_MS } from "../../bench/load/prime.ts";

function config(argv: string[]): BenchConfig {
  const c = configFromArgv(argv);
  if (c === "help") throw new Error("unexpected help");
  return c;
}

describe("--prime", () => {
  it("primes with 20000 requests unless told otherwise, and 0 turns it off", () => {
    expect(config([]).primeRequests).toBe(20_000);
    expect(config(["--prime", "5000"]).primeRequests).toBe(5000);
    expect(config(["--prime", "0"]).primeRequests).toBe(0);
  });

  it("refuses a negative or fractional count with the flag and the fix", () => {
    expect(() => configFromArgv(["--prime", "-1"])).toThrow(UsageError);
    expect(() => configFromArgv(["--prime", "1.5"])).toThrow(/--prime 1\.5: .*--prime 20000, or 0 for none/);
  });

  it("adds priming's time cap and a request timeout to a scenario's hard time limit only when priming", () => {
    const on = config(["--prime", "100"]);
    const off = config(["--prime", "0"]);
    expect(scenarioTimeLimitMs(on) - scenarioTimeLimitMs(off)).toBe(PRIME_MAX_MS + off.requestTimeoutMs);
  });
});
