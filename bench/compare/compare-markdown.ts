/**
 * The comparison as Markdown (stdout of `npm run compare`) and as plain JSON (`--json`). Pure. The runs' strings are
 * data: they enter through `plain` and `code`, and every line through markdownInline, as in report.md.
 */
import { code, markdownInline, plain } from "../results/markdown-text.ts";
import { fixed, formatSpread, MISSING, plural } from "../results/format.ts";
import { labelWithUnit, metric } from "../results/metrics.ts";
import type { Comparison, MetricChange } from "./compare-runs.ts";

function factorText(c: MetricChange): string {
  if (c.factor === null) return MISSING;
  return c.uncertainty === null ? `${fixed(c.factor, 3)}×` : `${fixed(c.factor, 3)} ± ${fixed(c.uncertainty, 3)}×`;
}

function verdictText(c: MetricChange): string {
  switch (c.verdict) {
    case "higher":
      return `**▲ ${fixed(((c.factor ?? 1) - 1) * 100, 1)}%**`;
    case "lower":
      return `**▼ ${fixed((1 - (c.factor ?? 1)) * 100, 1)}%**`;
    case "within noise":
      return "within noise";
    case "no spread":
      return "not judged: one repeat";
    case "missing":
      return "not judged: missing";
    case "methods differ":
      return "not compared: kernel time measured by different methods (eBPF vs tick)";
    default:
      return c.verdict satisfies never;
  }
}

export function comparisonToMarkdown(c: Comparison): string {
  const out: string[] = [`# wirecost compare — ${plain(c.before.runId)} → ${plain(c.after.runId)}`, ""];
  out.push(
    `Baseline run ${code(c.before.runId)} (${plural(c.before.repeats, "repeat")}) against new run ${code(c.after.runId)} (${plural(c.after.repeats, "repeat")}).`,
    `Each figure is the mean over a run's repeats ± their sample standard deviation. The factor is new ÷ baseline, ± one standard deviation propagated from both spreads.`,
    `A change is flagged (▲ higher, ▼ lower) when both runs have at least two repeats, the interval factor ± uncertainty excludes 1, and the change is larger than either run's own relative spread and than ${fixed(c.noiseThreshold * 100, 1)}%. Costs: lower is cheaper.`,
    "",
  );
  if (c.differences.length === 0) out.push("The runs used the same settings, software and machine type.", "");
  else out.push("**The runs differ in** (factors across these are not like for like):", "", ...c.differences.map((d) => `- ${plain(d)}`), "");
  if (c.onlyInBefore.length > 0) out.push(`Only in the baseline run: ${c.onlyInBefore.map(plain).join(", ")}.`, "");
  if (c.onlyInAfter.length > 0) out.push(`Only in the new run: ${c.onlyInAfter.map(plain).join(", ")}.`, "");
  const flagged = c.protocols.flatMap((p) => p.changes.filter((ch) => ch.verdict === "higher" || ch.verdict === "lower").map((ch) => `${p.protocol} ${metric(ch.metric).label}`));
  out.push(flagged.length === 0 ? "No change exceeds the noise." : `Changes beyond the noise: ${flagged.join(", ")}.`, "");
  for (const p of c.protocols) {
    out.push(`## ${p.protocol}`, "");
    if (p.saturated.before + p.saturated.after > 0) {
      out.push(`The load generator saturated in ${p.saturated.before} baseline and ${p.saturated.after} new scenario(s) of ${p.protocol}: those figures are not at a steady rate.`, "");
    }
    out.push("| metric | baseline | new | factor | change |", "| :--- | ---: | ---: | ---: | :--- |");
    for (const ch of p.changes) {
      const m = metric(ch.metric);
      out.push(`| ${labelWithUnit(m)} | ${formatSpread(ch.before, m.digits)} | ${formatSpread(ch.after, m.digits)} | ${factorText(ch)} | ${verdictText(ch)} |`);
    }
    out.push("");
  }
  return `${out.map(markdownInline).join("\n").trimEnd()}\n`;
}

/** Plain JSON for machines: the same content, numbers unrounded. */
export function comparisonToJson(c: Comparison): string {
  return `${JSON.stringify({ schema: "wirecost.compare/v1", ...c }, null, 2)}\n`;
}
