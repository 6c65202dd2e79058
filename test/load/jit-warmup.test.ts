import { describe, expect, it } from "vitest";
import { JIT_WARMUP_REQUESTS, jitWarmupMs } from "../../bench/load/jit-warmup.ts";

describe("bench:generator warm-up", () => {
  it("lasts JIT_WARMUP_REQUESTS requests at the offered rate, rounded up to a whole millisecond", () => {
    expect(JIT_WARMUP_REQUESTS).toBe(20_000);
    expect([2000, 5000, 10000, 3000].map(jitWarmupMs)).toEqual([10_000, 4000, 2000, 6667]);
  });

  it("never drops under a second at high rates", () => {
    expect([20_000, 40_000, 1_000_000].map(jitWarmupMs)).toEqual([1000, 1000, 1000]);
  });
});
