import { describe, expect, it } from "vitest";
import { toTimeSeries } from "../../bench/collector/time-series.ts";
import { cpuTimes, makeSnapshot, netDev, netns, ok } from "./make-data.ts";

const sample = (tMs: number, packets: number, netRx: number, user: number, idle: number, softirq: number) =>
  makeSnapshot({
    tMs,
    kind: "lean",
    server: netns({ interfaces: { eth0: ok(netDev({ rxPackets: packets, txPackets: packets })) } }),
    softirqs: ok({ NET_RX: { "0": netRx, "1": 0 }, NET_TX: { "0": 0, "1": 1 } }),
    stat: ok({
      total: cpuTimes({}),
      cpus: { "0": cpuTimes({ userTicks: user, idleTicks: idle, softirqTicks: softirq }) },
      ctxt: 0,
      intrTotal: 0,
      softirqTotal: 0,
      processes: 0,
      procsRunning: 0,
      procsBlocked: 0,
      bootTimeEpochS: 0,
    }),
  });

describe("toTimeSeries", () => {
  it("turns consecutive lean samples into PPS, softirq rate and a per-CPU split", () => {
    const points = toTimeSeries([
      sample(1000, 0, 4294967000, 0, 0, 0),
      sample(1100, 500, 4294967100, 5, 3, 2),
      sample(1300, 1500, 4294967300 - 2 ** 32 + 0, 5, 13, 2),
    ]);
    expect(points).toEqual([
      {
        tMs: 100,
        intervalMs: 100,
        pps: 10_000,
        softirqRate: 1000,
        cpu: { "0": { userPct: 50, systemPct: 0, softirqPct: 20, irqPct: 0, idlePct: 30, stealPct: 0 } },
      },
      {
        tMs: 300,
        intervalMs: 200,
        pps: 10_000,
        softirqRate: 1000,
        cpu: { "0": { userPct: 0, systemPct: 0, softirqPct: 0, irqPct: 0, idlePct: 100, stealPct: 0 } },
      },
    ]);
  });

  it("gives no points for fewer than two samples", () => {
    expect(toTimeSeries([])).toEqual([]);
    expect(toTimeSeries([sample(0, 0, 0, 0, 0, 0)])).toEqual([]);
  });
});
