/**
 * Times the codec cases with tinybench and reduces each to nanoseconds per message. Each timed iteration runs a batch
 * of messages: one sub-microsecond call is below what `performance.now()` around a single call can resolve, so a
 * batch's time divided by its size is the per-message figure (mitata and tinybench both advise batching tiny work).
 */
import { Bench } from "tinybench";
import { codecCases } from "./codec-cases.ts";
import type { Codec, CodecCase, Operation } from "./codec-cases.ts";

export interface CodecBenchOptions {
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Time budget per case, ms. */
  readonly timeMs: number;
}

export interface CodecTiming {
  readonly codec: Codec;
  readonly operation: Operation;
  readonly message: "request" | "response";
  readonly bodyBytes: number;
  readonly encodedBytes: number;
  readonly medianNs: number;
  /** Median absolute deviation of the per-message time (unscaled), ns. */
  readonly madNs: number;
  readonly p99Ns: number;
  /** Timed batches. */
  readonly samples: number;
  readonly batch: number;
}

/** About 50 µs of work per timed batch, at least one message. */
function batchFor(c: CodecCase): number {
  return Math.max(1, Math.round(50_000 / (50 + c.encodedBytes / 4)));
}

export async function runCodecBench(options: CodecBenchOptions): Promise<CodecTiming[]> {
  const cases = codecCases(options);
  const bench = new Bench({ time: options.timeMs, warmupTime: Math.min(200, options.timeMs / 2), throws: true });
  let sink = 0;
  for (const [i, c] of cases.entries()) {
    const batch = batchFor(c);
    bench.add(String(i), () => {
      sink += c.run(batch);
    });
  }
  await bench.run();
  if (sink === 0) throw new Error("codec benchmark did no work");
  return cases.map((c, i) => {
    const task = bench.tasks[i];
    const result = task?.result;
    if (result === undefined || !("latency" in result)) throw new Error(`codec case ${c.codec} ${c.operation} ${c.message} did not complete`);
    const perMessage = 1e6 / batchFor(c); // latency is in ms per batch
    return {
      codec: c.codec,
      operation: c.operation,
      message: c.message,
      bodyBytes: c.bodyBytes,
      encodedBytes: c.encodedBytes,
      medianNs: result.latency.p50 * perMessage,
      madNs: result.latency.mad * perMessage,
      p99Ns: result.latency.p99 * perMessage,
      samples: result.latency.samplesCount,
      batch: batchFor(c),
    };
  });
}

/**
 * CPU one request–response costs in encoding alone, per codec and side: the client encodes the request and decodes
 * the response, the server decodes the request and encodes the response. Medians added, ns.
 */
export function perExchangeNs(timings: readonly CodecTiming[], codec: Codec): { client: number; server: number } | null {
  const t = (op: Operation, message: "request" | "response") =>
    timings.find((x) => x.codec === codec && x.operation === op && x.message === message)?.medianNs;
  const parts = [t("encode", "request"), t("decode", "response"), t("decode", "request"), t("encode", "response")];
  if (parts.some((p) => p === undefined)) return null;
  const [encReq, decResp, decReq, encResp] = parts as number[];
  return { client: (encReq ?? 0) + (decResp ?? 0), server: (decReq ?? 0) + (encResp ?? 0) };
}
