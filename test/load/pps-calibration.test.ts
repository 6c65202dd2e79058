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

  it("does not chase a packet rate past saturation: a round that fell short caps later guesses, and no round more than doubles", async () => {
    // A server that carries at most 3000 req/s, packing ever more answers per packet as the queue grows: packets per
    // request 2 up to 3000 req/s, then 6000 / rps. Target 16000 packets/s is out of reach at any rate.
    const asked: number[] = [];
    const result = await calibrate(
      16_000,
      async (rps) => {
        asked.push(rps);
        const achievedRps = Math.min(rps, 3000);
        return { packets: Math.min(2 * rps, 6000), requests: achievedRps, achievedRps };
      },
      3,
      2,
    );
    // 8000 req/s delivers 3000 (< 90%): 6000 / 3000 = 2 packets per request would say 8000 again, and the cap holds it.
    expect(asked).toEqual([8000, 8000, 8000]);
    expect(result.requestRate).toBe(8000);
    const raising = await calibrate(100_000, async (rps) => ({ packets: rps * 0.1, requests: rps, achievedRps: rps }), 2, 2);
    // 0.1 packets per request would ask for 1 000 000 req/s; each round at most doubles instead.
    expect(raising.rounds.map((r) => r.rps)).toEqual([50_000, 100_000]);
    expect(raising.requestRate).toBe(200_000);
  });

  it("refuses a calibration that measured nothing", async () => {
    await expect(calibrate(1000, async () => ({ packets: 0, requests: 0 }))).rejects.toThrow(/measured 0 packets for 0 requests/);
  });
});
