/**
 * A host's clock for scheduling across processes and hosts: CLOCK_MONOTONIC in milliseconds, to the nanosecond,
 * shared by every process on the host. Not the epoch: each Node process fixes its epoch origin
 * (performance.timeOrigin) once at start, 0.2–2 ms off Date.now() as measured here, so two processes' "epoch now"
 * disagree by that much, while every process reads the same monotonic clock. The driver and the agents exchange
 * instants on it; the offsets between hosts' clocks are measured (bench/hosts/clock-offset.ts).
 */
export function hostClockMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
