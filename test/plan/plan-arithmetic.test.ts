import { describe, expect, it } from "vitest";
import { planCapacity } from "../../bench/plan/capacity-plan.ts";
import type { PlanOptions } from "../../bench/plan/capacity-plan.ts";
import { parseLatencyUs } from "../../bench/plan/cli.ts";
import { isUsageError } from "../../bench/support/errors.ts";
import { errored, run, scenario } from "../report/make-result.ts";

const options: PlanOptions = { rps: 10_000, targetUtil: 0.5, sloP99Us: 3000, includeSaturated: false };

const twoProtocols = [
  scenario({ protocol: "http1", repeat: 1, serverRun: 100, serverCpuSoftirq: 20, packets: 2, bytes: 1000, netRx: 3, clientRun: 150, p99Us: 2000 }),
  scenario({ protocol: "grpc", repeat: 1, serverRun: 200, serverCpuSoftirq: 40, packets: 4, bytes: 1200, netRx: 6, p99Us: 2500 }),
  scenario({ protocol: "http1", repeat: 2, serverRun: 110, serverCpuSoftirq: 30, packets: 2, bytes: 1000, netRx: 3, clientRun: 250, p99Us: 4000 }),
  scenario({ protocol: "grpc", repeat: 2, serverRun: 220, serverCpuSoftirq: 40, packets: 4, bytes: 1200, netRx: 6, p99Us: 3500, saturated: true }),
];

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isUsageError(error)) return error.message;
    throw error;
  }
  throw new Error("did not refuse");
}

describe("capacity plan arithmetic", () => {
  it("scales the server process CPU to cores at the target utilisation and shows the kernel time beside it", () => {
    const plan = planCapacity(run(twoProtocols), options);
    const http1 = plan.protocols.find((p) => p.protocol === "http1");
    // (100 + 110) / 2 = 105 µs × 10 000 req/s = 1.05 s of CPU per second, at 50% utilisation: 2.1 cores.
    expect(http1?.serverCpuUsPerRequest).toBe(105);
    expect(http1?.serverCores).toBeCloseTo(2.1, 12);
    // Kernel on the server's CPU (25 µs) is not added without IRQ time accounting: 0.5 cores beside, 2.6 at most.
    expect(http1?.kernelCores).toBeCloseTo(0.5, 12);
    expect(http1?.serverCoresUpperBound).toBeCloseTo(2.6, 12);
    expect(http1?.clientCores).toBeCloseTo(4, 12);
    expect(http1?.packetsPerSecond).toBe(20_000);
    expect(http1?.tcpSegmentsPerSecond).toBe(20_000);
    expect(http1?.bitsPerSecond).toBe(80_000_000);
    expect(http1?.softirqRunsPerSecond).toBe(30_000);
    // Only repeat 1 met p99 ≤ 3 ms: 1 000 000 / 100 µs.
    expect(http1?.best).toEqual({ rpsPerCore: 10_000, scenario: "http1#1", p99Us: 2000 });
  });

  it("leaves saturated scenarios out and names the cheapest protocol in server cores", () => {
    const plan = planCapacity(run(twoProtocols), options);
    const grpc = plan.protocols.find((p) => p.protocol === "grpc");
    expect(grpc?.scenarios).toEqual(["grpc#1"]);
    expect(grpc?.serverCores).toBeCloseTo(4, 12);
    expect(plan.cheapest).toBe("http1");
    expect(plan.excluded).toEqual([]);
  });

  it("adds the kernel time when the kernel has IRQ time accounting", () => {
    const plan = planCapacity(run(twoProtocols, { irqTimeAccounting: true }), options);
    const http1 = plan.protocols.find((p) => p.protocol === "http1");
    expect(http1?.serverCores).toBeCloseTo(2.6, 12);
    expect(http1?.serverCoresUpperBound).toBeNull();
    expect(http1?.best?.rpsPerCore).toBeCloseTo(1e6 / 120, 9);
  });

  it("reports no per-core rate when no scenario met the SLO, and all of them without an SLO", () => {
    const strict = planCapacity(run(twoProtocols), { ...options, sloP99Us: 1000 });
    expect(strict.protocols.every((p) => p.best === null)).toBe(true);
    const none = planCapacity(run(twoProtocols), { ...options, sloP99Us: null });
    expect(none.protocols.find((p) => p.protocol === "http1")?.best?.scenario).toBe("http1#1");
  });

  it("names a protocol whose every scenario saturated instead of planning it", () => {
    const only = [scenario({ protocol: "http1", repeat: 1 }), scenario({ protocol: "grpc", repeat: 1, saturated: true })];
    const plan = planCapacity(run(only), options);
    expect(plan.protocols.map((p) => p.protocol)).toEqual(["http1"]);
    expect(plan.excluded).toEqual([{ protocol: "grpc", reason: expect.stringContaining("saturated") }]);
    expect(planCapacity(run(only), { ...options, includeSaturated: true }).protocols).toHaveLength(2);
  });

  it("refuses a run without the figures it needs, saying which", () => {
    expect(refusal(() => planCapacity(run([errored("http1", 1), errored("grpc", 1)]), options))).toMatch(/no completed scenario/);
    expect(refusal(() => planCapacity(run([scenario({ protocol: "http1", repeat: 1, withKernelFigures: false })]), options))).toMatch(/per-request kernel figures/);
    expect(refusal(() => planCapacity(run([scenario({ protocol: "http1", repeat: 1, serverRun: null })]), options))).toMatch(/per-request kernel figures/);
    expect(refusal(() => planCapacity(run([scenario({ protocol: "http1", repeat: 1, saturated: true })]), options))).toMatch(/saturated the load generator.*--include-saturated/);
  });

  it("reads SLOs in µs, ms and s, a bare number as ms", () => {
    expect(parseLatencyUs("5ms")).toBe(5000);
    expect(parseLatencyUs("800us")).toBe(800);
    expect(parseLatencyUs("800µs")).toBe(800);
    expect(parseLatencyUs("0.5s")).toBe(500_000);
    expect(parseLatencyUs("2")).toBe(2000);
    expect(parseLatencyUs("soon")).toBeUndefined();
    expect(parseLatencyUs("0ms")).toBeUndefined();
  });
});
