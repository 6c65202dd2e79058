/**
 * How far an agent's clock is from the driver's, measured over the driver–agent gRPC connection itself, so the
 * multi-host driver (issue 13, "Beyond one machine") can name one start instant in every agent's own clock. Pure
 * arithmetic over NTP's four timestamps (RFC 5905 §8, whose T1–T4 are t0–t3 here); the driver's clock and the
 * exchange are injected, so the only I/O is the caller's.
 *
 * Why ±δ/2 is an honest bound, whatever the path's asymmetry: the request's one-way time, t1 − t0 − θtrue, and the
 * reply's, t3 − t2 + θtrue, are both ≥ 0, so θtrue lies in [t2 − t3, t1 − t0] — an interval of width δ centred
 * on θ. A negative δ makes that interval empty: no offset explains the sample (a clock stepped during it).
 */

/** One exchange: driver times on the driver's clock, agent times on the agent's, all epoch ms (fractions allowed). */
export interface ClockSample {
  /** t0: the driver sent the request. */
  readonly sentMs: number;
  /** t1: the agent received it. */
  readonly agentReceivedMs: number;
  /** t2: the agent sent its reply. */
  readonly agentSentMs: number;
  /** t3: the driver received the reply. */
  readonly receivedMs: number;
}

export interface SampleOffset {
  /** θ, the agent's clock minus the driver's. */
  readonly offsetMs: number;
  /** δ, the round trip less the agent's time holding the request. */
  readonly delayMs: number;
}

export interface OffsetEstimate {
  readonly offsetMs: number;
  /** The true offset lies within offsetMs ± uncertaintyMs (half the chosen sample's delay). */
  readonly uncertaintyMs: number;
  readonly delayMs: number;
  /** How many samples the estimate chose from. */
  readonly samples: number;
}

/** What the agent answers to one exchange, on its own clock. */
export interface AgentTimes {
  readonly agentReceivedMs: number;
  readonly agentSentMs: number;
}

export function sampleOffset(s: ClockSample): SampleOffset {
  const times = [s.sentMs, s.agentReceivedMs, s.agentSentMs, s.receivedMs];
  if (!times.every(Number.isFinite)) {
    throw new RangeError(`a clock sample's four times must be finite numbers, got ${times.join(", ")}`);
  }
  const offsetMs = (s.agentReceivedMs - s.sentMs + (s.agentSentMs - s.receivedMs)) / 2;
  const delayMs = s.receivedMs - s.sentMs - (s.agentSentMs - s.agentReceivedMs);
  if (delayMs < 0) {
    throw new RangeError(
      `a clock sample's delay is negative (${delayMs} ms: the round trip ${s.receivedMs - s.sentMs} ms is shorter than the agent's ` +
        `${s.agentSentMs - s.agentReceivedMs} ms between receiving and replying); a clock stepped during the exchange — measure again`,
    );
  }
  return { offsetMs, delayMs };
}

/**
 * The least-delay sample's offset, as NTP's clock filter chooses (RFC 5905 §10): queueing only ever adds delay, so
 * the fastest round trip bounds the offset tightest. Averaging would let one queued sample's skew in; among equal
 * delays the first is kept.
 */
export function estimateOffset(samples: readonly ClockSample[]): OffsetEstimate {
  let best: SampleOffset | null = null;
  for (const s of samples) {
    const one = sampleOffset(s);
    if (best === null || one.delayMs < best.delayMs) best = one;
  }
  if (best === null) throw new RangeError("cannot estimate a clock offset from no samples");
  return { offsetMs: best.offsetMs, uncertaintyMs: best.delayMs / 2, delayMs: best.delayMs, samples: samples.length };
}

/**
 * `rounds` exchanges, one after another — concurrent ones would queue behind each other and only add delay — and
 * the estimate from them. `now` is the driver's clock, the one it schedules with; the agent answers on the clock it
 * will start its load by.
 */
export async function measureClockOffset(
  exchange: () => Promise<AgentTimes>,
  rounds: number,
  now: () => number,
): Promise<OffsetEstimate> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`clock offset rounds must be a positive integer, got ${rounds}`);
  const samples: ClockSample[] = [];
  for (let i = 0; i < rounds; i++) {
    const sentMs = now();
    const { agentReceivedMs, agentSentMs } = await exchange();
    const receivedMs = now();
    samples.push({ sentMs, agentReceivedMs, agentSentMs, receivedMs });
  }
  return estimateOffset(samples);
}

/** A driver-clock instant in the agent's clock, given offsetMs = agent − driver. */
export function toAgentClock(driverMs: number, offsetMs: number): number {
  return driverMs + offsetMs;
}

/** An agent-clock instant in the driver's clock, given offsetMs = agent − driver. */
export function toDriverClock(agentMs: number, offsetMs: number): number {
  return agentMs - offsetMs;
}

