/** Durations as users write them: `5s`, `500ms`, `2m`, `1.5s`; a bare number means seconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]);
  const ms = value * (UNIT_MS[match[2] ?? "s"] ?? 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

export function formatDurationMs(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
