/**
 * Priming: a closed-loop burst of requests before the idle baseline, so V8 has compiled the hot paths of both the
 * client and the server before anything is measured.
 *
 * V8 tiers a function up after a number of calls, not after a time, on compiler threads that share the pinned CPU
 * with the event loop (measured on the generator: bench/load/jit-warmup.ts); the server tiers up the same way.
 * A time-based warm-up does not cover it at low rates (2 s at 1000 req/s is 2000 requests): unprimed windows at
 * 1000 req/s measured 20–45% more server CPU per request. So the harness sends a fixed count first, closed loop with
 * one request in flight per connection: self-paced, it never overloads the server or queues behind the in-flight
 * cap, and it ends early at `maxMs`.
 */
import type { BenchClient } from "../../contract/index.ts";
import { JIT_WARMUP_REQUESTS } from "./jit-warmup.ts";

export interface PrimeOutcome {
  readonly requested: number;
  readonly completed: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** The time cap cut it short. */
  readonly timedOut: boolean;
}

/** Requests primed when --prime is not given: the count bench:generator warms up with, for the same reason. */
export const DEFAULT_PRIME_REQUESTS = JIT_WARMUP_REQUESTS;
/** The cap on priming's time, whatever the count: a slow arm (a connection per request) stops there. */
export const PRIME_MAX_MS = 10_000;

export function primeClient(
  client: BenchClient,
  options: { readonly requests: number; readonly concurrency: number; readonly maxMs: number },
  now: () => number,
): Promise<PrimeOutcome> {
  const start = now();
  let sent = 0;
  let completed = 0;
  let failed = 0;
  let inFlight = 0;
  let timedOut = false;
  return new Promise((resolve) => {
    const finish = (): void =>
      resolve({ requested: options.requests, completed, failed, elapsedMs: now() - start, timedOut });
    const sendNext = (): void => {
      while (inFlight < options.concurrency && sent < options.requests && !timedOut) {
        if (now() - start >= options.maxMs) {
          timedOut = true;
          break;
        }
        sent++;
        inFlight++;
        client.send(sent, (failure) => {
          inFlight--;
          if (failure === null) completed++;
          else failed++;
          // Deferred, so a client that answers synchronously cannot recurse once per request.
          if (inFlight === 0 && (sent === options.requests || timedOut)) finish();
          else queueMicrotask(sendNext);
        });
      }
      if (inFlight === 0) finish();
    };
    sendNext();
  });
}
