/**
 * h2load's per-request log (`--log-file`): one line per request, tab-separated — the request's start as
 * microseconds since the epoch (the wall clock, `std::chrono::system_clock`), the HTTP status (-1 for a stream that
 * failed), and microseconds from the request's start to the end of its response (the steady clock). h2load's help
 * says more columns may follow later, so only the first three are read. Pure.
 *
 * In timing mode h2load logs the requests that *ended* in its main duration (`Client::on_stream_close` only logs in
 * `Phase::MAIN_DURATION`): the first lines may be requests started in the warm-up, and requests still in flight
 * when the duration ends are never logged. `requestsInWindow` keeps the ones that started in the window.
 */
import type { ErrorKind } from "../../contract/index.ts";

export interface H2loadLogLine {
  /** The request's start, µs since the epoch. */
  readonly startUs: number;
  /** The HTTP status; -1 when h2load saw the stream fail (a reset, or the connection failing under it). */
  readonly status: number;
  /** Start of the request to the end of its response, µs: the service time. */
  readonly serviceUs: number;
}

export class H2loadLogError extends Error {
  override readonly name = "H2loadLogError";
}

const WHOLE = /^-?\d+$/;

/** Every complete line of `text`; a last line without its newline (h2load killed mid-write) is left out. */
export function parseH2loadLog(text: string): H2loadLogLine[] {
  const lines = text.split("\n");
  lines.pop();
  const out: H2loadLogLine[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    const [start, status, service] = line.split("\t");
    if (start === undefined || status === undefined || service === undefined || !WHOLE.test(start) || !WHOLE.test(status) || !WHOLE.test(service)) {
      throw new H2loadLogError(`h2load log line ${i + 1} is not "start<TAB>status<TAB>µs": ${JSON.stringify(line.slice(0, 100))}`);
    }
    out.push({ startUs: Number(start), status: Number(status), serviceUs: Number(service) });
  }
  return out;
}

/** The requests that started in [startEpochMs, endEpochMs). */
export function requestsInWindow(lines: readonly H2loadLogLine[], window: { readonly startEpochMs: number; readonly endEpochMs: number }): H2loadLogLine[] {
  const from = window.startEpochMs * 1000;
  const to = window.endEpochMs * 1000;
  return lines.filter((l) => l.startUs >= from && l.startUs < to);
}

/**
 * How a logged request counts: answered with a 2xx, or one of our error kinds. Any other status is `status` (h2load
 * itself counts 3xx as success); -1 is `reset`.
 */
export function outcomeOf(status: number): "ok" | ErrorKind {
  if (status >= 200 && status <= 299) return "ok";
  return status === -1 ? "reset" : "status";
}

/** The sample message an error kind records, as our clients word theirs. */
export function describeStatus(status: number): string {
  return status === -1 ? "h2load logged the stream as failed (status -1): reset, or its connection failed" : `HTTP status ${status}`;
}

/** The most requests in flight at once, from each request's [start, start + service time). */
export function peakInFlight(lines: readonly H2loadLogLine[]): number {
  const edges: [atUs: number, delta: number][] = [];
  for (const l of lines) edges.push([l.startUs, 1], [l.startUs + l.serviceUs, -1]);
  // At the same instant an end comes before a start: a request that ends as another starts did not overlap it.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    now += delta;
    if (now > peak) peak = now;
  }
  return peak;
}
