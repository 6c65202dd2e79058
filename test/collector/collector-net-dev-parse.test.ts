import { describe, expect, it } from "vitest";
import { parseProcNetDev } from "../../bench/collector/parse-proc-net-dev.ts";
import { parseSysClassNetStatistics } from "../../bench/collector/parse-sys-class-net-statistics.ts";
import { ProcParseError } from "../../bench/collector/reading.ts";
import { fixture, fixtureDir } from "./fixture.ts";

describe("parseProcNetDev", () => {
  it("reads every interface of the host namespace's /proc/net/dev", () => {
    const dev = parseProcNetDev(fixture("6.18/net-dev"));
    expect(Object.keys(dev)).toEqual(["lo", "ifb0", "ifb1", "eth0"]);
    expect(dev.lo).toEqual({
      rxBytes: 4307,
      rxPackets: 46,
      rxErrs: 0,
      rxDrop: 0,
      rxFifo: 0,
      rxFrame: 0,
      rxCompressed: 0,
      rxMulticast: 0,
      txBytes: 4307,
      txPackets: 46,
      txErrs: 0,
      txDrop: 0,
      txFifo: 0,
      txColls: 0,
      txCarrier: 0,
      txCompressed: 0,
    });
    expect(dev.eth0?.rxBytes).toBe(248870332);
    expect(dev.eth0?.rxPackets).toBe(6795);
    expect(dev.eth0?.txBytes).toBe(469128);
    expect(dev.eth0?.txPackets).toBe(4178);
  });

  it("reads a namespace's eth0 through /proc/<pid>/net/dev, rx and tx in one read", () => {
    const dev = parseProcNetDev(fixture("6.18/netns-srv-net-dev"));
    expect(dev.eth0).toMatchObject({ rxBytes: 3491, rxPackets: 34, txBytes: 4899, txPackets: 34 });
  });

  it("agrees with the same interface's /sys/class/net statistics files", () => {
    const sys = parseSysClassNetStatistics(fixtureDir("6.18/netns-srv-sys-class-net-eth0-statistics"));
    expect(sys).toEqual(parseProcNetDev(fixture("6.18/netns-srv-net-dev")).eth0);
  });

  it("reads long interface names whose counters follow the colon directly", () => {
    const text = "Inter-| a | b\n face |x|y\nveth1234567890a: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
    expect(parseProcNetDev(text)["veth1234567890a"]?.txCompressed).toBe(16);
  });

  it("rejects a line with too few columns", () => {
    expect(() => parseProcNetDev("  eth0: 1 2 3\n")).toThrow(ProcParseError);
  });
});
