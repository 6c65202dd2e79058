import { describe, expect, it } from "vitest";
import { createHistogram, decodeHistogram, encodeHistogram, recordMs, summarize } from "../../bench/load/histogram.ts";
import { assessGenerator, ratePerSecond } from "../../bench/load/assess.ts";

describe("latency histogram", () => {
  it("records milliseconds as whole microseconds and summarizes exact percentiles", () => {
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 1000); // 1 µs … 1000 µs
    expect(summarize(h)).toEqual({ count: 1000, p50: 500, p90: 900, p99: 990, p999: 999, max: 1000, mean: 500.5 });
  });

  it("rounds to the nearest microsecond and clamps negatives to zero", () => {
    const h = createHistogram();
    recordMs(h, 0.0004);
    recordMs(h, 0.0016);
    recordMs(h, -3);
    expect(h.totalCount).toBe(3);
    expect(h.maxValue).toBe(2);
    expect(summarize(h).p50).toBe(0);
  });

  it("summarizes an empty histogram as zeros with count 0", () => {
    expect(summarize(createHistogram())).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
  });

  it("survives the compressed base64 round trip with the same percentiles, max only to bucket precision", () => {
    const h = createHistogram();
    for (let i = 0; i < 5000; i++) recordMs(h, (i % 97) * 0.37 + 0.05);
    const { max, ...rest } = summarize(h);
    const decoded = summarize(decodeHistogram(encodeHistogram(h)));
    expect(decoded).toMatchObject(rest);
    expect(max).toBe(35_570);
    // The decoded max is the top of its bucket: within the 3 significant digits the histogram keeps.
    expect(decoded.max).toBe(35_583);
  });
});

describe("rate maths and the saturation verdict", () => {
  it("computes a rate per second from a count and a window", () => {
    expect(ratePerSecond(5_000, 5_000)).toBe(1_000);
    expect(ratePerSecond(1, 0.5)).toBe(2_000);
    expect(ratePerSecond(10, 0)).toBe(0);
  });

  it("passes a run at exactly 99% of offered with lateness p99 at 2 ms", () => {
    expect(assessGenerator({ offeredRps: 1000, achievedRps: 990, latenessP99Us: 2000 })).toEqual({ saturated: false, reasons: [], kinds: [] });
  });

  it("flags a run under 99% of offered, and one whose sends ran late, each with its reason", () => {
    const slow = assessGenerator({ offeredRps: 1000, achievedRps: 989.9, latenessP99Us: 10 });
    expect(slow.saturated).toBe(true);
    expect(slow.reasons).toEqual(["achieved 989.9 req/s is 99% of the offered 1000 (< 99%)"]);
    const late = assessGenerator({ offeredRps: 1000, achievedRps: 1000, latenessP99Us: 2001 });
    expect(late.reasons).toEqual(["send lateness p99 2001 µs > 2000 µs: the generator fell behind its schedule"]);
    expect(slow.kinds).toEqual(["achieved-below-offered"]);
    expect(late.kinds).toEqual(["send-lateness"]);
    expect(assessGenerator({ offeredRps: 500_000, achievedRps: 9_000, latenessP99Us: 90_000 }).kinds).toEqual(["achieved-below-offered", "send-lateness"]);
  });
});
