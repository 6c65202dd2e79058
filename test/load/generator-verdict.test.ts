import { describe, expect, it } from "vitest";
import { assessGenerator, latenessLimitUs } from "../../bench/load/assess.ts";
import { runLoad } from "../../bench/load/generator.ts";
import { createTimerPacer } from "../../bench/load/pacer-timer.ts";
import type { PacingFloorUs } from "../../bench/load/pacing-floor.ts";
import { buildGeneratorReport } from "../../bench/load/report.ts";
import type { SendCallback } from "../../contract/index.ts";
import { createFakeClock } from "./fake-clock.ts";

const floor = (p99: number, samples = 400): PacingFloorUs => ({ p50: 40, p99, p999: p99 * 2, samples, cpuUsPerSend: 50 });
// Most sends on time: the p90 of a loaded worker pacer here (20–250 µs in the reference sweep).
const onTime = { offeredRps: 1000, achievedRps: 1000, refused: 0, latenessP90Us: 50 };

describe("the lateness limit", () => {
  it("is the floor's p99 plus the larger of 1 ms and that p99, or a fixed 2 ms without a floor", () => {
    expect(latenessLimitUs(floor(180))).toBe(1180);
    expect(latenessLimitUs(floor(1000))).toBe(2000);
    expect(latenessLimitUs(floor(1400))).toBe(2800);
    expect(latenessLimitUs(null)).toBe(2000);
    // An idle run that served no due time measured nothing.
    expect(latenessLimitUs({ p50: 0, p99: 0, p999: 0, samples: 0, cpuUsPerSend: 0 })).toBe(2000);
  });
});

describe("the generator verdict, against the pacing floor", () => {
  it("passes sends on time: lateness p99 at the floor's limit, achieved at 99% of offered", () => {
    expect(assessGenerator({ ...onTime, achievedRps: 990, latenessP99Us: 1180, floor: floor(180) })).toEqual({
      saturated: false,
      stalls: null,
      reasons: [],
      kinds: [],
      limitedBy: null,
      limitReasons: [],
    });
  });

  it("flags a rate the pacer alone cannot keep: a floor whose median is over 2 ms late is the generator's limit", () => {
    const backlog: PacingFloorUs = { p50: 51_391, p99: 56_671, p999: 57_000, samples: 200_000, cpuUsPerSend: 1.1 };
    const v = assessGenerator({ offeredRps: 500_000, achievedRps: 10_000, refused: 480_000, latenessP99Us: 7739, latenessP90Us: 5000, floor: backlog });
    const reasons = [
      "achieved 10000 req/s is 2% of the offered 500000 (< 99%)",
      "the pacer alone, sending nothing, ran p50 51391 µs late at this rate (> 2000 µs): this generator cannot offer 500000 req/s",
    ];
    expect(v).toEqual({ saturated: true, stalls: null, reasons, kinds: ["achieved-below-offered", "pacing-floor"], limitedBy: "generator", limitReasons: reasons });
    // A noisy floor's tail is not a backlog: p99 2.28 ms with a median of 40 µs, and sends within floor + margin.
    expect(assessGenerator({ ...onTime, latenessP99Us: 2690, floor: floor(2279) }).saturated).toBe(false);
    expect(assessGenerator({ ...onTime, latenessP99Us: 100, floor: { ...backlog, p50: 2000 } }).saturated).toBe(false);
    // Nor is a backlogged idle floor when the loaded run kept its schedule: its sends also left from answers' callbacks.
    expect(assessGenerator({ ...onTime, latenessP99Us: 100, floor: { ...backlog, p50: 2001 } }).saturated).toBe(false);
    expect(assessGenerator({ ...onTime, achievedRps: onTime.offeredRps * 0.9, latenessP99Us: 100, floor: { ...backlog, p50: 2001 } }).kinds).toEqual([
      "achieved-below-offered",
      "pacing-floor",
    ]);
  });

  it("flags a backlog, most sends late beyond floor + margin, as the generator falling behind", () => {
    const v = assessGenerator({ ...onTime, latenessP99Us: 1500, latenessP90Us: 1181, floor: floor(180) });
    const reason = "send lateness p99 1500 µs > 1180 µs (pacing floor p99 180 µs + margin): the generator fell behind its schedule";
    expect(v).toEqual({ saturated: true, stalls: null, reasons: [reason], kinds: ["send-lateness"], limitedBy: "generator", limitReasons: [reason] });
  });

  it("calls a late tail with p90 on time and the rate carried stalls, not saturation", () => {
    // The reference sweep's grpc-stream@1760 (lateness p90 40 µs, p99 14 007 µs, p999 39 903 µs; floor p99 2013 µs).
    const v = assessGenerator({ offeredRps: 1760, achievedRps: 1760, refused: 0, latenessP99Us: 14_007, latenessP90Us: 40, floor: floor(2013) });
    expect(v).toEqual({
      saturated: false,
      stalls:
        "send lateness p99 14007 µs > 4026 µs (pacing floor p99 2013 µs + margin), but p90 40 µs within it and the rate carried: stalls held up some sends, not a backlog; latency from the intended time includes them, service time does not",
      reasons: [],
      kinds: [],
      limitedBy: null,
      limitReasons: [],
    });
    // One µs more of p90 beyond the limit, and it is a backlog.
    expect(assessGenerator({ offeredRps: 1760, achievedRps: 1760, refused: 0, latenessP99Us: 14_007, latenessP90Us: 4027, floor: floor(2013) }).saturated).toBe(true);
    expect(assessGenerator({ offeredRps: 1760, achievedRps: 1760, refused: 0, latenessP99Us: 14_007, latenessP90Us: 4026, floor: floor(2013) }).saturated).toBe(false);
  });

  it("judges a batching pacer's idle median beyond its batch interval: --pacing batch is ~5 ms late idle by design", () => {
    const batchFloor: PacingFloorUs = { p50: 4999, p99: 9990, p999: 10_000, samples: 8000, cpuUsPerSend: 1.2 };
    // Short, with sends on time for a 10 ms batcher: the server's limit, not the floor's.
    const v = assessGenerator({ offeredRps: 20_000, achievedRps: 16_775, refused: 0, latenessP99Us: 10_500, latenessP90Us: 9000, floor: batchFloor, batchIntervalUs: 10_000 });
    expect([v.saturated, v.limitedBy]).toEqual([false, "server"]);
    // The same figures from a pacer that should wake within µs: its idle median of 5 ms is a pacer that cannot keep up.
    expect(assessGenerator({ offeredRps: 20_000, achievedRps: 16_775, refused: 0, latenessP99Us: 10_500, latenessP90Us: 9000, floor: batchFloor }).kinds).toEqual([
      "achieved-below-offered",
      "pacing-floor",
    ]);
    // A batcher whose idle median passes 12 ms does have a backlog.
    expect(assessGenerator({ offeredRps: 20_000, achievedRps: 16_775, refused: 0, latenessP99Us: 30_000, latenessP90Us: 25_000, floor: { ...batchFloor, p50: 12_001 }, batchIntervalUs: 10_000 }).reasons[1]).toBe(
      "the pacer alone, sending nothing, ran p50 12001 µs late at this rate (> 12000 µs): this generator cannot offer 20000 req/s",
    );
  });

  it("puts a late tail on the generator when the rate was not carried, whatever its p90", () => {
    const v = assessGenerator({ offeredRps: 1000, achievedRps: 980, refused: 0, latenessP99Us: 5000, latenessP90Us: 40, floor: floor(180) });
    expect(v.saturated).toBe(true);
    expect(v.kinds).toEqual(["achieved-below-offered", "send-lateness"]);
  });

  it("does not flag the timer pacer's 2.44 ms that a fixed 2 ms rule flagged, its floor p99 being 1.4 ms", () => {
    expect(assessGenerator({ ...onTime, latenessP99Us: 2440, floor: floor(1400) }).saturated).toBe(false);
    expect(assessGenerator({ ...onTime, latenessP99Us: 2440, latenessP90Us: 2100, floor: null }).saturated).toBe(true);
  });

  it("reports a short achieved rate with sends on time as the server's limit, never as saturated", () => {
    const v = assessGenerator({ offeredRps: 1000, achievedRps: 900, refused: 57, latenessP99Us: 300, latenessP90Us: 100, floor: floor(180) });
    expect(v).toEqual({
      saturated: false,
      stalls: null,
      reasons: [],
      kinds: [],
      limitedBy: "server",
      limitReasons: [
        "achieved 900 req/s is 90% of the offered 1000 (< 99%) while the sends left on time (lateness p99 300 µs ≤ 1180 µs, pacing floor p99 180 µs + margin); 57 requests refused at the in-flight cap (the server's backlog): the server did not keep up",
      ],
    });
  });

  it("puts a short achieved rate on the generator when its sends were late too", () => {
    const v = assessGenerator({ offeredRps: 500_000, achievedRps: 9_000, refused: 0, latenessP99Us: 90_000, latenessP90Us: 80_000, floor: floor(180) });
    expect(v.saturated).toBe(true);
    expect(v.limitedBy).toBe("generator");
    expect(v.kinds).toEqual(["achieved-below-offered", "send-lateness"]);
    expect(v.reasons).toEqual([
      "achieved 9000 req/s is 1.8% of the offered 500000 (< 99%)",
      "send lateness p99 90000 µs > 1180 µs (pacing floor p99 180 µs + margin): the generator fell behind its schedule",
    ]);
  });

  it("judges against the fixed 2 ms when no floor was measured, and says so", () => {
    const v = assessGenerator({ ...onTime, latenessP99Us: 2001, latenessP90Us: 2001, floor: null });
    expect(v.reasons).toEqual(["send lateness p99 2001 µs > 2000 µs: the generator fell behind its schedule"]);
  });
});

describe("the generator report", () => {
  it("judges a batching pacer's floor by its own strategy: the same short run is the server's with batch, the pacer's with worker", async () => {
    const batchFloor: PacingFloorUs = { p50: 4999, p99: 9990, p999: 10_000, samples: 8000, cpuUsPerSend: 1.2 };
    const verdictWith = async (strategy: "batch" | "worker") => {
      const clock = createFakeClock();
      const client = { inFlight: 0, send: (_seq: number, _done: SendCallback) => {} };
      const outcome = runLoad(client, { rps: 1000, warmupMs: 0, durationMs: 10, maxInFlight: 5, drainTimeoutMs: 5 }, clock, createTimerPacer(clock));
      clock.advanceTo(30);
      const report = buildGeneratorReport({ outcome: await outcome, offeredRps: 1000, maxInFlight: 5, cpu: { userUs: 0, sysUs: 0 }, timeOriginMs: 0, pacing: { strategy, floorUs: batchFloor } });
      return [report.generator.saturated, report.generator.limitedBy, report.generator.saturationKinds];
    };
    expect(await verdictWith("batch")).toEqual([false, "server", []]);
    expect(await verdictWith("worker")).toEqual([true, "generator", ["achieved-below-offered", "pacing-floor"]]);
  });

  it("carries the pacer, its floor and who limited the run: here the server, whose backlog filled the in-flight cap", async () => {
    const clock = createFakeClock();
    const answers: SendCallback[] = [];
    const client = {
      get inFlight() {
        return answers.length;
      },
      send: (_seq: number, done: SendCallback) => answers.push(done),
    };
    // 1000 req/s for 10 ms, never more than 5 in flight and none answered until the window has closed.
    const outcome = runLoad(client, { rps: 1000, warmupMs: 0, durationMs: 10, maxInFlight: 5, drainTimeoutMs: 5 }, clock, createTimerPacer(clock));
    clock.advanceTo(10);
    for (const done of answers.splice(0)) done(null);
    clock.advanceTo(20);
    const report = buildGeneratorReport({
      outcome: await outcome,
      offeredRps: 1000,
      maxInFlight: 5,
      cpu: { userUs: 300, sysUs: 200 },
      timeOriginMs: 0,
      pacing: { strategy: "worker", floorUs: floor(180) },
    });
    expect(report.achievedRps).toBe(0);
    expect(report.errors.refused).toBe(5);
    expect(report.generator).toMatchObject({
      saturated: false,
      saturationReasons: [],
      pacing: "worker",
      pacingFloorUs: floor(180),
      limitedBy: "server",
      limitReasons: [
        "achieved 0 req/s is 0% of the offered 1000 (< 99%) while the sends left on time (lateness p99 0 µs ≤ 1180 µs, pacing floor p99 180 µs + margin); 5 requests refused at the in-flight cap (the server's backlog): the server did not keep up",
      ],
    });
  });
});
