/** The console table: one row per scenario. Pure; colour only when asked (NO_COLOR honoured by the caller). */
import type { ScenarioResult } from "./result.ts";
import { totalErrors } from "./result.ts";

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
}

const HEADER = ["scenario", "offered/s", "achieved/s", "p50", "p99", "p99.9", "errors", "saturated"];

export function scenarioRow(s: ScenarioResult): string[] {
  if (s.state !== "completed") return [s.name, formatRps(s.offeredRps), "-", "-", "-", "-", s.state, s.error];
  const errors = totalErrors(s.errors);
  return [
    s.name,
    formatRps(s.offeredRps),
    formatRps(s.achievedRps),
    formatUs(s.latencyUs.p50),
    formatUs(s.latencyUs.p99),
    formatUs(s.latencyUs.p999),
    String(errors),
    s.generator.saturated ? "SATURATED" : "no",
  ];
}

export function renderTable(scenarios: readonly ScenarioResult[], options: TableOptions): string {
  const rows = [HEADER, ...scenarios.map(scenarioRow)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const paint = (text: string, code: number): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines = rows.map((row, r) => {
    const cells = row.map((cell, i) => (i === 0 || i === row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)));
    const line = cells.join("  ").trimEnd();
    if (r === 0) return paint(line, 1);
    const s = scenarios[r - 1];
    if (s !== undefined && (s.state !== "completed" || s.generator.saturated)) return paint(line, 31);
    return line;
  });
  return `${lines.join("\n")}\n`;
}

/** Lines explaining each flagged scenario, so "SATURATED" is never left unexplained. */
export function renderNotes(scenarios: readonly ScenarioResult[]): string {
  const notes: string[] = [];
  for (const s of scenarios) {
    if (s.state !== "completed") continue;
    for (const reason of s.generator.saturationReasons) notes.push(`${s.name}: saturated: ${reason}`);
    for (const [kind, message] of Object.entries(s.errorSamples)) notes.push(`${s.name}: ${s.errors[kind as keyof typeof s.errors]} ${kind} error(s), e.g. ${message}`);
  }
  return notes.length === 0 ? "" : `${notes.join("\n")}\n`;
}
