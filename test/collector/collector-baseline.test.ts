import { describe, expect, it } from "vitest";
import { contaminationGuard, contaminationTolerance } from "../../bench/collector/contamination-guard.ts";
import type { InterruptDelta, SoftnetDelta } from "../../bench/collector/delta-types.ts";
import { baselineRates, subtractBaseline } from "../../bench/collector/subtract-baseline.ts";
import { cpuTimes, makeDelta, missing, netDev, ok } from "./make-data.ts";

const softnet = (processed: number): SoftnetDelta => ({
  processed,
  dropped: 0,
  timeSqueeze: 0,
  cpuCollision: 0,
  receivedRps: null,
  flowLimitCount: 0,
  backlogLenAtEnd: 3,
  inputQueueLenAtEnd: 1,
  processQueueLenAtEnd: 2,
});
const loc = (cpu0: number, cpu1: number): InterruptDelta => ({
  id: "LOC",
  irq: null,
  devices: [],
  description: "Local timer interrupts",
  perCpu: { "0": cpu0, "1": cpu1 },
  total: cpu0 + cpu1,
});
const stat = (user0: number, idle0: number, ctxt: number) =>
  ok({
    total: cpuTimes({ userTicks: user0, idleTicks: idle0 }),
    cpus: { "0": cpuTimes({ userTicks: user0, idleTicks: idle0 }), "1": cpuTimes({ idleTicks: idle0 }) },
    ctxt,
    intrTotal: null,
    softirqTotal: 0,
    processes: 0,
  });

/** An idle baseline of 2 s before load. */
const idle = makeDelta({
  windowMs: 2000,
  softirqs: ok({ NET_RX: { "0": 20, "1": 10 } }),
  interrupts: ok([loc(500, 500)]),
  softnet: ok({ "0": softnet(4), "1": softnet(0) }),
  stat: stat(2, 198, 400),
});

/** A loaded window of 5 s. */
const window = makeDelta({
  windowMs: 5000,
  server: {
    source: "/proc/42/net",
    interfaces: { eth0: ok(netDev({ rxPackets: 1000, txPackets: 1000 })) },
    snmp: missing("lean"),
    netstat: missing("lean"),
  },
  softirqs: ok({ NET_RX: { "0": 1200, "1": 20 } }),
  interrupts: ok([loc(1300, 1250)]),
  softnet: ok({ "0": softnet(2010), "1": softnet(0) }),
  stat: stat(3, 90, 5000),
});

describe("idle baseline", () => {
  it("turns an idle window into rates per second", () => {
    const rates = baselineRates(idle);
    expect(rates.softirqs).toEqual(ok({ NET_RX: { "0": 10, "1": 5 } }));
    expect(rates.interrupts.ok && rates.interrupts.value[0]).toMatchObject({ perCpu: { "0": 250, "1": 250 }, total: 500 });
    expect(rates.softnet.ok && rates.softnet.value["0"]?.processed).toBe(2);
    expect(rates.stat.ok && rates.stat.value).toMatchObject({ ctxt: 200, cpus: { "0": { userTicks: 1 } } });
  });

  it("subtracts rate × window per CPU and field, clamps at 0 and keeps the raw values", () => {
    const corrected = subtractBaseline(window, baselineRates(idle), 5);
    expect(corrected.softirqs).toEqual(ok({ NET_RX: { "0": 1150, "1": 0 } }));
    expect(corrected.interrupts.ok && corrected.interrupts.value[0]).toMatchObject({
      perCpu: { "0": 50, "1": 0 },
      total: 50,
    });
    expect(corrected.softnet.ok && corrected.softnet.value["0"]).toEqual({
      ...softnet(2000),
      // a column the kernel lacks stays null; gauges are untouched
      receivedRps: null,
    });
    expect(corrected.stat.ok && corrected.stat.value).toMatchObject({
      ctxt: 4000,
      // user 3 − 1/s × 5 s clamps to 0; idle is time not used, never subtracted
      cpus: { "0": { userTicks: 0, idleTicks: 90 } },
    });
    expect(corrected.baseline?.windowSeconds).toBe(5);
    expect(corrected.baseline?.raw.softirqs).toEqual(window.softirqs);
    expect(corrected.server).toBe(window.server);
  });

  it("makes a section missing when its baseline is missing, keeping the raw value", () => {
    const rates = { ...baselineRates(idle), softirqs: missing<never>("at window start: /proc/softirqs: EIO") };
    const corrected = subtractBaseline(window, rates, 5);
    expect(corrected.softirqs).toEqual(missing("idle baseline: at window start: /proc/softirqs: EIO"));
    expect(corrected.baseline?.raw.softirqs).toEqual(window.softirqs);
  });

  it("subtracts from the raw values when applied twice, not from an already corrected window", () => {
    const once = subtractBaseline(window, baselineRates(idle), 5);
    expect(subtractBaseline(once, baselineRates(idle), 5).softirqs).toEqual(once.softirqs);
  });
});

describe("contaminationGuard", () => {
  it("flags a window whose softnet processed exceeds the veth ends' rx, from the raw counts", () => {
    const check = contaminationGuard(subtractBaseline(window, baselineRates(idle), 5));
    expect(check).toEqual({
      processed: 2010,
      runRxPackets: 2000,
      excessPackets: 10,
      tolerancePackets: 4,
      contaminated: true,
      method: "server-rx-plus-tx",
      reason: null,
    });
    expect(contaminationGuard(window, { tolerancePackets: 10 }).contaminated).toBe(false);
  });

  it("tolerates read skew of 4 packets, or 0.1% of the run's own packets when that is more", () => {
    expect([0, 1000, 4000, 4001, 562_888].map(contaminationTolerance)).toEqual([4, 4, 4, 5, 563]);
    const skewed = makeDelta({ ...window, softnet: ok({ "0": softnet(2004), "1": softnet(0) }) });
    expect(contaminationGuard(skewed)).toMatchObject({ excessPackets: 4, tolerancePackets: 4, contaminated: false });
    const busier = makeDelta({ ...window, softnet: ok({ "0": softnet(2005), "1": softnet(0) }) });
    expect(contaminationGuard(busier)).toMatchObject({ excessPackets: 5, contaminated: true });
  });

  it("adds the bridge ports' rx when the bridge namespace was read, since they receive every packet once more", () => {
    const bridged = makeDelta({
      ...window,
      softnet: ok({ "0": softnet(4010), "1": softnet(0) }),
      bridge: {
        source: "/proc/44/net",
        interfaces: { "veth-srv": ok(netDev({ rxPackets: 1000 })), "veth-cli": ok(netDev({ rxPackets: 1000 })), docker0: ok(netDev({ rxPackets: 0 })) },
        snmp: missing("x"),
        netstat: missing("x"),
      },
    });
    expect(contaminationGuard(bridged)).toEqual({
      processed: 4010,
      runRxPackets: 4000,
      excessPackets: 10,
      tolerancePackets: 4,
      contaminated: true,
      method: "server-rx-plus-tx",
      reason: null,
    });
    expect(contaminationGuard({ ...bridged, bridge: null }).excessPackets).toBe(2010);
  });

  it("uses both ends' rx when the client namespace was read", () => {
    const both = makeDelta({
      ...window,
      client: {
        source: "/proc/43/net",
        interfaces: { eth0: ok(netDev({ rxPackets: 1010 })) },
        snmp: missing("x"),
        netstat: missing("x"),
      },
    });
    expect(contaminationGuard(both)).toMatchObject({
      runRxPackets: 2010,
      excessPackets: 0,
      contaminated: false,
      method: "both-ends-rx",
    });
  });

  it("counts lo's rx alone on the loopback topology, where every packet is both rx and tx of lo", () => {
    const loopback = makeDelta({
      ...window,
      server: { ...window.server, interfaces: { lo: ok(netDev({ rxPackets: 2006, txPackets: 2006 })) } },
    });
    expect(contaminationGuard(loopback)).toMatchObject({
      runRxPackets: 2006,
      excessPackets: 4,
      contaminated: false,
      method: "loopback-rx",
    });
  });

  it("cannot tell when softnet_stat is missing, and says why", () => {
    const check = contaminationGuard(makeDelta({ ...window, softnet: missing("at window end: EIO") }));
    expect(check).toMatchObject({ contaminated: null, excessPackets: null, reason: "softnet_stat: at window end: EIO" });
  });
});
