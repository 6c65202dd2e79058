/**
 * Two runs side by side: per protocol and cost metric, the new run's figure as a factor of the baseline run's, with
 * its uncertainty from the repeats, and whether the change exceeds the noise. Pure.
 *
 * When a change counts (all three must hold):
 * 1. both runs have ≥ 2 repeats of the figure, so each has a spread at all;
 * 2. the interval factor ± uncertainty (one SD, propagated in quadrature, see `ratioOfMeans`) excludes 1;
 * 3. |factor − 1| exceeds the larger of the two runs' own relative spreads (SD / mean) and the noise threshold
 *    (default 1%, criterion.rs's `noise_threshold`), so a tight but tiny shift in a near-constant count is not news.
 */
import type { RunResult } from "../results/schema.ts";
import { METRICS } from "../results/metrics.ts";
import type { MetricId } from "../results/metrics.ts";
import { isCompleted, kernelTimeMethod, scenariosOf, seriesIn, seriesParts, seriesSpread } from "../results/run-view.ts";
import type { Series } from "../results/series.ts";
import { ratioOfMeans, relativeSpread } from "../results/stats.ts";
import type { Spread } from "../results/stats.ts";

export const DEFAULT_NOISE_THRESHOLD = 0.01;

export type Verdict = "higher" | "lower" | "within noise" | "no spread" | "missing" | "methods differ";

export interface MetricChange {
  readonly metric: MetricId;
  readonly before: Spread | null;
  readonly after: Spread | null;
  /** after ÷ before; null when either is missing or before is 0. */
  readonly factor: number | null;
  readonly uncertainty: number | null;
  readonly verdict: Verdict;
}

export interface ProtocolComparison {
  /** The series (results/series.ts): the arm, or `arm~client` for a run's later `--client`. */
  readonly protocol: Series;
  /** Saturated scenarios of this series in each run: their figures are in, but they were not at a steady rate. */
  readonly saturated: { readonly before: number; readonly after: number };
  readonly changes: readonly MetricChange[];
}

export interface Comparison {
  readonly before: { readonly runId: string; readonly repeats: number };
  readonly after: { readonly runId: string; readonly repeats: number };
  readonly noiseThreshold: number;
  /**
   * Settings that differ between the runs, "what: before → after", and the client of each series both runs have
   * where it differs ("client of h2c: node-http2 → wire"); a factor across them is not like for like.
   */
  readonly differences: readonly string[];
  readonly protocols: readonly ProtocolComparison[];
  readonly onlyInBefore: readonly Series[];
  readonly onlyInAfter: readonly Series[];
}

export function judge(before: Spread | null, after: Spread | null, noiseThreshold: number): Omit<MetricChange, "metric"> {
  if (before === null || after === null) return { before, after, factor: null, uncertainty: null, verdict: "missing" };
  const ratio = ratioOfMeans(before, after);
  if (ratio === null) return { before, after, factor: null, uncertainty: null, verdict: "missing" };
  const { factor, uncertainty } = ratio;
  if (uncertainty === null) return { before, after, factor, uncertainty, verdict: "no spread" };
  const excludesOne = factor - uncertainty > 1 || factor + uncertainty < 1;
  const noise = Math.max(relativeSpread(before) ?? 0, relativeSpread(after) ?? 0, noiseThreshold);
  const exceeds = Math.abs(factor - 1) > noise;
  const verdict: Verdict = excludesOne && exceeds ? (factor > 1 ? "higher" : "lower") : "within noise";
  return { before, after, factor, uncertainty, verdict };
}

/** The settings a factor across two runs depends on. */
function settings(r: RunResult): Record<string, string> {
  const c = r.config;
  const t = r.topology;
  return {
    "offered req/s": String(c.rps),
    "window ms": String(c.durationMs),
    "request bytes": String(c.requestBytes),
    "response bytes": String(c.responseBytes),
    connections: String(c.connections),
    streams: String(c.streams),
    topology: t?.kind ?? "unknown",
    offloads: t?.offloadMode ?? "unknown",
    "receive steering": t?.rxSteering.mode ?? "unknown",
    "server/client CPU": t === null ? "unknown" : `${t.serverCpu}/${t.clientCpu}`,
    kernel: r.environment.kernel,
    machine: `${r.environment.cpuModel} × ${r.environment.cpuCount}`,
    node: r.environment.node,
    "server settings": JSON.stringify(c.server),
    "kernel time": kernelTimeMethod(r),
    ...Object.fromEntries(Object.entries(r.environment.packages).map(([name, v]) => [name, v])),
    // A user server is what its entry says: the same name with another command or request is another subject.
    ...Object.fromEntries((c.servers ?? []).map((s) => [`server ${s.name}`, JSON.stringify({ protocol: s.protocol, command: s.command, exchange: s.exchange })])),
  };
}

export { kernelTimeMethod } from "../results/run-view.ts";

/** The metrics whose value depends on how kernel time was measured. */
const KERNEL_TIME_METRICS: ReadonlySet<MetricId> = new Set(["cpuKernelUsPerRequest"]);

/**
 * The client of every series the runs share, where it differs. The client's CPU is in the client figures, and a
 * library client sends differently (node:http2 and grpc-js coalesce and flush on their own schedule), so a change of
 * client is a change of what was measured.
 */
function clientDifferences(before: RunResult, after: RunResult): string[] {
  return seriesIn(before).flatMap((series) => {
    const a = seriesParts(before, series)?.client;
    const b = seriesParts(after, series)?.client;
    return a === undefined || b === undefined || a === b ? [] : [`client of ${series}: ${a} → ${b}`];
  });
}

function differences(before: RunResult, after: RunResult): string[] {
  const a = settings(before);
  const b = settings(after);
  const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) => (a[key] === b[key] ? [] : [`${key}: ${a[key] ?? "–"} → ${b[key] ?? "–"}`]));
  return [...changed, ...clientDifferences(before, after)];
}

function saturatedCount(r: RunResult, series: Series): number {
  return scenariosOf(r, series).filter((s) => isCompleted(s) && s.generator.saturated).length;
}

function repeats(r: RunResult): number {
  return new Set(r.scenarios.map((s) => s.repeat)).size;
}

export function compareRuns(before: RunResult, after: RunResult, options: { noiseThreshold?: number } = {}): Comparison {
  const noiseThreshold = options.noiseThreshold ?? DEFAULT_NOISE_THRESHOLD;
  const a = seriesIn(before);
  const b = seriesIn(after);
  const shared = a.filter((p) => b.includes(p));
  const metrics = METRICS.filter((m) => m.cost || m.id === "achievedRps");
  const sameMethod = kernelTimeMethod(before) === kernelTimeMethod(after) && kernelTimeMethod(before) !== "mixed";
  return {
    before: { runId: before.runId, repeats: repeats(before) },
    after: { runId: after.runId, repeats: repeats(after) },
    noiseThreshold,
    differences: differences(before, after),
    protocols: shared.map((protocol) => ({
      protocol,
      saturated: { before: saturatedCount(before, protocol), after: saturatedCount(after, protocol) },
      changes: metrics.map((m) => {
        const judged = judge(seriesSpread(before, protocol, m), seriesSpread(after, protocol, m), noiseThreshold);
        return { metric: m.id, ...(KERNEL_TIME_METRICS.has(m.id) && !sameMethod ? { ...judged, factor: null, uncertainty: null, verdict: "methods differ" as const } : judged) };
      }),
    })),
    onlyInBefore: a.filter((p) => !b.includes(p)),
    onlyInAfter: b.filter((p) => !a.includes(p)),
  };
}
