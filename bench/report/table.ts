/**
 * The console table: one row per scenario. Pure; colour only when asked (NO_COLOR honoured by the caller). The
 * kernel columns are the collector's figure views that have a `console` header (bench/collector/figure-views.ts).
 */
import { armOf } from "../../contract/index.ts";
import type { GrpcClientChoice } from "../../contract/index.ts";
import { connectionsNeeded, MAX_CONNECTION_BUSY } from "../load/assess.ts";
import { FIGURE_VIEWS } from "../collector/index.ts";
import { RUN_TIME_DIFF_NOTE_PCT } from "../collector/ebpf/kernel-time-report.ts";
import { clientOf } from "../results/series.ts";
import type { CompletedScenario, ScenarioResult } from "../results/schema.ts";
import { totalErrors } from "../results/schema.ts";
import { pacingFloorText } from "../results/pacing-view.ts";
import type { SweepSummary } from "../results/schema.ts";
import { formatLoad, unitLabel } from "../sweep/plan.ts";

export function formatUs(us: number): string {
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

function formatRps(rps: number): string {
  return rps >= 100 ? String(Math.round(rps)) : rps.toFixed(1);
}

export interface TableOptions {
  readonly color: boolean;
  /**
   * The run's `--grpc-client`, for scenarios written before `--client` existed: they name no client and were driven
   * by their arm's library client (results/series.ts `clientOf`). Default grpc-js.
   */
  readonly grpcClient?: GrpcClientChoice;
}

/** Server and client CPU, NET softirqs and "kernel" (softirq + irq) are derived figures: see collector/cost-figures.ts. */
const KERNEL_COLUMNS = FIGURE_VIEWS.flatMap((v) => (v.console === undefined ? [] : [{ ...v.console, read: v.read }]));

const HEADER = [
  "scenario", "client", "offered/s", "achieved/s", "p50", "p99", "p99.9", "errors",
  ...KERNEL_COLUMNS.map((c) => c.header), "saturated",
];

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? "-" : value.toFixed(digits);
}

function kernelCells(s: CompletedScenario): string[] {
  const p = s.perRequest;
  const totals = s.totals;
  return KERNEL_COLUMNS.map((c) => {
    if (p === undefined) return "-";
    const value = fixed(c.read(p), c.digits);
    const error = totals === undefined || value === "-" ? null : (c.errorPct?.(totals) ?? null);
    return error === null ? value : `${value}±${Math.round(error)}%`;
  });
}

/**
 * Marks a latency cell of a scenario h2load drove: its latency is service time, not time from the intended send
 * (bench/load/h2load-report.ts); the notes say so.
 */
export const SERVICE_TIME_MARK = "*";

export function scenarioRow(s: ScenarioResult, grpcClient: GrpcClientChoice = "grpc-js"): string[] {
  // h2load sends its own requests: it is the client.
  const client = s.state === "completed" && s.driver !== undefined ? s.driver.name : clientOf({ grpcClient }, s);
  if (s.state !== "completed") return [s.name, client, formatRps(s.offeredRps), "-", "-", "-", "-", s.state, ...KERNEL_COLUMNS.map(() => "-"), s.error];
  const errors = totalErrors(s.errors);
  const latency = (us: number): string => (s.driver === undefined ? formatUs(us) : `${formatUs(us)}${SERVICE_TIME_MARK}`);
  return [
    s.driver === undefined ? s.name : `${s.name} (${s.driver.name})`,
    client,
    formatRps(s.offeredRps),
    formatRps(s.achievedRps),
    latency(s.latencyUs.p50),
    latency(s.latencyUs.p99),
    latency(s.latencyUs.p999),
    String(errors),
    ...kernelCells(s),
    s.generator.saturated ? "SATURATED" : "no",
  ];
}

export function renderTable(scenarios: readonly ScenarioResult[], options: TableOptions): string {
  const rows = [HEADER, ...scenarios.map((s) => scenarioRow(s, options.grpcClient))];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const paint = (text: string, code: number): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  // The scenario, its client and the last column (saturated, or an error) are text: left-aligned.
  const leftAligned = (i: number, row: readonly string[]): boolean => i <= 1 || i === row.length - 1;
  const lines = rows.map((row, r) => {
    const cells = row.map((cell, i) => (leftAligned(i, row) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)));
    const line = cells.join("  ").trimEnd();
    if (r === 0) return paint(line, 1);
    const s = scenarios[r - 1];
    if (s !== undefined && (s.state !== "completed" || s.generator.saturated)) return paint(line, 31);
    return line;
  });
  return `${lines.join("\n")}\n`;
}

/**
 * A keep-alive arm that carries one request at a time per connection needs rate × service time ÷ 70% connections;
 * with fewer, requests queue for a free connection and the latency measures that queue. Null when there are enough.
 * The service time is the generator's, from the send to the answer, so it holds any wait for a free connection: the
 * count asked for is an upper bound once the connections are short.
 */
export function tooFewConnections(s: CompletedScenario): string | null {
  const arm = armOf(s.protocol);
  if (arm.streams !== "one-at-a-time" || arm.connection !== "keep-alive" || s.serviceLatencyUs.count === 0) return null;
  // A run that hit the in-flight cap or fell behind has a service time swollen by its backlog: Little's law on it
  // asks for absurd counts, and the notes already say who limited the run.
  if (s.generator.saturated || s.generator.limitedBy === "server" || s.errors.refused > 0) return null;
  const needed = connectionsNeeded(s.offeredRps, s.serviceLatencyUs.mean);
  if (s.connections >= needed) return null;
  return `${s.connections} connection(s) carry one request at a time each; ${s.offeredRps} req/s at a mean service time of ${formatUs(s.serviceLatencyUs.mean)} needs at least ${needed} (each at most ${MAX_CONNECTION_BUSY * 100}% busy): requests waited for a free connection, and the latency counts the wait — use --connections ${needed} or more`;
}

/** Lines explaining each flagged scenario, so "SATURATED" is never left unexplained. */
export function renderNotes(scenarios: readonly ScenarioResult[]): string {
  const notes: string[] = [];
  for (const s of scenarios) {
    if (s.state !== "completed") continue;
    if (s.driver !== undefined) {
      notes.push(`${s.name}: driven by h2load ${s.driver.version} (${SERVICE_TIME_MARK} service time): ${s.driver.notes.join("; ")}`);
    }
    for (const reason of s.generator.saturationReasons) notes.push(`${s.name}: saturated: ${reason}`);
    const floor = pacingFloorText(s);
    if (floor !== null) notes.push(`${s.name}: ${floor}, send lateness p99 ${formatUs(s.generator.latenessP99Us)}`);
    if (s.generator.limitedBy === "server") for (const reason of s.generator.limitReasons ?? []) notes.push(`${s.name}: limited by the server: ${reason}`);
    if (s.generator.stalls !== undefined) notes.push(`${s.name}: ${s.generator.stalls}`);
    const connections = tooFewConnections(s);
    if (connections !== null) notes.push(`${s.name}: ${connections}`);
    const counts = new Map(Object.entries(s.errors));
    for (const [kind, message] of Object.entries(s.errorSamples)) notes.push(`${s.name}: ${counts.get(kind)} ${kind} error(s), e.g. ${message}`);
    if (s.verify !== undefined) {
      const v = s.verify;
      const verdict = v.agrees === true ? "agrees" : v.agrees === false ? "DISAGREES" : "cannot tell";
      notes.push(`${s.name}: verify: tcpdump counted ${v.capturedInWindow} packets, the counters ${v.collectorPackets ?? "n/a"} (${v.differencePct ?? "n/a"}%): ${verdict}`);
    }
    const prime = s.prime;
    if (prime !== undefined && (prime.timedOut || prime.failed > 0)) {
      const cut = prime.timedOut ? `was cut short at ${Math.round(prime.elapsedMs / 1000)} s` : "finished";
      notes.push(`${s.name}: priming ${cut} with ${prime.completed} of ${prime.requested} requests answered (${prime.failed} failed): V8 may still have compiled hot paths inside the window`);
    }
    const pps = s.pps;
    if (pps !== undefined && pps.measuredPps !== null && Math.abs(pps.measuredPps - pps.offeredPps) > 0.05 * pps.offeredPps) {
      notes.push(`${s.name}: --pps offered ${pps.offeredPps} packets/s but the window measured ${pps.measuredPps}: packets per request changed after calibration`);
    }
    if (s.contamination?.contaminated === true) {
      notes.push(`${s.name}: other traffic ran during the window (${s.contamination.excessPackets} packets more than the run's own, over the ${s.contamination.tolerancePackets ?? 0} allowed for read skew): its system-wide softirq and CPU figures are not the run's alone`);
    }
    notes.push(...kernelTimeNotes(s));
  }
  // Results written before the method was recorded say nothing here.
  const methods = new Set(scenarios.flatMap((s) => (s.state === "completed" && s.kernelTime !== undefined ? [s.kernelTime.method] : [])));
  if (methods.has("ebpf")) notes.push("kernel: exact softirq + hard-IRQ µs per request on the run's CPUs (eBPF)");
  if (methods.has("tick")) notes.push("kernel: /proc/stat's tick sample of softirq + irq, ±1/√ticks; it overlaps the process CPU (no IRQ time accounting)");
  return notes.length === 0 ? "" : `${notes.join("\n")}\n`;
}

/** Why a scenario's kernel time is not exact, or what makes its exact figure doubtful. */
function kernelTimeNotes(s: CompletedScenario): string[] {
  const k = s.kernelTime;
  if (k === undefined) return [];
  if (k.method === "tick") return k.reason.startsWith("--kernel-time") ? [] : [`${s.name}: kernel time by the tick method: ${k.reason} (${k.fix})`];
  const notes: string[] = [];
  if (k.tracer.lostEvents > 0) notes.push(`${s.name}: eBPF lost ${k.tracer.lostEvents} events: its kernel time is short by them`);
  const residual = s.perRequest?.cpuAttribution?.residualPct;
  if (residual !== undefined && residual !== null && residual > 1) notes.push(`${s.name}: eBPF attribution leaves ${residual}% of a CPU's window unaccounted`);
  for (const [who, diff] of [["server", k.checks.serverRunDiffPct], ["generator", k.checks.generatorRunDiffPct]] as const) {
    if (diff === null || Math.abs(diff) <= RUN_TIME_DIFF_NOTE_PCT) continue;
    // schedstat is read per live thread at the window's edges: a thread that began and ended inside it (a server
    // with a thread per connection, as Python's http.server) is in eBPF's figure and in no schedstat reading.
    const why = who === "server" && s.subject !== undefined && diff > 0 ? " (threads that ended inside the window are in eBPF's figure only)" : "";
    notes.push(`${s.name}: the ${who}'s eBPF on-CPU time and its schedstat run time differ by ${diff}%${why}`);
  }
  return notes;
}

/** One line per protocol of a sweep: where it stopped following the offered load, and why. */
export function renderSweepSummary(sweep: SweepSummary): string {
  const lines = [`knees (p99 SLO ${formatUs(sweep.sloP99Us)}, achieved ≥ 99% of offered, no errors):`];
  for (const [protocol, entry] of Object.entries(sweep.protocols)) {
    if (entry === undefined) continue;
    const k = entry.knee;
    const knee = k.knee === null ? "no step met the SLO" : `knee at ${formatLoad(k.unit, k.knee, k.kneeRps)}`;
    const sat = k.saturation === null ? "not saturated up to the last step" : `saturated at ${formatLoad(k.unit, k.saturation, k.saturationRps)} (${k.why}; limited by the ${k.limitedBy})`;
    const livelock = k.livelockSteps.length > 0 ? `; softirq rose while throughput fell at ${k.livelockSteps.join(", ")} ${unitLabel(k.unit)}` : "";
    lines.push(`  ${protocol}: ${knee}, ${sat}${livelock}`);
  }
  return `${lines.join("\n")}\n`;
}
