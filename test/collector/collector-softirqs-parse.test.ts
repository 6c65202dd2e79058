import { describe, expect, it } from "vitest";
import { parseSoftirqs } from "../../bench/collector/parse-softirqs.ts";
import { ProcParseError } from "../../bench/collector/reading.ts";
import { fixture } from "./fixture.ts";

describe("parseSoftirqs", () => {
  it("reads every softirq type per CPU, keyed by the CPU number in the header", () => {
    const softirqs = parseSoftirqs(fixture("6.18/softirqs"));
    expect(Object.keys(softirqs)).toEqual([
      "HI",
      "TIMER",
      "NET_TX",
      "NET_RX",
      "BLOCK",
      "IRQ_POLL",
      "TASKLET",
      "SCHED",
      "HRTIMER",
      "RCU",
    ]);
    expect(softirqs.NET_RX).toEqual({ "0": 3582, "1": 4741 });
    expect(softirqs.NET_TX).toEqual({ "0": 10, "1": 2 });
    expect(softirqs.BLOCK).toEqual({ "0": 0, "1": 33907 });
  });

  it("keys by CPU number when the header skips one", () => {
    const text = "                    CPU0       CPU2\n      NET_RX:         5          7\n";
    expect(parseSoftirqs(text)).toEqual({ NET_RX: { "0": 5, "2": 7 } });
  });

  it("rejects a row whose count of values does not match the header", () => {
    expect(() => parseSoftirqs("  CPU0 CPU1\n NET_RX: 1\n")).toThrow(ProcParseError);
  });
});
