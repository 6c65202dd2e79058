/**
 * Capacity planning from a run: per protocol, what a target request rate needs in cores, packets, bandwidth and
 * softirq work, scaled linearly from the run's per-request figures. Pure; refusals are UsageErrors.
 *
 * CPU figure: the server process's schedstat run time per request (user + sys, ns-precise). Without IRQ time
 * accounting the tick-sampled softirq/irq time of /proc/stat is *also* charged to whatever task it interrupted
 * (docs/kernel-notes.md § "IRQ time accounting"), so it is shown beside the process figure, never added;
 * `serverCoresUpperBound` adds it as the most the server's CPU could need. With IRQ time accounting on, the two are
 * disjoint and the kernel time is added.
 *
 * With exact kernel time (eBPF, `cpuAttribution.method` "ebpf") the server CPU's time is split without overlap: the
 * server's own user + syscall time, and the softirqs, hard interrupts and kernel threads that ran on that CPU. The two
 * are added, exactly, and the kernel's share of the CPU a protocol needs is stated (`kernelSharePct`).
 *
 * A sweep is planned from each protocol's knee instead (knee-step.ts): the figures measured at the highest offered
 * rate that met the SLO, so nothing is extrapolated from one rate that may sit far below or past saturation.
 */
import { UsageError } from "../support/errors.ts";
import type { CompletedScenario, RunResult } from "../results/schema.ts";
import { metric, metricValue } from "../results/metrics.ts";
import { isCompleted, scenariosOf, seriesIn } from "../results/run-view.ts";
import { seriesOf } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import { mean } from "../results/stats.ts";
import { sweepOf } from "../results/sweep-view.ts";
import { kneeExclusion, kneeStep, sweepBasis } from "./knee-step.ts";
import type { KneeStep, SweepBasis } from "./knee-step.ts";

export interface PlanOptions {
  readonly rps: number;
  /** Busy share each core may reach, 0 < u ≤ 1. */
  readonly targetUtil: number;
  /** Latency SLO on p99, µs; null: no SLO. */
  readonly sloP99Us: number | null;
  readonly includeSaturated: boolean;
}

export interface BestRate {
  readonly rpsPerCore: number;
  readonly scenario: string;
  readonly p99Us: number;
}

export interface ProtocolPlan {
  /** The series (results/series.ts): the arm, or `arm~client` for a run's later `--client`. */
  readonly protocol: Series;
  readonly scenarios: readonly string[];
  /** How kernel time was measured: "ebpf" only when every scenario used had it exactly. */
  readonly kernelTime: "ebpf" | "tick";
  /**
   * eBPF: the server's own user + syscall time, softirqs on its back taken out. Tick: its schedstat run time, which
   * holds those softirqs too.
   */
  readonly serverCpuUsPerRequest: number;
  /**
   * eBPF: softirqs, hard interrupts and kernel threads on the server's CPU, exact and disjoint from the server's time.
   * Tick: softirq + irq on the server's CPU (/proc/stat ticks), clean windows only, overlapping it. Null when none.
   */
  readonly kernelCpuUsPerRequest: number | null;
  /** eBPF: the kernel's share of the server CPU's work per request, %; null with the tick method. */
  readonly kernelSharePct: number | null;
  readonly clientCpuUsPerRequest: number | null;
  readonly serverCores: number;
  readonly kernelCores: number | null;
  readonly serverCoresUpperBound: number | null;
  readonly clientCores: number | null;
  readonly packetsPerSecond: number | null;
  readonly tcpSegmentsPerSecond: number | null;
  readonly bitsPerSecond: number | null;
  readonly softirqRunsPerSecond: number | null;
  /** Highest req/s per fully busy server core among scenarios meeting the SLO (all scenarios without one). */
  readonly best: BestRate | null;
  /** For a sweep: the protocol's knee and the step whose figures were used; null for a single-rate run. */
  readonly knee: KneeStep | null;
}

export interface Plan {
  readonly runId: string;
  readonly runRps: number;
  readonly options: PlanOptions;
  readonly irqTimeAccounting: boolean | null;
  /** For a sweep: its rates and the SLO its knees were found at; null for a single-rate run. */
  readonly sweep: SweepBasis | null;
  readonly protocols: readonly ProtocolPlan[];
  readonly excluded: readonly { readonly protocol: Series; readonly reason: string }[];
  /** Fewest server cores; ties go to the run's earlier protocol. */
  readonly cheapest: Series;
}

function refuse(message: string): never {
  throw new UsageError("WC_UNSUPPORTED", message);
}

const serverCpu = metric("cpuServerUsPerRequest");

/** softirq + irq on the scenario's server CPU; the whole run's CPUs when the server CPU was not recorded. */
export function kernelUsOnServerCpu(s: CompletedScenario): number | null {
  if (s.perRequest === undefined || s.contamination?.contaminated === true) return null;
  const cpu = s.cpus?.server;
  const split = cpu === null || cpu === undefined ? undefined : s.perRequest.cpuUs.perCpu[String(cpu)];
  return split === undefined ? metricValue(metric("cpuKernelUsPerRequest"), s) : split.softirq + split.irq;
}

/** The server CPU's exact split (eBPF): the server's own time and the kernel's, per request; null without eBPF. */
export function exactServerCpu(s: CompletedScenario): { readonly own: number; readonly kernel: number } | null {
  const a = s.perRequest?.cpuAttribution;
  const cpu = s.cpus?.server;
  if (a === undefined || a === null || a.method !== "ebpf" || cpu === null || cpu === undefined || s.contamination?.contaminated === true) return null;
  const split = a.perCpu[String(cpu)];
  if (split === undefined) return null;
  const parts = [split.serverUser, split.serverSys, split.softirqNetRx, split.softirqNetTx, split.softirqOther, split.hardIrq, split.kernelThreads];
  if (parts.some((v) => v === null)) return null;
  const [user = 0, sys = 0, rx = 0, tx = 0, other = 0, hard = 0, threads = 0] = parts.map((v) => v ?? 0);
  return { own: user + sys, kernel: rx + tx + other + hard + threads };
}

function avg(scenarios: readonly CompletedScenario[], read: (s: CompletedScenario) => number | null): number | null {
  const values = scenarios.map(read).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length === 0 ? null : mean(values);
}

/**
 * Picks the scenarios with kernel figures (`measured`) and those a plan may use (`usable`: saturated ones left
 * out unless asked), or refuses with the reason the whole run is unusable.
 */
function selectScenarios(result: RunResult, options: PlanOptions): { measured: CompletedScenario[]; usable: CompletedScenario[] } {
  const completed = result.scenarios.filter(isCompleted);
  if (result.scenarios.length === 0) refuse("the run has no scenario at all (it stopped before the first one finished): nothing to plan from");
  if (completed.length === 0) {
    refuse(`the run has no completed scenario (${result.scenarios.length} errored or aborted): nothing to plan from`);
  }
  const measured = completed.filter((s) => s.perRequest !== undefined && metricValue(serverCpu, s) !== null);
  if (measured.length === 0) refuse("no completed scenario has per-request kernel figures (perRequest with server CPU): rerun npm run bench, which runs the collector");
  const usable = options.includeSaturated ? measured : measured.filter((s) => !s.generator.saturated);
  if (usable.length === 0) {
    const rerun = sweepOf(result) === null ? `none ran at a steady ${result.config.rps} req/s: rerun at a lower --rps` : "none ran at a steady rate: rerun the sweep from a lower --from";
    refuse(`every measured scenario saturated the load generator, so ${rerun}, or pass --include-saturated to plan from them anyway`);
  }
  return { measured, usable };
}

export function planCapacity(result: RunResult, options: PlanOptions): Plan {
  const { measured, usable } = selectScenarios(result, options);
  const sweep = sweepBasis(result, options.sloP99Us);
  const sloP99Us = sweep === null ? options.sloP99Us : sweep.sloP99Us;
  const accounting = result.environment.irqTimeAccounting;
  const perSecond = (perRequest: number | null): number | null => (perRequest === null ? null : perRequest * options.rps);
  const coresFor = (us: number): number => (us * options.rps) / 1e6 / options.targetUtil;
  const cores = (us: number | null): number | null => (us === null ? null : coresFor(us));
  const protocols: ProtocolPlan[] = [];
  const excluded: { protocol: Series; reason: string }[] = [];
  const inSeries = (series: Series) => (s: CompletedScenario) => seriesOf(result, s) === series;
  for (const protocol of seriesIn(result)) {
    let mine = usable.filter(inSeries(protocol));
    let knee: KneeStep | null = null;
    if (sweep !== null && measured.some(inSeries(protocol))) {
      const chosen = kneeStep(result, protocol, sweep, measured, options.includeSaturated);
      knee = chosen.step;
      mine = chosen.scenarios;
      if (mine.length === 0) {
        excluded.push({ protocol, reason: kneeExclusion(protocol, knee) });
        continue;
      }
    }
    if (mine.length === 0) {
      const all = scenariosOf(result, protocol);
      const reason = all.every((s) => !isCompleted(s))
        ? "no scenario completed"
        : all.some((s) => isCompleted(s) && s.perRequest !== undefined && s.generator.saturated)
          ? "every measured scenario saturated the load generator (pass --include-saturated to use them)"
          : "no scenario has per-request kernel figures";
      excluded.push({ protocol, reason });
      continue;
    }
    // Exact only when every scenario used has the eBPF split: a mean over both methods would mix overlapping figures.
    const exact = mine.every((s) => exactServerCpu(s) !== null);
    // Every measured scenario has the server CPU figure (selectScenarios), so this null is a formality.
    const server = exact ? avg(mine, (s) => exactServerCpu(s)?.own ?? null) : avg(mine, (s) => metricValue(serverCpu, s));
    if (server === null) {
      excluded.push({ protocol, reason: "no scenario has per-request kernel figures" });
      continue;
    }
    const kernel = exact ? avg(mine, (s) => exactServerCpu(s)?.kernel ?? null) : avg(mine, kernelUsOnServerCpu);
    const client = avg(mine, (s) => metricValue(metric("cpuClientUsPerRequest"), s));
    const per = (id: Parameters<typeof metric>[0]): number | null => avg(mine, (s) => metricValue(metric(id), s));
    const disjoint = exact || accounting === true;
    const serverCores = coresFor(disjoint && kernel !== null ? server + kernel : server);
    const kernelCores = cores(kernel);
    const meetsSlo = mine.filter((s) => sloP99Us === null || s.latencyUs.p99 <= sloP99Us);
    let best: BestRate | null = null;
    for (const s of meetsSlo) {
      const split = exact ? exactServerCpu(s) : null;
      const us = split === null ? metricValue(serverCpu, s) : split.own;
      if (us === null) continue; // a formality, as for `server`
      const k = split !== null ? split.kernel : accounting === true ? (kernelUsOnServerCpu(s) ?? 0) : 0;
      const rpsPerCore = 1e6 / (us + k);
      if (best === null || rpsPerCore > best.rpsPerCore) best = { rpsPerCore, scenario: s.name, p99Us: s.latencyUs.p99 };
    }
    const bytes = per("bytesPerRequest");
    protocols.push({
      protocol,
      scenarios: mine.map((s) => s.name),
      kernelTime: exact ? "ebpf" : "tick",
      serverCpuUsPerRequest: server,
      kernelCpuUsPerRequest: kernel,
      kernelSharePct: exact && kernel !== null && server + kernel > 0 ? (100 * kernel) / (server + kernel) : null,
      clientCpuUsPerRequest: client,
      serverCores,
      kernelCores,
      serverCoresUpperBound: disjoint || kernelCores === null ? null : serverCores + kernelCores,
      clientCores: cores(client),
      packetsPerSecond: perSecond(per("packetsPerRequest")),
      tcpSegmentsPerSecond: perSecond(per("tcpSegmentsPerRequest")),
      bitsPerSecond: bytes === null ? null : bytes * 8 * options.rps,
      softirqRunsPerSecond: perSecond(per("softirqsPerRequest")),
      best,
      knee,
    });
  }
  const first = protocols[0];
  if (first === undefined) {
    // Only a sweep gets here: single-rate runs with a usable scenario always plan its protocol.
    refuse(`no protocol has a usable step within its knee: ${excluded.map((e) => `${e.protocol}: ${e.reason}`).join("; ")}`);
  }
  const cheapest = protocols.reduce((a, b) => (b.serverCores < a.serverCores ? b : a), first);
  return { runId: result.runId, runRps: result.config.rps, options, irqTimeAccounting: accounting, sweep, protocols, excluded, cheapest: cheapest.protocol };
}
