/**
 * The figures: one table per repeat with every series (an arm with one client) side by side, then every series
 * relative to the baseline with its spread over repeats, and the headline sentences. Pure.
 */
import type { RunResult, ScenarioResult } from "../results/schema.ts";
import type { Block } from "./doc.ts";
import { plain } from "../results/markdown-text.ts";
import { fixed, formatFactor, formatUs, MISSING } from "../results/format.ts";
import { METRICS, metric, metricValue } from "../results/metrics.ts";
import type { Metric, MetricId } from "../results/metrics.ts";
import { isCompleted, kernelTimeMethod, relativeFactors, repeatsOf, scenarioAt, seriesIn } from "../results/run-view.ts";
import { clientOf } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import { SERVICE_TIME_MARK } from "./table.ts";
import type { Spread } from "../results/stats.ts";

/** What the kernel CPU row is, by how the run measured kernel time. */
const KERNEL_ROW = {
  ebpf: "CPU kernel is the exact softirq + hard-IRQ time on the run's CPUs (eBPF).",
  tick: "CPU kernel is /proc/stat softirq + irq time on the run's CPUs, a tick sample.",
  mixed: "CPU kernel is the exact softirq + hard-IRQ time on the run's CPUs (eBPF) where a scenario measured it so, else /proc/stat's tick sample: the caveats name which.",
} as const;

function cell(m: Metric, s: ScenarioResult | undefined): string {
  if (s === undefined || !isCompleted(s)) return MISSING;
  const value = metricValue(m, s);
  if (value === null && m.read(s) !== null) return "excluded";
  if (m.id.startsWith("latency")) return s.driver === undefined ? formatUs(value) : `${formatUs(value)}${SERVICE_TIME_MARK}`;
  return fixed(value, m.digits);
}

function stateCell(s: ScenarioResult | undefined): [generator: string, window: string] {
  if (s === undefined) return ["not run", MISSING];
  if (!isCompleted(s)) return [s.state, MISSING];
  const window = s.contamination === undefined ? MISSING : s.contamination.contaminated === true ? "contaminated" : s.contamination.contaminated === false ? "clean" : "unknown";
  const generator = s.generator.saturated ? "SATURATED" : s.generator.limitedBy === "server" ? "ok; server-limited" : "ok";
  return [generator, window];
}

function floorCell(s: ScenarioResult | undefined): string {
  if (s === undefined || !isCompleted(s)) return MISSING;
  const floor = s.generator.pacingFloorUs;
  return floor === undefined ? MISSING : `${formatUs(floor.p99)}${s.generator.pacing === undefined ? "" : ` (${plain(s.generator.pacing)})`}`;
}

/** `at`: appended to the section heading, e.g. " at 500 req/s" for a sweep's comparison step. */
export function repeatTables(result: RunResult, at = ""): Block[] {
  const series = seriesIn(result);
  const blocks: Block[] = [];
  const repeats = repeatsOf(result);
  for (const repeat of repeats) {
    const scenarios = series.map((p) => scenarioAt(result, p, repeat));
    const clients = scenarios.map((s) => (s === undefined ? MISSING : clientOf(result.config, s)));
    const rows = [["client", ...clients], ...METRICS.map((m) => [m.label, ...scenarios.map((s) => cell(m, s))])];
    const states = scenarios.map(stateCell);
    rows.push(["generator", ...states.map(([g]) => g)], ["window", ...states.map(([, w]) => w)]);
    // Results written before the pacing floor have none: the row appears only where some scenario measured it.
    if (scenarios.some((s) => s !== undefined && isCompleted(s) && s.generator.pacingFloorUs !== undefined)) {
      rows.push(["pacing floor p99", ...scenarios.map(floorCell)]);
    }
    blocks.push({ kind: "heading", level: 3, text: repeats.length > 1 ? `Repeat ${repeat}` : "Figures" });
    blocks.push({ kind: "table", header: ["", ...series], rows });
  }
  const h2load = result.scenarios.some((s) => isCompleted(s) && s.driver !== undefined);
  const marked = h2load ? ` "${SERVICE_TIME_MARK}": the latency is service time, from h2load, which has no intended send time.` : "";
  return [
    { kind: "heading", level: 2, text: `Per request, protocol by protocol${at}` },
    {
      kind: "paragraph",
      text: `CPU server and client are each process's schedstat run time (user + sys, ns-precise). ${KERNEL_ROW[kernelTimeMethod(result)]} NET softirqs are NET_RX + NET_TX runs on all CPUs (runs, not packets). "excluded": a system-wide figure from a contaminated window. client: what drove the load, wire (clients/wire/) or a library client (undici, node-http2, grpc-js, lean).${marked}`,
    },
    ...blocks,
  ];
}

function factorCell(s: Spread | null, repeats: number): string {
  const text = formatFactor(s);
  return s !== null && s.n < repeats ? `${text} (n=${s.n})` : text;
}

const HEADLINE: readonly MetricId[] = ["packetsPerRequest", "softirqsPerRequest", "cpuServerUsPerRequest", "cpuClientUsPerRequest"];

function headline(protocol: Series, baseline: Series, factors: ReadonlyMap<MetricId, Spread | null>, repeats: number): string | null {
  const parts = HEADLINE.flatMap((id) => {
    const f = factors.get(id);
    return f === null || f === undefined ? [] : [`${factorCell(f, repeats)} ${metric(id).phrase}`];
  });
  if (parts.length === 0) return null;
  const [first, ...rest] = parts;
  const tail = rest.length === 0 ? "" : `, ${rest.slice(0, -1).join(", ")}${rest.length > 1 ? " and " : ""}${rest.at(-1)}`;
  return `**${protocol}** used ${first} of ${baseline}${tail}.`;
}

export function factorSection(result: RunResult, baseline: Series, at = ""): Block[] {
  const rows = relativeFactors(result, baseline);
  const protocols = seriesIn(result).filter((p) => p !== baseline);
  if (protocols.length === 0) return [];
  const repeats = repeatsOf(result).length;
  const byProtocol = new Map<Series, Map<MetricId, Spread | null>>(protocols.map((p) => [p, new Map()]));
  for (const row of rows) for (const [p, f] of row.factors) byProtocol.get(p)?.set(row.metric, f);
  const sentences = protocols.map((p) => headline(p, baseline, byProtocol.get(p) ?? new Map(), repeats)).filter((s): s is string => s !== null);
  const how =
    repeats > 1
      ? `Each factor is the mean over repeats of (protocol in repeat r) ÷ (${baseline} in repeat r), ± the sample standard deviation of those ratios (n − 1). Pairing by repeat cancels drift between repeats, which the run interleaves; a pair with a missing or excluded figure is dropped, and "(n=…)" says how many pairs were left.`
      : `One repeat: each factor is a single ratio, protocol ÷ ${baseline}, without a spread.`;
  return [
    { kind: "heading", level: 2, text: `Relative to ${baseline}${at}` },
    { kind: "list", items: sentences },
    { kind: "paragraph", text: how },
    {
      kind: "table",
      header: [`× ${baseline}`, ...protocols],
      rows: rows.map((r) => [metric(r.metric).label, ...protocols.map((p) => factorCell(r.factors.get(p) ?? null, repeats))]),
    },
  ];
}
