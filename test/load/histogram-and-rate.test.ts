import { describe, expect, it } from "vitest";
import { createHistogram, decodeHistogram, encodeHistogram, recordMs, summarize } from "../../bench/load/histogram.ts";
import { ratePerSecond } from "../../bench/load/assess.ts";

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

describe("rate maths", () => {
  it("computes a rate per second from a count and a window", () => {
    expect(ratePerSecond(5_000, 5_000)).toBe(1_000);
    expect(ratePerSecond(1, 0.5)).toBe(2_000);
    expect(ratePerSecond(10, 0)).toBe(0);
  });
});
