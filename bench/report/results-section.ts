/**
 * The figures: one table per repeat with every series (an arm with one client) side by side, then every series
 * relative to its transport's baseline with its spread over repeats, and the headline sentences. Pure.
 */
import { CLIENT_KINDS } from "../../contract/index.ts";
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
import { tlsPairs, transportGroups } from "../results/transport-view.ts";
import type { TransportGroup } from "../results/transport-view.ts";

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
      text: `CPU server and client are each process's schedstat run time (user + sys, ns-precise). ${KERNEL_ROW[kernelTimeMethod(result)]} NET softirqs are NET_RX + NET_TX runs on all CPUs (runs, not packets). "excluded": a system-wide figure from a contaminated window. client: what drove the load, wire (clients/wire/) or a library client (${CLIENT_KINDS.filter((k) => k !== "wire").join(", ")}).${marked}`,
    },
    ...blocks,
  ];
}

export function factorCell(s: Spread | null, repeats: number): string {
  const text = formatFactor(s);
  return s !== null && s.n < repeats ? `${text} (n=${s.n})` : text;
}

const HEADLINE: readonly MetricId[] = ["packetsPerRequest", "softirqsPerRequest", "cpuServerUsPerRequest", "cpuClientUsPerRequest"];

/** "**grpc** used 1.98× the packets per request of http1, …": null when no headline figure has a factor. */
export function headline(protocol: Series, baseline: Series, factors: ReadonlyMap<MetricId, Spread | null>, repeats: number): string | null {
  const parts = HEADLINE.flatMap((id) => {
    const f = factors.get(id);
    return f === null || f === undefined ? [] : [`${factorCell(f, repeats)} ${metric(id).phrase}`];
  });
  if (parts.length === 0) return null;
  const [first, ...rest] = parts;
  const tail = rest.length === 0 ? "" : `, ${rest.slice(0, -1).join(", ")}${rest.length > 1 ? " and " : ""}${rest.at(-1)}`;
  return `**${protocol}** used ${first} of ${baseline}${tail}.`;
}

/** Per series, its factor per metric, from rows by metric. */
export function bySeries(rows: readonly { readonly metric: MetricId; readonly factors: ReadonlyMap<Series, Spread | null> }[]): Map<Series, Map<MetricId, Spread | null>> {
  const out = new Map<Series, Map<MetricId, Spread | null>>();
  for (const row of rows) {
    for (const [p, f] of row.factors) {
      const factors = out.get(p) ?? new Map<MetricId, Spread | null>();
      factors.set(row.metric, f);
      out.set(p, factors);
    }
  }
  return out;
}

/** The mark a factor table's column gets when its series did not carry its offered load steadily. */
export const UNSTEADY_MARK = "†";

/**
 * The series of which some completed scenario was SATURATED (the generator fell behind) or limited by the server:
 * their factors describe the load they carried, not a steady offered rate, which the tables must not hide.
 */
export function unsteadySeries(result: RunResult): Set<Series> {
  const out = new Set<Series>();
  for (const series of seriesIn(result)) {
    for (const repeat of repeatsOf(result)) {
      const s = scenarioAt(result, series, repeat);
      if (s !== undefined && isCompleted(s) && (s.generator.saturated || s.generator.limitedBy === "server")) out.add(series);
    }
  }
  return out;
}

/** A factor table's column header: the series, marked when it was unsteady. */
export function markedSeries(series: Series, unsteady: ReadonlySet<Series>): string {
  return unsteady.has(series) ? `${series} ${UNSTEADY_MARK}` : series;
}

/** The note under tables whose columns carry the mark; null when none does. */
export function unsteadyNote(shown: readonly Series[], unsteady: ReadonlySet<Series>): string | null {
  const marked = shown.filter((s) => unsteady.has(s));
  if (marked.length === 0) return null;
  return `${UNSTEADY_MARK} ${marked.join(", ")}: a scenario was SATURATED or limited by the server (Caveats), so the factors compare the load it carried, not a steady offered rate, and its latency is an overloaded one.`;
}

const TRANSPORT_NAME = { cleartext: "cleartext", tls: "TLS" } as const;

/**
 * Why each transport has the baseline it has, for a run with both. A factor across transports would mix the
 * protocol's cost with TLS's, so the other transport's arms are relative to the baseline's twin, or, when the run
 * lacks it, to a stand-in of their own transport; TLS itself is costed twin against twin (tls-cost-section.ts).
 */
function transportNote(asked: TransportGroup, other: TransportGroup, costed: boolean): string {
  const mine = TRANSPORT_NAME[asked.transport];
  const theirs = TRANSPORT_NAME[other.transport];
  const own = asked.series.length > 0 ? `the ${mine} arms are relative to ${asked.baseline}` : `${asked.baseline} is the run's only ${mine} arm`;
  const missing = other.twin === null ? `the arms table (contract/arms.ts) gives ${asked.baseline} no ${theirs} twin` : `this run has no ${other.twin}, the ${theirs} twin of ${asked.baseline}`;
  // The other transport's group is never the asked one: its baseline is a twin or a stand-in.
  const [compared, alone] =
    other.chosen === "twin"
      ? [`the ${theirs} arms are relative to ${other.baseline}, the ${theirs} twin of ${asked.baseline}`, `${other.baseline}, the ${theirs} twin of ${asked.baseline}, is the run's only ${theirs} arm`]
      : [`the ${theirs} arms are relative to ${other.baseline}, the first of them, since ${missing}`, `${other.baseline} is the run's only ${theirs} arm and is compared with no other, since ${missing}`];
  const theirsClause = other.series.length > 0 ? compared : alone;
  const end = costed ? " Cost of TLS compares each TLS arm with its cleartext twin." : "";
  return `Each transport has its own baseline, so that no factor mixes a protocol's cost with TLS's: ${own}; ${theirsClause}.${end}`;
}

/**
 * The relative table, per transport (bench/results/transport-view.ts): the baseline's transport against the
 * baseline, the other against its twin or a stand-in, with the headline sentences, each against its own baseline.
 */
export function factorSection(result: RunResult, baseline: Series, at = ""): Block[] {
  const groups = transportGroups(result, baseline);
  const [asked, other] = groups;
  const compared = groups.filter((g) => g.series.length > 0);
  // A lone stand-in still needs its sentence: without it, its arm would be missing from the section unexplained.
  if (asked === undefined || (compared.length === 0 && other?.chosen !== "stand-in")) return [];
  const repeats = repeatsOf(result).length;
  const tables = compared.map((g) => ({ group: g, rows: relativeFactors(result, g.baseline, g.series) }));
  const sentences = tables.flatMap(({ group, rows }) => {
    const factors = bySeries(rows);
    return group.series.map((p) => headline(p, group.baseline, factors.get(p) ?? new Map(), repeats)).filter((s): s is string => s !== null);
  });
  const named = compared.length === 2 ? "its baseline" : (compared[0]?.baseline ?? baseline);
  const how =
    repeats > 1
      ? `Each factor is the mean over repeats of (protocol in repeat r) ÷ (${named} in repeat r), ± the sample standard deviation of those ratios (n − 1). Pairing by repeat cancels drift between repeats, which the run interleaves; a pair with a missing or excluded figure is dropped, and "(n=…)" says how many pairs were left.`
      : `One repeat: each factor is a single ratio, protocol ÷ ${named}, without a spread.`;
  const heading = compared.length === 0 ? baseline : compared.map((g) => g.baseline).join(" and ");
  const unsteady = unsteadySeries(result);
  const note = unsteadyNote(
    tables.flatMap(({ group }) => [group.baseline, ...group.series]),
    unsteady,
  );
  return [
    { kind: "heading", level: 2, text: `Relative to ${heading}${at}` },
    { kind: "list", items: sentences },
    ...(other === undefined ? [] : [{ kind: "paragraph", text: transportNote(asked, other, tlsPairs(result).length > 0) } as const]),
    ...(compared.length === 0 ? [] : [{ kind: "paragraph", text: how } as const]),
    ...tables.map(({ group, rows }): Block => ({
      kind: "table",
      header: [`× ${markedSeries(group.baseline, unsteady)}`, ...group.series.map((p) => markedSeries(p, unsteady))],
      rows: rows.map((r) => [metric(r.metric).label, ...group.series.map((p) => factorCell(r.factors.get(p) ?? null, repeats))]),
    })),
    ...(note === null ? [] : [{ kind: "paragraph", text: note } as const]),
  ];
}
