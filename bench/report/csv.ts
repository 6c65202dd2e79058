/**
 * report.csv: one row per scenario, for spreadsheets. The columns and their order are part of the interface —
 * add new ones at the end, never reorder or rename. RFC 4180 quoting; LF line ends; empty cell = no figure.
 *
 * The run's and the load's columns are listed here; a kernel figure's column is stated by its descriptor
 * (`csv: { column, name, description }` in bench/collector/figures-*.ts), at its 1-based column number, so a new
 * counter's column takes the next free number. Every number from 1 up is taken exactly once (checked on load).
 *
 * System-wide figures (softirqs, irqs, /proc/stat CPU) are left empty for windows the contamination guard flagged:
 * they include other traffic (docs/kernel-notes.md § "The contamination guard"). The `contaminated` column says so.
 *
 * A result can be crafted by anyone: a text cell that would start a formula is written as text (`FORMULA_START`).
 */
import type { CompletedScenario, RunResult, ScenarioResult } from "../results/schema.ts";
import { totalErrors } from "../results/schema.ts";
import { CSV_FIGURES, type CsvFigure } from "../collector/index.ts";
import { ATTRIBUTION_FIELDS } from "../collector/ebpf/attribution.ts";
import { clientOf } from "../results/series.ts";

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

function figureColumn(figure: CsvFigure): CsvColumn {
  return {
    name: figure.name,
    description: figure.description,
    ...(figure.scope === "global" ? { global: true } : {}),
    read: done((s) => (s.perRequest === undefined ? null : figure.read(s.perRequest))),
  };
}

/** Columns 1–24. */
const RUN_COLUMNS: readonly CsvColumn[] = [
  { name: "run_id", description: "the run's id (results/<run_id>/)", read: (_s, run) => run.runId },
  { name: "scenario", description: "scenario name: protocol (~client for a run's later --client), @offered rate in a sweep, and #repeat when the run repeated", read: (s) => s.name },
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
];

/** Appended with load sweeps, after the kernel figures' columns 25–44; the offered rate of the step is `offered_rps`. */
const STEP: readonly [number, CsvColumn] = [
  45,
  { name: "step", description: "0-based step of a load sweep, in offered_rps order (empty: not a sweep)", read: (s) => s.step },
];

/** Appended with `--client`: results written before it name no client and used their arm's library client. */
const CLIENT: readonly [number, CsvColumn] = [
  46,
  {
    name: "client",
    description: "the client that drove the load: wire (clients/wire/), or undici, node-http2, grpc-js or lean; the scenario of a run's later --client is named arm~client",
    read: (s, run) => clientOf(run.config, s),
  },
];

/**
 * Kernel time: how it was measured, then each field of the server CPU's and the client CPU's attribution (48 and 75,
 * the attribution's residual and NET_RX ns per packet, are the descriptors' columns).
 */
const KERNEL_TIME_METHOD: readonly [number, CsvColumn] = [
  47,
  { name: "kernel_time_method", description: "ebpf (exact) or tick (/proc/stat samples); empty: tick, written before the method was recorded", read: done((s) => s.kernelTime?.method ?? null) },
];

const ATTRIBUTION_FROM = 49;

function attributionColumns(): [number, CsvColumn][] {
  const roles = [
    ["server_cpu", "the server's CPU", (s: CompletedScenario) => s.cpus?.server ?? null],
    ["client_cpu", "the generator's CPU", (s: CompletedScenario) => s.cpus?.client ?? null],
  ] as const;
  const fields = [...ATTRIBUTION_FIELDS, "wall", "residual"] as const;
  return roles.flatMap(([prefix, where, cpuOf], r) =>
    fields.map((field, f): [number, CsvColumn] => [
      ATTRIBUTION_FROM + r * fields.length + f,
      {
        name: `${prefix}_${snake(field)}_us_per_req`,
        description: `${where}: ${field} in cpuAttribution (eBPF exact; tick: what /proc tells, else empty), µs`,
        global: true,
        read: done((s) => {
          const cpu = cpuOf(s);
          return cpu === null ? null : (s.perRequest?.cpuAttribution?.perCpu[String(cpu)]?.[field] ?? null);
        }),
      },
    ]),
  );
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The columns by number: the run's from 1, `step`, `client`, kernel time, and the kernel figures' at the numbers their
 * descriptors give.
 */
function inColumnOrder(): CsvColumn[] {
  const numbered: [number, CsvColumn][] = [
    ...RUN_COLUMNS.map((c, i): [number, CsvColumn] => [i + 1, c]),
    [...STEP],
    [...CLIENT],
    [...KERNEL_TIME_METHOD],
    ...attributionColumns(),
    ...CSV_FIGURES.map((f): [number, CsvColumn] => [f.column, figureColumn(f)]),
  ];
  numbered.sort(([a], [b]) => a - b);
  numbered.forEach(([column, c], i) => {
    if (column !== i + 1) throw new Error(`report.csv column ${i + 1} is ${column === i ? "taken twice" : "missing"} (at ${c.name})`);
  });
  return numbered.map(([, c]) => c);
}

export const CSV_COLUMNS: readonly CsvColumn[] = inColumnOrder();

/**
 * How a text cell may start that a spreadsheet reads as a formula (CSV injection): OWASP's list. Such a cell gets a
 * leading `'`, so it is shown as text. Only text: a number cell is formatted here and stays a number, -15.2 too.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function formatCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(Number(value.toFixed(4))) : "";
  const raw = String(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
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
