/**
 * The report's "Load sweep" section: the steps, one sentence per protocol naming its knee, its saturation point and
 * who gave out there, a table per protocol by offered rate, and which single rate the side-by-side tables use.
 * Pure; only for results whose `sweep` is set.
 */
import type { RunResult } from "../results/schema.ts";
import type { Knee } from "../sweep/knee.ts";
import type { Block } from "./doc.ts";
import { plain } from "../results/markdown-text.ts";
import { fixed, formatUs, MISSING, plural } from "../results/format.ts";
import { kernelTimeMethod, seriesIn } from "../results/run-view.ts";
import type { Series } from "../results/series.ts";
import { sweepStepRows } from "./sweep-data.ts";
import type { SweepStepRow } from "./sweep-data.ts";
import { comparisonStep, kneeOf, offeredRates, skippedOf, sweepConfigOf, sweepOf, sweepUnit } from "../results/sweep-view.ts";
import { formatLoad, unitLabel } from "../sweep/plan.ts";
import type { ComparisonStep } from "../results/sweep-view.ts";

function listRates(rates: readonly number[]): string {
  if (rates.length <= 1) return rates.join("");
  return `${rates.slice(0, -1).join(", ")} and ${rates.at(-1)}`;
}

function stepsParagraph(result: RunResult): string {
  const sweep = sweepOf(result);
  const c = result.config;
  const sc = sweepConfigOf(result);
  const rates = sweep?.rates ?? offeredRates(result);
  const unit = unitLabel(sweepUnit(result));
  const spacing = sc === null ? "" : ` (${sc.steps} ${plain(sc.spacing)} steps from ${sc.from} to ${sc.to} ${unit})`;
  const slo = formatUs(sweep?.sloP99Us ?? c.sloP99Us);
  const byPps =
    sweepUnit(result) === "pps"
      ? " The sweep is by packets per second at the server interface: each scenario calibrated its own request rate for its step's packet rate (packets per request fall as load rises, so every step is calibrated afresh, starting from the packets per request the protocol's previous step measured), and the tables give that calibrated rate and the packets/s the window really saw. Whether a step kept up is judged on requests: achieved against the calibrated rate."
      : "";
  return [
    `Offered rates: ${listRates(rates)} ${unit}${spacing}, each step with its own ${Number((c.warmupMs / 1000).toFixed(3))} s warm-up and ${Number((c.durationMs / 1000).toFixed(3))} s window; the protocols interleave within a step, and a protocol stops climbing once clearly past saturation.${byPps}`,
    `A step meets the SLO when p99 ≤ ${slo}, achieved ≥ 99% of offered and no request failed. A protocol's **knee** is the highest offered rate that met it (every lower step met it too); its **saturation point** is the first that did not.`,
  ].join(" ");
}

const LIVELOCK = "the server CPU's softirq share rose while delivered throughput fell";

/** One plain sentence (or three) per protocol: knee, saturation, who limited it, livelock steps. */
export function kneeSentence(protocol: Series, knee: Knee): string {
  const at = knee.knee === null ? null : formatLoad(knee.unit, knee.knee, knee.kneeRps);
  const saturationAt = knee.saturation === null ? null : formatLoad(knee.unit, knee.saturation, knee.saturationRps);
  const where = at === null ? `no step met the SLO` : `knee at ${at}`;
  let text: string;
  if (saturationAt === null) {
    text = `**${protocol}**: ${where}, and it met the SLO at every step: its saturation point lies beyond this sweep.`;
  } else {
    const why = plain(knee.why ?? "");
    const sat = at === null ? `it failed already at the first step, ${saturationAt} (${why})` : `past saturation at ${saturationAt} (${why})`;
    text = `**${protocol}**: ${where}; ${sat}.`;
    if (knee.limitedBy === "generator") {
      const bound = at === null ? `${protocol}'s own knee is unknown from this run, not absent` : `${protocol}'s real knee is at least ${at}`;
      text += ` **Limited by the generator, not by ${protocol}**: at ${formatLoad(knee.unit, knee.saturation ?? 0)} the load generator fell behind its schedule or its CPU was full, so that point and the ones past it describe the load generator, not the protocol — ${bound}.`;
    } else if (knee.limitedBy === "server") {
      text += ` Limited by the system under test: the generator kept its schedule there.`;
    }
  }
  if (knee.livelockSteps.length > 0) text += ` Receive-livelock signature: ${LIVELOCK} at ${knee.livelockSteps.join(", ")} ${unitLabel(knee.unit)}.`;
  return text;
}

function verdict(r: SweepStepRow): string {
  if (r.state !== "completed") return r.state;
  if (r.generatorSaturated !== true) return "ok";
  const kinds = r.generatorKinds.map((k) => (k === "send-lateness" ? "late" : k === "generator-cpu" ? "CPU full" : "below offered"));
  return kinds.length === 0 ? "SATURATED" : `SATURATED (${kinds.join(", ")})`;
}

function offeredCell(r: SweepStepRow, knee: Knee | null): string {
  const mark = knee?.knee === r.offered ? " (knee)" : knee?.saturation === r.offered ? " (saturation)" : "";
  return `${r.offered}${mark}`;
}

/** Results written before the collector read drop counters have none: their tables leave the column out. */
function hasDrops(result: RunResult): boolean {
  return result.scenarios.some((s) => s.state === "completed" && s.totals?.drops !== undefined);
}

function columnsParagraph(result: RunResult, withDrops: boolean): string {
  const overlap = result.environment.irqTimeAccounting === true ? "" : ", and without IRQ time accounting the softirq ticks are also charged to the interrupted task";
  const method = kernelTimeMethod(result);
  const shares =
    method === "ebpf"
      ? "softirq % is every softirq vector's exact time on the server's CPU (eBPF) over the window, user % the server's own user time"
      : `softirq % and user % are shares of the server's CPU over the window, from /proc/stat ticks (10 ms: coarse for short windows${overlap})${method === "mixed" ? "; exact (eBPF) in the scenarios that measured kernel time so" : ""}`;
  const drops = withDrops
    ? " Drops srv: the server namespace's ListenDrops + TCPBacklogDrop + TCPRcvQDrop + TCPOFODrop + TCPZeroWindowDrop + Udp InErrors in the window (ListenDrops already counts ListenOverflows and TCPReqQFullDrop; InErrors counts RcvbufErrors)."
    : "";
  return `Per protocol, by offered rate. ${shares}.${drops} CPU µs/req server and client: each process's schedstat run time. Generator: SATURATED when it fell behind its schedule (its sends later than the idle pacing floor allows); a step that delivered under 99% of its rate with the sends on time was the server's limit.`;
}

function stepTable(result: RunResult, protocol: Series, repeats: boolean, withDrops: boolean): Block {
  const rows = sweepStepRows(result, protocol);
  const knee = kneeOf(result, protocol);
  const pps = sweepUnit(result) === "pps";
  const header = [
    `offered ${unitLabel(sweepUnit(result))}`, ...(repeats ? ["repeat"] : []), ...(pps ? ["calibrated req/s", "measured packets/s"] : []), "achieved req/s", "p99", "errors", "softirq % srv CPU", "user % srv CPU",
    ...(withDrops ? ["drops srv"] : []), "packets/req", "CPU µs/req server", "CPU µs/req client", "generator",
  ];
  const body = rows.map((r) => [
    offeredCell(r, knee),
    ...(repeats ? [String(r.repeat)] : []),
    ...(pps ? [r.state === "completed" ? fixed(r.offeredRps, 1) : MISSING, fixed(r.measuredPps, 1)] : []),
    fixed(r.achievedRps, 1),
    formatUs(r.p99Us),
    r.errors === null ? MISSING : String(r.errors),
    fixed(r.serverSoftirqPct, 1),
    fixed(r.serverUserPct, 1),
    ...(withDrops ? [r.drops === null ? MISSING : String(r.drops)] : []),
    fixed(r.packetsPerRequest, 3),
    fixed(r.cpuServerUs, 1),
    fixed(r.cpuClientUs, 1),
    verdict(r),
  ]);
  return { kind: "table", header, rows: body, align: header.map((_, i) => (i === header.length - 1 ? "left" : "right")) };
}

/** Which one rate the side-by-side tables use, and why — said where a reader looks for it. */
export function comparisonParagraph(step: ComparisonStep): string {
  const load = formatLoad(step.unit, step.offered);
  const lead = `**Side by side at ${load}.** The factors (Relative to …), the per-request tables and the per-rate charts compare the protocols at one offered rate, never across rates:`;
  const missing = step.withoutKnee.length === 0 ? "" : ` (${step.withoutKnee.join(", ")} met the SLO at no step)`;
  switch (step.basis) {
    case "within-knees":
      return `${lead} ${load} is the highest step at which every protocol completed within its knee, so no column is a protocol past saturation. Every step's own figures are in the tables above.`;
    case "lowest-completed":
      return `${lead} no step had every protocol within its knee${missing}, so they are compared at the lowest step at which every protocol completed, ${load} — read them with the knees above: a protocol past its knee there is measured under load it did not keep up with. Every step's own figures are in the tables above.`;
    case "lowest":
      return `${lead} no step had every protocol completed, so they are compared at the lowest step, ${load}, where some columns are missing. Every step's own figures are in the tables above.`;
    default:
      return step.basis satisfies never;
  }
}

export function sweepSection(result: RunResult, charts: readonly Block[]): Block[] {
  if (sweepOf(result) === null) return [];
  const protocols = seriesIn(result);
  const repeats = new Set(result.scenarios.map((s) => s.repeat)).size > 1;
  const sentences = protocols.flatMap((p) => {
    const knee = kneeOf(result, p);
    return knee === null ? [] : [kneeSentence(p, knee)];
  });
  const livelock = protocols.some((p) => (kneeOf(result, p)?.livelockSteps.length ?? 0) > 0);
  const blocks: Block[] = [
    { kind: "heading", level: 2, text: "Load sweep" },
    { kind: "paragraph", text: stepsParagraph(result) },
    { kind: "list", items: sentences },
  ];
  if (!livelock) blocks.push({ kind: "paragraph", text: "No receive-livelock signature: at no step did the server CPU's softirq share rise while delivered throughput fell." });
  const skipped = skippedOf(result);
  if (skipped.length > 0) {
    blocks.push({ kind: "paragraph", text: `Not run (${plural(skipped.length, "scenario")}): ${skipped.map((s) => `${plain(s.name)} (${plain(s.reason)})`).join(", ")}.` });
  }
  const withDrops = hasDrops(result);
  blocks.push({ kind: "paragraph", text: columnsParagraph(result, withDrops) });
  for (const p of protocols) blocks.push({ kind: "heading", level: 3, text: p }, stepTable(result, p, repeats, withDrops));
  const step = comparisonStep(result);
  if (step !== null) blocks.push({ kind: "paragraph", text: comparisonParagraph(step) });
  blocks.push(...charts);
  return blocks;
}
