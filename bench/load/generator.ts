/**
 * The open-loop load loop. Requests are sent at their intended times in per-wake batches and never wait for
 * earlier answers; latency is timed from the intended time (the headline, free of coordinated omission) and from
 * the actual send (service time). A request is never sent before its intended time: each wake sends only what is
 * due by then. The clock and the pacer that wakes the loop are injected, so tests drive it with exact times.
 */
import { ERROR_KINDS } from "../../contract/index.ts";
import type { BenchClient, ErrorKind, RequestFailure } from "../../contract/index.ts";
import { createHistogram, recordMs } from "./histogram.ts";
import type { Histogram } from "./histogram.ts";
import type { Pacer } from "./pacer.ts";
import { createArrivalSchedule } from "./schedule.ts";
import type { ArrivalPlan } from "./schedule.ts";

export interface LoadPlan extends ArrivalPlan {
  /** Requests in flight at which the generator refuses to send more (counted as "refused"). */
  readonly maxInFlight: number;
  /** After the window, how long to wait for its last answers before counting them as "timeout", ms. */
  readonly drainTimeoutMs: number;
  /**
   * When the first request is due, on the load clock; absent: now. Several hosts start one load together this way
   * (bench/hosts/window-schedule.ts). The pacer sleeps until then, as it does between any two sends.
   */
  readonly startAtMs?: number;
}

/** The loop's clock; its timer only ends the drain, the pacer wakes the sends. */
export interface LoadClock {
  /** Milliseconds, monotonic, fractional (performance.now()). */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): void;
}

export type LoadPhase = "measure" | "drain";

export interface LoadHooks {
  /** Called when the window opens ("measure") and closes ("drain"), with the schedule's nominal time. */
  onPhase?(phase: LoadPhase, nominalMs: number): void;
}

export interface LoadOutcome {
  /** Requests whose intended time fell in the window (sent or refused). */
  readonly requests: number;
  /** Of those, answered and verified. */
  readonly completed: number;
  /** Verified answers that arrived inside the window, whatever window their request belonged to. */
  readonly completedInWindow: number;
  readonly errors: Record<ErrorKind, number>;
  /** The first message seen for each error kind, to explain the counts. */
  readonly errorSamples: Partial<Record<ErrorKind, string>>;
  readonly latency: Histogram;
  readonly serviceLatency: Histogram;
  readonly lateness: Histogram;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly inFlightPeak: number;
}

export function emptyErrorCounts(): Record<ErrorKind, number> {
  return Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
}

export function runLoad(
  client: Pick<BenchClient, "send" | "inFlight">,
  plan: LoadPlan,
  clock: LoadClock,
  pacer: Pacer,
  hooks: LoadHooks = {},
): Promise<LoadOutcome> {
  const nowMs = clock.now();
  // A start already past would make every request due before it arrive at once: a burst, not the offered rate.
  if (plan.startAtMs !== undefined && plan.startAtMs < nowMs) {
    return Promise.reject(new Error(`the scheduled start was missed by ${(nowMs - plan.startAtMs).toFixed(1)} ms; give the hosts a longer lead`));
  }
  const schedule = createArrivalSchedule(plan, plan.startAtMs ?? nowMs);
  const latency = createHistogram();
  const serviceLatency = createHistogram();
  const lateness = createHistogram();
  const errors = emptyErrorCounts();
  const errorSamples: Partial<Record<ErrorKind, string>> = {};
  let next = 0;
  let requests = 0;
  let completed = 0;
  let completedInWindow = 0;
  let outstandingMeasured = 0;
  let inFlightPeak = 0;
  let windowOpened = false;
  let draining = false;
  let finished = false;
  let resolveDone: (outcome: LoadOutcome) => void = () => {};

  const countError = (kind: ErrorKind, message: string): void => {
    errors[kind]++;
    if (errorSamples[kind] === undefined) errorSamples[kind] = message;
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (outstandingMeasured > 0) {
      errors.timeout += outstandingMeasured;
      errorSamples.timeout ??= `${outstandingMeasured} request(s) still unanswered ${plan.drainTimeoutMs} ms after the window closed`;
    }
    resolveDone({
      requests,
      completed,
      completedInWindow,
      errors,
      errorSamples,
      latency,
      serviceLatency,
      lateness,
      windowStartMs: schedule.windowStartMs,
      windowEndMs: schedule.windowEndMs,
      inFlightPeak,
    });
  };

  const sendOne = (index: number, nowMs: number): void => {
    const intended = schedule.intendedMs(index);
    const measured = index >= schedule.firstMeasured;
    if (measured) requests++;
    if (client.inFlight >= plan.maxInFlight) {
      if (measured) countError("refused", `in-flight cap of ${plan.maxInFlight} reached`);
      return;
    }
    if (measured) {
      outstandingMeasured++;
      recordMs(lateness, nowMs - intended);
    }
    client.send(index + 1, (failure: RequestFailure | null) => {
      const doneMs = clock.now();
      if (failure === null && doneMs >= schedule.windowStartMs && doneMs < schedule.windowEndMs) completedInWindow++;
      if (measured && !finished) {
        outstandingMeasured--;
        if (failure === null) {
          completed++;
          recordMs(latency, doneMs - intended);
          recordMs(serviceLatency, doneMs - nowMs);
        } else {
          countError(failure.kind, failure.message);
        }
        if (draining && outstandingMeasured === 0) finish();
      }
      sendDue(doneMs);
    });
    if (client.inFlight > inFlightPeak) inFlightPeak = client.inFlight;
  };

  /**
   * Sends what is due by `t` from an answer's callback. Under load answers arrive far more often than the pacer would
   * wake the loop, and a send made here costs no wake-up of its own (bench/load/pacer-thread.ts: each wake of a
   * sleeping thread costs this VM tens of µs); the pacer is then asked for the next due time, later each time.
   */
  const sendDue = (t: number): void => {
    // Not from inside a tick: a client that answers synchronously (a closed one, a connect that throws) would nest
    // ticks, and an inner one that reaches the window's end would start the drain under the outer one.
    if (!pacer.piggyback || ticking || draining || finished || next >= schedule.endIndex) return;
    if (t < schedule.intendedMs(next) || t >= schedule.windowEndMs) return;
    tick();
  };

  const startDrain = (): void => {
    draining = true;
    hooks.onPhase?.("drain", schedule.windowEndMs);
    if (outstandingMeasured === 0) finish();
    else clock.setTimeout(finish, plan.drainTimeoutMs);
  };

  let ticking = false;
  const tick = (): void => {
    ticking = true;
    try {
      tickOnce();
    } finally {
      ticking = false;
    }
  };

  const tickOnce = (): void => {
    const t = clock.now();
    if (!windowOpened && t >= schedule.windowStartMs) {
      windowOpened = true;
      hooks.onPhase?.("measure", schedule.windowStartMs);
    }
    const due = schedule.dueCount(t);
    while (next < due) {
      if (!windowOpened && next >= schedule.firstMeasured) {
        windowOpened = true;
        hooks.onPhase?.("measure", schedule.windowStartMs);
      }
      sendOne(next++, t);
    }
    if (t >= schedule.windowEndMs) {
      startDrain();
      return;
    }
    // Requests due by the same wake go out in one loop turn, so a wire client writes them in one batch.
    pacer.wakeAt(next < schedule.endIndex ? schedule.intendedMs(next) : schedule.windowEndMs, tick);
  };

  return new Promise((resolve) => {
    resolveDone = resolve;
    tick();
  });
}
