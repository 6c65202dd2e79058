/**
 * report.csv: one row per scenario, for spreadsheets. The columns and their order are part of the interface —
 * add new ones at the end, never reorder or rename. RFC 4180 quoting; LF line ends; empty cell = no figure.
 *
 * System-wide figures (softirqs, irqs, /proc/stat CPU) are left empty for windows the contamination guard flagged:
 * they include other traffic (KERNEL-NOTES.md). The `contaminated` column says so.
 */
import type { CompletedScenario, RunResult, ScenarioResult } from "../results/schema.ts";
import { totalErrors } from "../results/schema.ts";
import type { CostFigures } from "../collector/index.ts";

type Cell = string | number | boolean | null | undefined;

export interface CsvColumn {
  readonly name: string;
  readonly description: string;
  readonly global?: true;
  readonly read: (s: ScenarioResult, run: RunResult) => Cell;
}

function done<T>(fn: (s: CompletedScenario) => T): (s: ScenarioResult) => T | null {
  return (s) => (s.state === "completed" ? fn(s) : null);
}

function per(fn: (p: CostFigures) => number | null): (s: ScenarioResult) => number | null {
  return done((s) => (s.perRequest === undefined ? null : fn(s.perRequest)));
}

export const CSV_COLUMNS: readonly CsvColumn[] = [
  { name: "run_id", description: "the run's id (results/<run_id>/)", read: (_s, run) => run.runId },
  { name: "scenario", description: "scenario name: protocol, @offered rate in a sweep, and #repeat when the run repeated", read: (s) => s.name },
  { name: "protocol", description: "http1, http1-close, h2c, h2, grpc or grpc-stream", read: (s) => s.protocol },
  { name: "repeat", description: "1-based repeat", read: (s) => s.repeat },
  { name: "state", description: "completed, errored or aborted", read: (s) => s.state },
  { name: "error", description: "why an errored or aborted scenario stopped", read: (s) => (s.state === "completed" ? null : s.error) },
  { name: "offered_rps", description: "offered requests per second (open loop)", read: (s) => s.offeredRps },
  { name: "achieved_rps", description: "verified answers per second in the measured window", read: done((s) => s.achievedRps) },
  { name: "connections", description: "TCP connections", read: (s) => s.connections },
  { name: "streams", description: "in-flight requests per connection (HTTP/2, gRPC)", read: (s) => s.streams },
  { name: "request_bytes", description: "request body bytes", read: (s) => s.requestBytes },
  { name: "response_bytes", description: "response body bytes", read: (s) => s.responseBytes },
  { name: "window_ms", description: "measured window, ms", read: done((s) => s.durationMs) },
  { name: "requests_in_window", description: "verified answers in the window: the per-request denominator", read: done((s) => s.completedInWindow) },
  { name: "errors", description: "failed requests, all kinds", read: done((s) => totalErrors(s.errors)) },
  { name: "latency_p50_us", description: "median latency from the intended send time, µs", read: done((s) => s.latencyUs.p50) },
  { name: "latency_p90_us", description: "same, p90", read: done((s) => s.latencyUs.p90) },
  { name: "latency_p99_us", description: "same, p99", read: done((s) => s.latencyUs.p99) },
  { name: "latency_p999_us", description: "same, p99.9", read: done((s) => s.latencyUs.p999) },
  { name: "latency_max_us", description: "same, the slowest", read: done((s) => s.latencyUs.max) },
  { name: "saturated", description: "the generator could not keep its schedule", read: done((s) => s.generator.saturated) },
  { name: "saturation_reasons", description: "why, separated by ' | '", read: done((s) => s.generator.saturationReasons.join(" | ")) },
  { name: "generator_cpu_pct", description: "the generator process's CPU, % of one core", read: done((s) => s.generator.cpuPct) },
  { name: "contaminated", description: "other traffic ran in the window (empty: unknown)", read: done((s) => s.contamination?.contaminated ?? null) },
  { name: "packets_per_req", description: "server interface packets, rx + tx (rx only on lo)", read: per((p) => p.packets) },
  { name: "bytes_per_req", description: "server interface bytes, same rule", read: per((p) => p.bytes) },
  { name: "tcp_segments_per_req", description: "server namespace Tcp InSegs + OutSegs", read: per((p) => p.tcpSegments) },
  { name: "retrans_segments_per_req", description: "server namespace Tcp RetransSegs", read: per((p) => p.retransSegments) },
  { name: "connection_opens_per_req", description: "server Tcp PassiveOpens", read: per((p) => p.connectionOpens) },
  { name: "net_rx_softirqs_per_req", description: "NET_RX softirq runs, all CPUs", global: true, read: per((p) => p.netRxSoftirqs) },
  { name: "net_tx_softirqs_per_req", description: "NET_TX softirq runs, all CPUs", global: true, read: per((p) => p.netTxSoftirqs) },
  { name: "hard_irqs_per_req", description: "every /proc/interrupts line, all CPUs (IPIs included)", global: true, read: per((p) => p.hardIrqs.total) },
  { name: "ctx_switches_server_per_req", description: "server threads, voluntary + involuntary", read: per((p) => p.contextSwitches.server) },
  { name: "ctx_switches_client_per_req", description: "generator threads, voluntary + involuntary", read: per((p) => p.contextSwitches.generator) },
  { name: "cpu_server_run_us_per_req", description: "server schedstat run time (user + sys), µs", read: per((p) => p.cpuUs.serverRun) },
  { name: "cpu_server_user_us_per_req", description: "server utime, 10 ms ticks, µs", read: per((p) => p.cpuUs.serverUser) },
  { name: "cpu_server_sys_us_per_req", description: "server stime, 10 ms ticks, µs", read: per((p) => p.cpuUs.serverSys) },
  { name: "cpu_client_run_us_per_req", description: "generator schedstat run time, µs", read: per((p) => p.cpuUs.clientRun) },
  { name: "cpu_client_user_us_per_req", description: "generator utime, µs", read: per((p) => p.cpuUs.clientUser) },
  { name: "cpu_client_sys_us_per_req", description: "generator stime, µs", read: per((p) => p.cpuUs.clientSys) },
  { name: "cpu_softirq_us_per_req", description: "/proc/stat softirq on the run's CPUs, ticks, µs (overlaps the process figures without IRQ time accounting)", global: true, read: per((p) => p.cpuUs.softirq) },
  { name: "cpu_irq_us_per_req", description: "/proc/stat irq on the run's CPUs, µs", global: true, read: per((p) => p.cpuUs.irq) },
  { name: "cpu_busy_us_per_req", description: "/proc/stat busy time on the run's CPUs, µs (not a sum of the columns above)", global: true, read: per((p) => p.cpuUs.total) },
  { name: "cpu_steal_us_per_req", description: "/proc/stat steal on the run's CPUs, µs", global: true, read: per((p) => p.cpuUs.steal) },
  // Appended with load sweeps; the offered rate of the step is `offered_rps` above.
  { name: "step", description: "0-based step of a load sweep, in offered_rps order (empty: not a sweep)", read: (s) => s.step },
];

function formatCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(Number(value.toFixed(4))) : "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(result: RunResult): string {
  const lines = [CSV_COLUMNS.map((c) => c.name).join(",")];
  for (const s of result.scenarios) {
    const contaminated = s.state === "completed" && s.contamination?.contaminated === true;
    lines.push(CSV_COLUMNS.map((c) => formatCell(contaminated && c.global === true ? null : c.read(s, result))).join(","));
  }
  return `${lines.join("\n")}\n`;
}
