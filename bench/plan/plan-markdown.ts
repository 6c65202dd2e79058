/**
 * The plan as Markdown with its assumptions spelled out, and as JSON for machines. Pure. The run's strings are data:
 * they enter through `plain` and `code`, table cells through markdownCell and every other line through
 * markdownInline, as in report.md.
 */
import { code, markdownCell, markdownInline, plain } from "../results/markdown-text.ts";
import type { RunResult } from "../results/schema.ts";
import { fixed, formatQuantity, formatUs, MISSING } from "../results/format.ts";
import type { Plan, ProtocolPlan } from "./capacity-plan.ts";
import type { KneeStep, SweepBasis } from "./knee-step.ts";
import { formatLoad, unitLabel } from "../sweep/plan.ts";

function cores(value: number | null): string {
  return value === null ? MISSING : fixed(value, value < 100 ? 2 : 1);
}

type Row = [string, (p: ProtocolPlan) => string];

/** A knee in the sweep's unit, with its request rate beside it when the sweep was by pps. */
function kneeCell(k: KneeStep): string {
  if (k.knee === null) return MISSING;
  const at = formatLoad(k.unit, k.knee, k.kneeRps);
  if (k.limitedBy === "generator") return `${at} — **limited by the generator**: one server core's real capacity at this SLO is at least ${k.kneeRps ?? MISSING} req/s`;
  if (k.saturation === null) return `${at}, the last step: not saturated within the sweep`;
  return `${at}; saturated at ${formatLoad(k.unit, k.saturation, k.saturationRps)}, limited by the server side`;
}

/** Server CPU busy at the step used: its rate × the server CPU per request. */
function busyAt(p: ProtocolPlan): string {
  const rps = p.knee?.usedRps;
  return rps === null || rps === undefined ? "" : ` (server CPU ${fixed((rps * p.serverCpuUsPerRequest) / 1e4, 0)}% busy there)`;
}

/** For a sweep: the knee and the step used lead the table, and the per-core rate is the one measured there. */
function sweepRows(basis: SweepBasis): { lead: Row[]; perCore: Row } {
  const slo = `p99 ≤ ${formatUs(basis.sloP99Us)}, ≥ 99% delivered, no errors`;
  return {
    lead: [
      [`knee (${slo})`, (p) => (p.knee === null ? MISSING : kneeCell(p.knee))],
      ["step the figures below were measured at", (p) => (p.knee === null || p.knee.used === null ? MISSING : `${formatLoad(p.knee.unit, p.knee.used, p.knee.usedRps)}${p.knee.reason === null ? " (the knee)" : ` (${p.knee.reason})`}`)],
    ],
    perCore: ["req/s per server core at that step (1,000,000 ÷ server CPU µs/req)", (p) => (p.best === null ? MISSING : `${formatQuantity(p.best.rpsPerCore)}${busyAt(p)}`)],
  };
}

function rows(plan: Plan): Row[] {
  const slo = plan.options.sloP99Us === null ? "(no SLO given)" : `with p99 ≤ ${formatUs(plan.options.sloP99Us)}`;
  const exact = plan.protocols.every((p) => p.kernelTime === "ebpf");
  const kernelLabel = exact || plan.irqTimeAccounting === true ? "kernel cores (included above)" : "kernel cores (overlapping, not added)";
  const sweep = plan.sweep === null ? null : sweepRows(plan.sweep);
  return [
    ...(sweep?.lead ?? []),
    ["scenarios used", (p) => p.scenarios.map(plain).join(", ")],
    ["server CPU µs/req", (p) => `${fixed(p.serverCpuUsPerRequest, 1)} (${p.kernelTime === "ebpf" ? "eBPF: user + syscalls, interrupts taken out" : "schedstat"})`],
    ["**server cores needed**", (p) => `**${cores(p.serverCores)}**`],
    ["kernel µs/req on server CPU", (p) => `${fixed(p.kernelCpuUsPerRequest, 1)} (${p.kernelTime === "ebpf" ? "eBPF: softirqs, hard IRQs, kernel threads" : "/proc/stat ticks"})`],
    ["kernel share of the server CPU", (p) => (p.kernelSharePct === null ? MISSING : `${fixed(p.kernelSharePct, 1)}%`)],
    [kernelLabel, (p) => cores(p.kernelCores)],
    ["server cores, upper bound (process + kernel)", (p) => cores(p.serverCoresUpperBound)],
    ["client CPU µs/req (schedstat)", (p) => fixed(p.clientCpuUsPerRequest, 1)],
    ["client cores", (p) => cores(p.clientCores)],
    ["packets/s at the server interface", (p) => formatQuantity(p.packetsPerSecond)],
    ["TCP segments/s", (p) => formatQuantity(p.tcpSegmentsPerSecond)],
    ["bandwidth, bit/s (rx + tx)", (p) => formatQuantity(p.bitsPerSecond)],
    ["NET softirq runs/s", (p) => formatQuantity(p.softirqRunsPerSecond)],
    sweep?.perCore ?? [`best req/s per server core seen ${slo}`, (p) => (p.best === null ? "none met it" : `${formatQuantity(p.best.rpsPerCore)} (${plain(p.best.scenario)}, p99 ${formatUs(p.best.p99Us)})`)],
  ];
}

/** The sweep's replacement for the single-rate scaling assumption, naming the step each protocol was planned from. */
function sweepAssumptions(plan: Plan, basis: SweepBasis): string[] {
  const o = plan.options;
  const load = (n: number | null | undefined, rps: number | null | undefined): string => (n === null || n === undefined ? MISSING : formatLoad(basis.unit, n, rps ?? null));
  const used = plan.protocols.map((p) => `${p.protocol} at ${load(p.knee?.used, p.knee?.usedRps)}${p.knee?.reason === null ? " (its knee)" : ` (its knee ${load(p.knee?.knee, p.knee?.kneeRps)}: ${p.knee?.reason ?? ""})`}`);
  const byPps =
    basis.unit === "pps"
      ? " The sweep was by packets/s at the server interface, each step at a calibrated request rate (shown as ≈ req/s); the plan works in req/s from the per-request figures measured there, so the packets/s below follow from the packets per request at the step used."
      : "";
  const slo = basis.sloFrom === "run" ? `the run's SLO, p99 ≤ ${formatUs(basis.sloP99Us)}` : `--slo-p99 ${formatUs(basis.sloP99Us)}, found again from the run's steps (the run itself used ${formatUs(basis.runSloP99Us)})`;
  return [
    `Sweep over ${basis.rates.join(", ")} ${unitLabel(basis.unit)}: each protocol's per-request figures are those measured at its knee — the highest offered rate that met ${slo} with ≥ 99% of the offered rate delivered and no errors; every lower step met it too — not scaled from one rate: ${used.join("; ")}. They are scaled linearly to ${o.rps} req/s; per-request CPU usually falls as load rises (batching), so far above the step used they are upper estimates.${byPps}`,
    "At a knee one server process, pinned to one core, met the SLO. Where a knee is **limited by the generator**, the load generator fell behind its schedule before the protocol gave out: the protocol's real knee — what one server core carries within the SLO — is at least that rate, and the steps past it describe the generator, not the protocol.",
    `Req/s per server core: 1,000,000 ÷ the server CPU µs per request at the step used — a fully busy core at that cost. Its latency was measured only up to the knee, not at ${o.rps} req/s.`,
  ];
}

export function assumptions(plan: Plan, result: RunResult): string[] {
  const o = plan.options;
  const scale = o.rps / plan.runRps;
  const t = result.topology;
  const single = [
    `Linear scaling of the run's per-request figures from ${plan.runRps} req/s to ${o.rps} req/s (${fixed(scale, scale < 10 ? 2 : 0)}×). Per-request CPU, softirq runs and context switches usually fall as load rises (batching), and HTTP/2 and gRPC may pack several frames into one segment, so far above the run's rate these are upper estimates; rerun at the target rate to know.`,
  ];
  const out = [
    ...(plan.sweep === null ? single : sweepAssumptions(plan, plan.sweep)),
    `Cores = CPU µs per request × ${o.rps} req/s ÷ 1,000,000 ÷ target utilisation ${o.targetUtil}.`,
    plan.protocols.every((p) => p.kernelTime === "ebpf")
      ? "CPU, exact (eBPF): on the server's CPU, the server's own user and syscall time (the softirqs and interrupts that ran on its back taken out) plus the softirqs, hard interrupts and kernel threads that ran there. The parts do not overlap, so server cores count the kernel's work exactly; the kernel share is its part of the two."
      : plan.irqTimeAccounting === true
      ? "CPU: the server process's schedstat run time plus softirq + irq time on the server's CPU. The kernel has IRQ time accounting, so the two are disjoint and adding them is sound."
      : `CPU: the server process's schedstat run time (user + sys, ns-precise). IRQ time accounting is ${plan.irqTimeAccounting === false ? "off" : "unknown"} on the run's kernel: /proc/stat softirq/irq time is a tick sample that is also charged to the task it interrupted, so it is shown beside the server figure and never added; the upper bound adds it anyway, as the most the server's CPU could need.`,
    "The kernel figure is the softirq + irq time on the server's CPU. On veth that includes the receive work for packets the server sent (it runs on the sender's CPU) and, with RPS, for packets it received; a real NIC splits this differently.",
    "Client cores are what the load generator (a Node.js process, its own bookkeeping included) spent: a rough guide to the callers' side, not part of the server plan.",
    `Packets/s and bandwidth are at the server's interface${t === null ? "" : ` (${t.kind === "loopback" ? "loopback: rx only" : "veth: rx + tx"})`}: bytes include Ethernet headers but not a wire's preamble and inter-frame gap.${t?.interfaces.some((i) => i.offloads?.tso === true) === true ? " TSO/GSO were on, so interface packets are super-packets; TCP segments/s is the wire-like packet rate." : ""}`,
    ...(plan.sweep !== null
      ? []
      : [
          o.sloP99Us === null
            ? "No latency SLO given (--slo-p99): the best req/s per core is over every scenario used."
            : `Best req/s per core: 1,000,000 ÷ server CPU µs per request, over the scenarios whose p99 met ${formatUs(o.sloP99Us)} at the run's ${plan.runRps} req/s. The latency at ${o.rps} req/s was not measured.`,
        ]),
    o.includeSaturated
      ? "Scenarios whose load generator saturated are included (--include-saturated): their figures were not at a steady rate."
      : `Scenarios whose load generator saturated are left out: they did not run at a steady rate.${plan.sweep === null ? "" : " Where the knee step's generator saturated, the highest step below it where it kept up is used instead."}`,
    "System-wide figures (softirq runs, kernel CPU) of windows the contamination guard flagged are left out.",
  ];
  return out;
}

function fewestPackets(ps: readonly ProtocolPlan[]): string {
  const known = ps.filter((p) => p.tcpSegmentsPerSecond !== null);
  if (known.length < 2) return "";
  const best = known.reduce((a, b) => ((b.tcpSegmentsPerSecond ?? 0) < (a.tcpSegmentsPerSecond ?? 0) ? b : a));
  return ` Fewest TCP segments: ${best.protocol}, ${formatQuantity(best.tcpSegmentsPerSecond)}/s.`;
}

function source(plan: Plan): string {
  if (plan.sweep === null) return `From run ${code(plan.runId)} (${plan.runRps} req/s per scenario).`;
  const r = plan.sweep.rates;
  return `From sweep run ${code(plan.runId)} (${r.length} offered rates, ${r[0] ?? MISSING} to ${r.at(-1) ?? MISSING} ${unitLabel(plan.sweep.unit)}), each protocol measured at its knee.`;
}

function slo(plan: Plan): string {
  if (plan.sweep !== null) return `p99 ≤ ${formatUs(plan.sweep.sloP99Us)}${plan.sweep.sloFrom === "run" ? " (the run's)" : ""}`;
  return plan.options.sloP99Us === null ? "none" : `p99 ≤ ${formatUs(plan.options.sloP99Us)}`;
}

export function planToMarkdown(plan: Plan, result: RunResult): string {
  const o = plan.options;
  const ps = plan.protocols;
  const cheapest = ps.find((p) => p.protocol === plan.cheapest);
  const others = ps.filter((p) => p.protocol !== plan.cheapest).map((p) => `${p.protocol} ${cores(p.serverCores)}`);
  const table = [
    `| | ${ps.map((p) => markdownCell(p.protocol)).join(" | ")} |`,
    `| :--- | ${ps.map(() => "---:").join(" | ")} |`,
    ...rows(plan).map(([label, cell]) => `| ${[label, ...ps.map(cell)].map(markdownCell).join(" | ")} |`),
  ];
  const out = [
    markdownInline(`# wirecost plan — ${o.rps} req/s`),
    "",
    markdownInline(`${source(plan)} Target utilisation ${fixed(o.targetUtil * 100, 0)}% per core; latency SLO ${slo(plan)}.`),
    "",
    markdownInline(`**Cheapest in server cores: ${plan.cheapest}**, ${cores(cheapest?.serverCores ?? null)} at ${o.rps} req/s${others.length > 0 ? ` (${others.join(", ")})` : ""}.${fewestPackets(ps)}`),
    "",
    ...table,
    "",
  ];
  if (plan.excluded.length > 0) out.push("## Not planned", "", ...plan.excluded.map((e) => markdownInline(`- **${e.protocol}**: ${e.reason}.`)), "");
  out.push("## Assumptions", "", ...assumptions(plan, result).map((a) => markdownInline(`- ${a}`)), "");
  return `${out.join("\n").trimEnd()}\n`;
}

export function planToJson(plan: Plan, result: RunResult): string {
  return `${JSON.stringify({ schema: "wirecost.plan/v1", ...plan, assumptions: assumptions(plan, result) }, null, 2)}\n`;
}
