import { describe, expect, it } from "vitest";
import { calibrate, rateFor } from "../../bench/load/pps.ts";

describe("--pps calibration", () => {
  it("turns a packet rate into a request rate, bounded and rounded to 0.1", () => {
    expect(rateFor(20_000, 2)).toBe(10_000);
    expect(rateFor(20_000, 3)).toBe(6666.7);
    expect(rateFor(1, 10)).toBe(1);
    expect(rateFor(1e9, 1)).toBe(1_000_000);
  });

  it("measures at 2 packets per request first, then at the rate that measurement implies", async () => {
    // A protocol that really uses 4 packets per request at any rate.
    const asked: number[] = [];
    const result = await calibrate(20_000, async (rps) => {
      asked.push(rps);
      return { packets: rps * 4, requests: rps };
    });
    expect(asked).toEqual([10_000, 5_000, 5_000]);
    expect(result.requestRate).toBe(5_000);
    expect(result.rounds.map((r) => r.packetsPerRequest)).toEqual([4, 4, 4]);
  });

  it("follows packets per request that change with the rate", async () => {
    // Batching: fewer packets per request at higher rates (3 at 5000 req/s and below, 2.5 above).
    const result = await calibrate(30_000, async (rps) => ({ packets: rps * (rps > 5000 ? 2.5 : 3), requests: rps }));
    expect(result.rounds.map((r) => [r.rps, r.packetsPerRequest])).toEqual([
      [15_000, 2.5],
      [12_000, 2.5],
      [12_000, 2.5],
    ]);
    expect(result.requestRate).toBe(12_000);
  });

  it("starts from the packets per request it is given, as a sweep's next step does, and records it", async () => {
    // The previous step measured 1.25 packets per request; this step's protocol uses 1.0 at any rate.
    const asked: number[] = [];
    const result = await calibrate(
      40_000,
      async (rps) => {
        asked.push(rps);
        return { packets: rps, requests: rps };
      },
      2,
      1.25,
    );
    expect(asked).toEqual([32_000, 40_000]);
    expect(result).toMatchObject({ targetPps: 40_000, initialPacketsPerRequest: 1.25, requestRate: 40_000 });
  });

  it("refuses a calibration that measured nothing", async () => {
    await expect(calibrate(1000, async () => ({ packets: 0, requests: 0 }))).rejects.toThrow(/measured 0 packets for 0 requests/);
  });
});
