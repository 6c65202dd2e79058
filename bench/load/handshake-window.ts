/**
 * The TLS handshakes of one load's measured window, counted by the rule its answers are (generator.ts
 * `completedInWindow`): a handshake whose completion time t has windowStart ≤ t < windowEnd. Pure: the times come
 * from the caller's clock.
 *
 * The window's start is only known when the loop says "measure" (its nominal time, a little in the past by then),
 * so handshakes after `earliestStartMs` — the soonest the window can open, the load's start plus its warm-up — are
 * kept until then and judged against it: a handful, not the warm-up's thousands.
 */
import type { TlsHandshakeCounts } from "../../contract/index.ts";

export interface HandshakeWindow {
  /** A handshake completed at `nowMs`. */
  record(nowMs: number, resumed: boolean): void;
  /** The window opened at `windowStartMs` (nominal, at or before the last `record`'s time). */
  open(windowStartMs: number): void;
  /** The handshakes counted so far. */
  counts(): TlsHandshakeCounts;
}

export function createHandshakeWindow(earliestStartMs: number, durationMs: number): HandshakeWindow {
  let startMs: number | null = null;
  let endMs = Infinity;
  let full = 0;
  let resumed = 0;
  /** Handshakes after `earliestStartMs` while the window's start is unknown. */
  const early: { readonly atMs: number; readonly resumed: boolean }[] = [];
  const count = (atMs: number, wasResumed: boolean): void => {
    if (startMs === null || atMs < startMs || atMs >= endMs) return;
    if (wasResumed) resumed++;
    else full++;
  };
  return {
    record(nowMs, wasResumed) {
      if (startMs !== null) count(nowMs, wasResumed);
      else if (nowMs >= earliestStartMs) early.push({ atMs: nowMs, resumed: wasResumed });
    },
    open(windowStartMs) {
      startMs = windowStartMs;
      endMs = windowStartMs + durationMs;
      for (const h of early.splice(0)) count(h.atMs, h.resumed);
    },
    counts: () => ({ full, resumed }),
  };
}
