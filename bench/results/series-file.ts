/**
 * timeseries.ndjson, beside result.json: every time-series point of the run at full resolution, one JSON object per
 * line, written as the collector makes it: `{"scenario":"http1","series":"proc",…point}` for /proc's series,
 * `"series":"ebpf"` for exact kernel time's. result.json keeps at most SERIES_CAP points per series
 * (bench/collector/bounded-series.ts), merged when a scenario makes more, so neither the harness's memory nor
 * result.json grows with a run's length; this file does, by about 0.4 KB per sample on two CPUs, and stops at
 * SERIES_FILE_CAP_BYTES, saying so in the result's warnings.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { TimeSeriesPoint } from "../collector/index.ts";
import type { KernelTimePoint } from "../collector/ebpf/kernel-time-report.ts";

export const SERIES_FILE = "timeseries.ndjson";
/** 1 GiB: over two days of 10 Hz samples on two CPUs; a 1000 Hz run reaches it in under an hour. */
export const SERIES_FILE_CAP_BYTES = 2 ** 30;
/** Points per write: about a second's at 100 Hz; at most this many are lost if the harness is killed. */
const FLUSH_LINES = 100;

/** Receives a scenario's time-series points as they are made. Never throws: a failed write stops the file. */
export interface SeriesSink {
  proc(point: TimeSeriesPoint): void;
  ebpf(point: KernelTimePoint): void;
}

export interface SeriesFile {
  forScenario(name: string): SeriesSink;
  /** Flushes and closes; returns what went wrong with the file, if anything, as a warning line. */
  close(): string | null;
}

export function createSeriesFile(path: string, capBytes = SERIES_FILE_CAP_BYTES): SeriesFile {
  let fd: number | null = openSync(path, "wx", 0o644);
  let bytes = 0;
  let problem: string | null = null;
  let buffered: string[] = [];
  let lastScenario = "";
  const write = (scenario: string, series: "proc" | "ebpf", point: object): void => {
    if (fd === null || problem !== null) return;
    lastScenario = scenario;
    const line = `${JSON.stringify({ scenario, series, ...point })}\n`;
    const size = Buffer.byteLength(line);
    if (bytes + size > capBytes) {
      problem = `${SERIES_FILE}: stopped at its cap of ${capBytes} bytes, in scenario ${scenario}; result.json's series cover the whole run (merged)`;
      return;
    }
    buffered.push(line);
    bytes += size;
    if (buffered.length >= FLUSH_LINES) flush(scenario);
  };
  /** Lines go out in batches: one write(2) per FLUSH_LINES points keeps the sampler's own cost down at 100 Hz. */
  const flush = (scenario: string): void => {
    if (fd === null || buffered.length === 0) return;
    const text = buffered.join("");
    buffered = [];
    try {
      writeSync(fd, text);
    } catch (error) {
      problem ??= `${SERIES_FILE}: writing failed in scenario ${scenario} (${(error as NodeJS.ErrnoException).code ?? String(error)}); result.json's series cover the whole run (merged)`;
    }
  };
  return {
    forScenario: (name) => ({ proc: (point) => write(name, "proc", point), ebpf: (point) => write(name, "ebpf", point) }),
    close() {
      flush(lastScenario);
      if (fd !== null) {
        try {
          fsyncSync(fd);
        } catch {
          // A file that cannot be synced was already written as far as it goes.
        }
        closeSync(fd);
        fd = null;
      }
      return problem;
    },
  };
}
