/**
 * The figure descriptor machinery: the tree's shape is result.json's, every figure has a descriptor, scaling divides
 * exactly, a figure that cannot be computed is null with its reason, and the CSV, report and console columns derived
 * from the descriptors are the published ones.
 */
import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ANY_KEY, CSV_FIGURES, FIGURE_VIEWS, figureLeaves, type FigureLeaf, type FigureMetricId } from "../../bench/collector/figure-views.ts";
import { COST_FIGURE_NODES, type CostFigures } from "../../bench/collector/cost-figures.ts";
import type { DropCounts } from "../../bench/collector/figures-drops.ts";
import { diffSnapshots } from "../../bench/collector/diff-snapshots.ts";
import { windowTotals } from "../../bench/collector/per-request.ts";
import { ok } from "../../bench/collector/reading.ts";
import { kernelFigures } from "../../bench/run/measure.ts";
import { frozenInputs } from "../results/frozen-inputs.ts";
import type { RunResult } from "../../bench/results/schema.ts";
import { CSV_COLUMNS } from "../../bench/report/csv.ts";
import { METRICS } from "../../bench/results/metrics.ts";

const frozen = (name: string): string => readFileSync(new URL(`../fixtures/frozen/${name}`, import.meta.url), "utf8");
const result = JSON.parse(frozen("result.json")) as RunResult;
const { inputs } = frozenInputs("grpc");
const figures = kernelFigures(inputs);
const LEAVES = figureLeaves(COST_FIGURE_NODES);

/** Every leaf of a JSON value with its path: numbers, nulls and arrays (a fact) are leaves. */
function jsonLeaves(value: unknown, path: readonly string[] = []): { path: readonly string[]; value: unknown }[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [{ path, value }];
  return Object.entries(value).flatMap(([key, v]) => jsonLeaves(v, [...path, key]));
}

function descriptorAt(path: readonly string[]): FigureLeaf | undefined {
  return LEAVES.find((leaf) => leaf.path.length === path.length && leaf.path.every((key, i) => key === ANY_KEY || key === path[i]));
}

describe("the cost figure descriptors", () => {
  it("give the frozen run's figures byte for byte, key order included", () => {
    const grpc = result.scenarios.find((s) => s.protocol === "grpc");
    if (grpc === undefined || grpc.state !== "completed") throw new Error("fixture has no completed grpc scenario");
    expect(JSON.stringify(figures.perRequest)).toBe(JSON.stringify(grpc.perRequest));
    expect(JSON.stringify(figures.totals)).toBe(JSON.stringify(grpc.totals));
  });

  it("describe every leaf of the figures, and every counter has its key in them", () => {
    const { missing: _missing, ...totals } = figures.totals;
    const leaves = jsonLeaves(totals);
    expect(leaves.filter((leaf) => descriptorAt(leaf.path) === undefined)).toEqual([]);
    expect(leaves.find((leaf) => leaf.path.join(".") === "cpuUs.cpus")).toEqual({ path: ["cpuUs", "cpus"], value: [0, 1] });
    const present = (descriptor: FigureLeaf): boolean =>
      leaves.some((leaf) => leaf.path.length === descriptor.path.length && descriptor.path.every((key, i) => key === ANY_KEY || key === leaf.path[i]));
    const counters = LEAVES.filter((leaf) => leaf.node.kind === "figure");
    expect(counters.filter((leaf) => !present(leaf)).map((leaf) => leaf.path.join("."))).toEqual([]);
    // 51 /proc figures, 13 per CPU of the attribution (11 fields, wall, residual), its residualPct and netRxNsPerPacket.
    expect(counters).toHaveLength(51 + 13 + 2);
    expect(LEAVES.filter((leaf) => leaf.node.kind === "part").map((leaf) => leaf.path.join("."))).toEqual([
      "hardIrqs.byLine.*",
      "cpuUs.perCpu.*.user",
      "cpuUs.perCpu.*.system",
      "cpuUs.perCpu.*.softirq",
      "cpuUs.perCpu.*.irq",
      "cpuUs.perCpu.*.busy",
      "kernelThreads.ksoftirqdUs.*",
      "kernelThreads.napiUs.*",
    ]);
  });

  it("divide every counter and every breakdown entry by the requests exactly, and keep the facts", () => {
    const totals = jsonLeaves(figures.totals);
    const perRequest = new Map(jsonLeaves(figures.perRequest).map((leaf) => [leaf.path.join("."), leaf.value]));
    let divided = 0;
    for (const leaf of totals) {
      const descriptor = descriptorAt(leaf.path);
      if (descriptor === undefined) continue;
      const scaled = perRequest.get(leaf.path.join("."));
      if (descriptor.node.kind === "fact") expect(scaled).toEqual(leaf.value);
      else if (typeof leaf.value === "number") {
        expect(scaled, leaf.path.join(".")).toBe(leaf.value / inputs.requests);
        divided++;
      } else expect(scaled, leaf.path.join(".")).toBeNull();
    }
    expect(inputs.requests).toBe(2002);
    // 50 counters (hardIrqs.nic is null: no NIC named), 4 interrupt lines, 2 CPUs × 5 times, 2 ksoftirqd threads,
    // and the tick attribution's 7 figures of each of the 2 CPUs (the softirq split, kernel threads, other tasks and the
    // residual are null by that method).
    expect(divided).toBe(50 + 4 + 10 + 2 + 14);
  });

  it("list a per-CPU reason before the others in `missing`, where older results have it", () => {
    const delta = diffSnapshots(inputs.atStart, inputs.atEnd);
    if (!delta.stat.ok) throw new Error("fixture has no /proc/stat");
    const cpu1 = delta.stat.value.cpus["1"];
    if (cpu1 === undefined) throw new Error("fixture has no cpu1");
    const oldKernel = { ...delta, stat: ok({ ...delta.stat.value, cpus: { ...delta.stat.value.cpus, "1": { ...cpu1, softirqTicks: null } } }) };
    const totals = windowTotals(oldKernel, { cpus: [0, 1] });
    // The kernel-time figures' reasons follow; collector-per-request.test.ts has them.
    const old = Object.entries(totals.missing).filter(([key]) => !key.startsWith("cpuAttribution") && key !== "netRxNsPerPacket");
    expect(old).toEqual([
      ["cpuUs.perCpu.1", "softirq: not printed by this kernel"],
      ["hardIrqs.nic", "no NIC named (veth raises no hard IRQs)"],
      ["cpuUs.softirq", "/proc/stat softirq: not printed by this kernel"],
      ["cpuUs.total", "/proc/stat softirq: not printed by this kernel"],
    ]);
    expect(Object.keys(totals.cpuUs.perCpu)).toEqual(["0"]);
  });

  it("type the figures as result.json holds them, older results' optional fields included", () => {
    expectTypeOf<CostFigures["cpuUs"]["serverRun"]>().toEqualTypeOf<number | null>();
    expectTypeOf<CostFigures["cpuUs"]["perCpu"][string]["softirq"]>().toEqualTypeOf<number>();
    expectTypeOf<CostFigures["hardIrqs"]["byLine"]>().toEqualTypeOf<Readonly<Record<string, number>>>();
    expectTypeOf<CostFigures["direction"]>().toEqualTypeOf<
      | { readonly packetsRx: number | null; readonly packetsTx: number | null; readonly bytesRx: number | null; readonly bytesTx: number | null; readonly tcpInSegs: number | null; readonly tcpOutSegs: number | null }
      | undefined
    >();
    expectTypeOf<CostFigures["drops"]>().toEqualTypeOf<{ readonly server: DropCounts | null; readonly client: DropCounts | null } | undefined>();
    expectTypeOf<keyof DropCounts>().toEqualTypeOf<
      "listenOverflows" | "listenDrops" | "tcpReqQFullDrop" | "tcpBacklogDrop" | "tcpRcvQDrop" | "tcpOfoDrop" | "tcpZeroWindowDrop" | "udpRcvbufErrors" | "udpInErrors"
    >();
    expectTypeOf<CostFigures["kernelThreads"]>().toEqualTypeOf<
      { readonly ksoftirqdUs: Readonly<Record<string, number>>; readonly napiUs: Readonly<Record<string, number>> } | null | undefined
    >();
  });
});

describe("the columns derived from the descriptors", () => {
  it("put every counter's report.csv column at its number, the published kernel columns 25–44, 48 and 75", () => {
    for (const figure of CSV_FIGURES) expect(CSV_COLUMNS[figure.column - 1]?.name).toBe(figure.name);
    expect(CSV_FIGURES.map((f) => `${f.column} ${f.name}${f.scope === "global" ? " (global)" : ""}`)).toEqual([
      "25 packets_per_req",
      "26 bytes_per_req",
      "27 tcp_segments_per_req",
      "28 retrans_segments_per_req",
      "29 connection_opens_per_req",
      "30 net_rx_softirqs_per_req (global)",
      "31 net_tx_softirqs_per_req (global)",
      "32 hard_irqs_per_req (global)",
      "33 ctx_switches_server_per_req",
      "34 ctx_switches_client_per_req",
      "35 cpu_server_run_us_per_req",
      "36 cpu_server_user_us_per_req",
      "37 cpu_server_sys_us_per_req",
      "38 cpu_client_run_us_per_req",
      "39 cpu_client_user_us_per_req",
      "40 cpu_client_sys_us_per_req",
      "41 cpu_softirq_us_per_req (global)",
      "42 cpu_irq_us_per_req (global)",
      "43 cpu_busy_us_per_req (global)",
      "44 cpu_steal_us_per_req (global)",
      "48 cpu_attribution_residual_pct (global)",
      "75 net_rx_ns_per_packet (global)",
    ]);
    expect(CSV_COLUMNS.map((c) => c.name).slice(43, 48)).toEqual(["cpu_steal_us_per_req", "step", "client", "kernel_time_method", "cpu_attribution_residual_pct"]);
    expect(CSV_COLUMNS.map((c) => c.name).slice(-2)).toEqual(["client_cpu_residual_us_per_req", "net_rx_ns_per_packet"]);
    // The 7 /proc global columns, the residual, the 26 attribution columns of the two CPUs, and NET_RX ns per packet.
    expect(CSV_COLUMNS.filter((c) => c.global === true)).toHaveLength(7 + 1 + 26 + 1);
  });

  it("give the report's kernel metrics and the console's kernel columns in their published order", () => {
    expect(METRICS.map((m) => `${m.id} ${m.unit} ${m.scope}`).slice(6)).toEqual([
      "packetsPerRequest packets namespace",
      "bytesPerRequest bytes namespace",
      "tcpSegmentsPerRequest segments namespace",
      "softirqsPerRequest runs global",
      "contextSwitchesServerPerRequest switches process",
      "contextSwitchesClientPerRequest switches process",
      "cpuServerUsPerRequest µs process",
      "cpuClientUsPerRequest µs process",
      "cpuKernelUsPerRequest µs global",
    ]);
    expect(FIGURE_VIEWS.flatMap((v) => (v.console === undefined ? [] : [v.console.header]))).toEqual(["pkts/req", "bytes/req", "softirq/req", "µs/req srv", "cli", "kernel"]);
    expectTypeOf<"cpuKernelUsPerRequest">().toExtend<FigureMetricId>();
    expectTypeOf<"offeredRps">().not.toExtend<FigureMetricId>();
  });

  it("read derived figures from the stored ones: run time first, ticks as the fallback", () => {
    const perRequest = figures.perRequest;
    const read = (id: FigureMetricId, f: CostFigures) => FIGURE_VIEWS.find((v) => v.metric?.id === id)?.read(f);
    expect(read("cpuServerUsPerRequest", perRequest)).toBe(perRequest.cpuUs.serverRun);
    const ticksOnly = { ...perRequest, cpuUs: { ...perRequest.cpuUs, serverRun: null, serverUser: 100, serverSys: 50 } };
    expect(read("cpuServerUsPerRequest", ticksOnly)).toBe(150);
    expect(read("softirqsPerRequest", { ...perRequest, netRxSoftirqs: 2.5, netTxSoftirqs: 0.25 })).toBe(2.75);
    expect(read("cpuKernelUsPerRequest", { ...perRequest, cpuUs: { ...perRequest.cpuUs, irq: null } })).toBeNull();
  });
});
