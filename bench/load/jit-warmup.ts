/**
 * How long `npm run bench:generator` warms a client up before its measured window: long enough for V8 to finish
 * compiling the request path with TurboFan, which it does after a number of requests, not after a time.
 *
 * The generator child is pinned to one CPU, so V8's compiler threads share that CPU with the event loop. With the
 * 1 s warm-up this replaces, node:http2's request path (`request` 31 ms, `#start` 23 ms, `addChunk` 18 ms,
 * `prepareRequestHeadersObject` 18 ms, `requestOnConnect` 15 ms, ~190 ms of compile jobs in all, --trace-opt) was
 * tiered up about 11,000 requests in, 1.3 s into the h2c window at 5000 req/s. The event loop then waited for the
 * compiler threads (its run-queue wait ~50 ms per run, against ~10 ms with compilation on the main thread), the
 * 500 ms around it held 61–76 ms of the window's lateness beyond 2 ms against 0–8 ms in each other 500 ms, and send
 * lateness p99 was 3.0–5.9 ms (6.0–13.3 ms at 10000 req/s). Warmed up for 20,000 requests, h2c's lateness p99 was
 * 1.70–1.90 ms at 5000 req/s and 1.84–2.62 ms at 10000 (4 s windows, 3 runs a batch); what is left at 10000 is not
 * compilation: 40,000 requests of warm-up gave the same 2.2–2.8 ms. Compiling on the main thread
 * (`--single-threaded`) made it worse (6.8–8.8 ms at 5000): the compile work itself then delays ticks.
 */
export const JIT_WARMUP_REQUESTS = 20_000;

/** Warm-up at `rps`: `JIT_WARMUP_REQUESTS` requests, and never under a second. */
export function jitWarmupMs(rps: number): number {
  return Math.max(1000, Math.ceil((JIT_WARMUP_REQUESTS * 1000) / rps));
}
