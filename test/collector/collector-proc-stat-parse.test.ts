import { describe, expect, it } from "vitest";
import { parseProcStat } from "../../bench/collector/parse-proc-stat.ts";
import { fixture } from "./fixture.ts";

describe("parseProcStat", () => {
  it("reads the total and per-CPU lines in ticks, and ctxt, intr, processes", () => {
    const stat = parseProcStat(fixture("6.18/stat"));
    expect(stat.total).toEqual({
      userTicks: 4672,
      niceTicks: 0,
      systemTicks: 2511,
      idleTicks: 97104,
      iowaitTicks: 217,
      irqTicks: 0,
      softirqTicks: 43,
      stealTicks: 11,
      guestTicks: 0,
      guestNiceTicks: 0,
    });
    expect(Object.keys(stat.cpus)).toEqual(["0", "1"]);
    expect(stat.cpus["1"]).toMatchObject({ userTicks: 2702, systemTicks: 1338, idleTicks: 48022, softirqTicks: 37 });
    expect(stat).toMatchObject({
      ctxt: 749288,
      intrTotal: 256964,
      softirqTotal: 110965,
      processes: 5784,
      procsRunning: 1,
      procsBlocked: 0,
      bootTimeEpochS: 1795598141,
    });
  });

  it("marks guest_nice absent on a 2.6.32 kernel (null, not 0)", () => {
    const stat = parseProcStat(fixture("2.6.32/stat"));
    expect(stat.cpus["0"]).toEqual({
      userTicks: 40212,
      niceTicks: 30,
      systemTicks: 12903,
      idleTicks: 5103277,
      iowaitTicks: 3311,
      irqTicks: 0,
      softirqTicks: 1102,
      stealTicks: 0,
      guestTicks: 0,
      guestNiceTicks: null,
    });
    expect(stat.ctxt).toBe(20485119);
  });
});
