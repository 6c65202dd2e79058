/**
 * Plain-language caveats: everything in a result that limits what its figures mean, said where a reader of the
 * table will see it. Pure; each line cites the field that raised it.
 */
import type { CompletedScenario, RunResult } from "../results/schema.ts";
import { totalErrors } from "../results/schema.ts";
import { formatUs, plural } from "../results/format.ts";
import { isCompleted, repeatsOf } from "../results/run-view.ts";
import { sweepOf } from "../results/sweep-view.ts";
import { floorRange, serverLimited } from "../results/pacing-view.ts";
import { plain } from "../results/markdown-text.ts";

const TICK_US = 10_000; // USER_HZ = 100 (getconf CLK_TCK): /proc/stat counts 10 ms ticks.

function topologyCaveats(result: RunResult): string[] {
  const t = result.topology;
  const out: string[] = [];
  if (t === null) return ["The result has no topology record: where the processes and their receive work ran is unknown."];
  if (t.kind === "loopback") {
    out.push(
      "**Loopback topology**: client and server shared the host's `lo`. There is no veth or Ethernet header, `lo` counts each packet once (rx only), and other loopback traffic on the host lands in the same counters. Packet and softirq paths differ from a real NIC's.",
    );
  } else {
    out.push(
      `**Virtual link, not a NIC**: ${t.kind === "netns" ? "a veth pair" : "veth pairs through a bridge"} raises no hard IRQs, so "irq" time is near zero and per-request softirq figures describe the veth path, not a NIC driver's.`,
    );
  }
  const tso = t.interfaces.some((i) => i.offloads?.tso === true || i.offloads?.gso === true);
  if (tso) {
    out.push(
      "**TSO/GSO were on**: interface packets count GSO super-packets, so a large response is one \"packet\" at the interface but several on a wire. The TCP segments per request are the wire-like count.",
    );
  }
  if (t.serverCpu === t.clientCpu) out.push("**Server and client shared one CPU**: their CPU figures and the softirq work cannot be told apart by CPU.");
  return out;
}

function scenarioCaveats(result: RunResult): string[] {
  const out: string[] = [];
  const completed = result.scenarios.filter(isCompleted);
  const of = `of ${plural(result.scenarios.length, "scenario")}`;
  const saturated = completed.filter((s) => s.generator.saturated);
  if (saturated.length > 0) {
    const which = saturated.map((s) => `${plain(s.name)} (${s.generator.saturationReasons.map(plain).join("; ")})`).join(", ");
    out.push(
      `**The load generator saturated in ${saturated.length} ${of}**: ${which}. It did not keep its schedule, so requests went out late and in bursts: their latency includes the generator's own delay, and their per-request costs are not those of a steady ${sweepOf(result) === null ? `${result.config.rps} req/s` : "rate at their step"}. They stay in the tables, marked SATURATED; \`npm run plan\` leaves them out${sweepOf(result) === null ? "" : " (for a sweep it uses the highest step at or below the knee where the generator kept up)"}.`,
    );
  }
  const foreign = completed.filter((s) => s.foreignServer !== undefined);
  if (foreign.length > 0) {
    const byServer = new Map<string, string[]>();
    for (const s of foreign) {
      const f = s.foreignServer;
      if (f === undefined) continue;
      const key = `${plain(f.version ?? f.name)}: ${plain(f.verified)}`;
      byServer.set(key, [...(byServer.get(key) ?? []), plain(s.name)]);
    }
    const which = [...byServer].map(([how, names]) => `${names.join(", ")} (${how})`).join("; ");
    out.push(
      `**Not our server in ${foreign.length} ${of}**: ${which}. Its command line and config are in result.json (\`foreignServer\`).`,
    );
  }
  const limited = serverLimited(completed);
  if (limited.length > 0) {
    const which = limited.map((s) => `${plain(s.name)} (achieved ${Math.round(s.achievedRps)} of ${s.offeredRps} req/s)`).join(", ");
    out.push(
      `**The server limited ${limited.length} ${of}**: ${which}. The generator's sends left on time, so the shortfall is the server's: its answers came late or not at all. Their figures are those of the rate the server carried, not the offered one; they are not marked SATURATED, which means the generator fell behind.`,
    );
  }
  const floors = floorRange(completed);
  if (floors !== null) {
    const range = floors.minUs === floors.maxUs ? formatUs(floors.minUs) : `${formatUs(floors.minUs)}–${formatUs(floors.maxUs)}`;
    out.push(
      `**Pacing floor**: idle just before each load, the ${floors.strategies.map(plain).join(" and ")} pacer woke late by p99 ${range} at the scenario's rate. A scenario is marked SATURATED when its send lateness p99 passed its floor's p99 + max(1 ms, that p99); latency from the intended time includes about the floor's p50.`,
    );
  }
  const contaminated = completed.filter((s) => s.contamination?.contaminated === true);
  if (contaminated.length > 0) {
    const which = contaminated.map((s) => `${plain(s.name)} (${s.contamination?.excessPackets} packets)`).join(", ");
    out.push(
      `**Contaminated windows in ${contaminated.length} ${of}**: ${which} — the kernel processed that many more packets than the run's own interfaces received, so other traffic ran on the host. Their system-wide figures (NET softirqs, kernel CPU, the CPU charts) are left out of every table, factor and chart.`,
    );
  }
  for (const s of completed) {
    const name = plain(s.name);
    const c = s.contamination;
    if (c !== undefined && c.contaminated === null) out.push(`**${name}: contamination unknown** (${plain(c.reason ?? "no reason recorded")}): its system-wide figures may include other traffic.`);
    const errors = totalErrors(s.errors);
    if (errors > 0) out.push(`**${name}: ${plural(errors, "request error")}** (${Object.entries(s.errorSamples).map(([k, m]) => `${plain(k)}: ${plain(m)}`).join("; ")}).`);
    if (s.perRequest === undefined) out.push(`**${name}: no kernel figures** — the collector did not run, so only load and latency figures exist.`);
    const steal = s.perRequest?.cpuUs.steal ?? 0;
    if (steal > 0) out.push(`**${name}: steal time** — the hypervisor ran something else on the run's CPUs for ${steal.toFixed(1)} µs per request.`);
  }
  for (const s of result.scenarios) {
    if (s.state !== "completed") out.push(`**${plain(s.name)} ${s.state}**: ${plain(s.error)}. It is missing from every table and factor.`);
  }
  return out;
}

/** What the figures of the scenarios h2load drove mean differently: its notes, each once, in the order first given. */
function driverCaveats(completed: readonly CompletedScenario[]): string[] {
  const driven = completed.filter((s) => s.driver !== undefined);
  if (driven.length === 0) return [];
  const notes = [...new Set(driven.flatMap((s) => s.driver?.notes ?? []))].map(plain);
  const versions = [...new Set(driven.map((s) => s.driver?.version ?? ""))].map(plain).join(", ");
  return [`**Driven by h2load ${versions}** (${driven.map((s) => plain(s.name)).join(", ")}): ${notes.join("; ")}.`];
}

function tickResolution(completed: readonly CompletedScenario[]): string {
  const requests = Math.min(...completed.map((s) => s.completedInWindow).filter((n) => n > 0));
  if (!Number.isFinite(requests)) return "";
  return ` With ${requests} requests in a window, one tick is ${(TICK_US / requests).toFixed(1)} µs per request — the resolution of the kernel CPU row and the CPU chart.`;
}

/** How the kernel row was measured, and whether two methods are mixed in one run. */
function kernelTimeCaveats(completed: readonly CompletedScenario[]): string[] {
  const ebpf = completed.filter((s) => s.kernelTime?.method === "ebpf");
  const tick = completed.filter((s) => s.kernelTime?.method !== "ebpf");
  const out: string[] = [];
  if (ebpf.length > 0) {
    out.push(
      `**Kernel time is exact (eBPF)** in ${plural(ebpf.length, "scenario")}: bpftrace timed every softirq and hard interrupt on the run's CPUs (irq:softirq_entry → exit, irq_handler and the x86 system vectors), every task's time on them (sched:sched_switch) and the server's and generator's syscalls, so the kernel row and the CPU attribution chart take each softirq out of the task it interrupted and count it once. The probes run in the kernel on those CPUs: their own cost is inside the figures (see the README for its measured size).`,
    );
  }
  if (ebpf.length > 0 && tick.length > 0) {
    out.push(`**Two methods in one run**: ${tick.map((s) => plain(s.name)).join(", ")} measured kernel time by the tick method; do not compare their kernel row with the eBPF scenarios'.`);
  }
  for (const s of tick) {
    if (s.kernelTime?.method === "tick" && !s.kernelTime.reason.startsWith("--kernel-time")) out.push(`**${plain(s.name)}: kernel time by the tick method**: ${plain(s.kernelTime.reason)} (${plain(s.kernelTime.fix)}).`);
  }
  return out;
}

export function caveats(result: RunResult): string[] {
  const out: string[] = [];
  if (result.state !== "finished") out.push(`**The run is ${result.state}**: scenarios after the last one listed never ran.`);
  out.push(...topologyCaveats(result));
  const completed = result.scenarios.filter(isCompleted);
  const irq = result.environment.irqTimeAccounting;
  out.push(
    `**IRQ time accounting is ${irq === true ? "on" : irq === false ? "off" : "unknown"}**: ${
      irq === true
        ? "softirq and irq time in /proc/stat is measured and not charged to the interrupted task."
        : "softirq and irq time in /proc/stat is a tick sample, and the same time is also charged to whatever task was interrupted. The server/client CPU rows (schedstat) may already contain part of the kernel row: never add them."
    }${tickResolution(completed)}`,
  );
  out.push(...kernelTimeCaveats(completed));
  if (result.config.baselineMs <= 0 || completed.some((s) => s.baseline !== undefined && s.baseline.subtracted.length === 0)) {
    out.push("**No idle baseline**: global counters (softirqs, /proc/stat CPU) include whatever else the host did during each window.");
  }
  if (repeatsOf(result).length < 2) out.push("**One repeat**: the factors below have no spread; repeat the run (`--repeat 3`) to see the noise.");
  else if (repeatsOf(result).length < 5) out.push(`**${repeatsOf(result).length} repeats**: each ± is a sample standard deviation of that many values — a rough spread, not a confidence interval.`);
  out.push(...driverCaveats(completed));
  out.push(...scenarioCaveats(result));
  for (const w of [...result.warnings, ...(result.topology?.warnings ?? [])]) out.push(`Run warning: ${plain(w)}`);
  return out;
}
