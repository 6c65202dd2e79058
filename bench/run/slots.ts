/**
 * A run's plan, pure: every scenario in order — the subjects (the arms, then the user's servers) interleaved per
 * repeat and per sweep step, each with every `--client` — and each one's name and config.
 */
import type { BenchConfig } from "../config/config.ts";
import type { UserServer } from "../config/user-servers.ts";
import type { ClientChoice, Protocol } from "../../contract/index.ts";
import { seriesName } from "../results/series.ts";
import { sweepOrder, sweepRates } from "../sweep/plan.ts";

/** Protocol order per repeat: repeat r starts r−1 places further on, so no protocol always runs first. */
export function interleavedOrder<T>(protocols: readonly T[], repeats: number): { protocol: T; repeat: number }[] {
  const order: { protocol: T; repeat: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < protocols.length; i++) {
      const protocol = protocols[(i + r) % protocols.length];
      if (protocol !== undefined) order.push({ protocol, repeat: r + 1 });
    }
  }
  return order;
}

export interface Slot {
  readonly protocol: Protocol;
  /** The user's own server this slot measures, speaking `protocol`; null: the arm's own server. */
  readonly server: UserServer | null;
  /** Which `--client` drives it. */
  readonly client: ClientChoice;
  readonly repeat: number;
  /** In a sweep, the step's offered load in the sweep's unit. */
  readonly offered?: number;
  readonly step?: number;
}

/**
 * Every scenario of the run in order: the protocols interleaved per repeat (and per step of a sweep), each arm run
 * with every `--client` one after the other, so an arm's clients are measured as close together as they can be.
 */
export function runSlots(config: BenchConfig): Slot[] {
  // The arms, then the user's servers: each a subject the order interleaves alike.
  const subjects: { protocol: Protocol; server: UserServer | null }[] = [
    ...config.protocols.map((protocol) => ({ protocol, server: null })),
    ...(config.servers ?? []).map((server) => ({ protocol: server.protocol, server })),
  ];
  const order = config.sweep === null ? interleavedOrder(subjects, config.repeat) : sweepOrder(subjects, sweepRates(config.sweep), config.repeat);
  return order.flatMap(({ protocol: subject, ...slot }) => config.client.map((client) => ({ ...slot, ...subject, client })));
}

/** A sweep step's config: its request rate, or by pps its packet rate (the scenario calibrates the request rate). */
export function slotConfig(config: BenchConfig, slot: Slot): BenchConfig {
  if (config.sweep === null || slot.offered === undefined) return config;
  return config.sweep.by === "pps" ? { ...config, pps: slot.offered } : { ...config, rps: slot.offered };
}

/**
 * The series (`h2c`, or `h2c~library` for a later `--client`), then `@5480` in a sweep by rps, `@20000pps` by pps,
 * and `#2` for a second repeat.
 */
export function scenarioName(config: BenchConfig, slot: Slot): string {
  const rate = config.sweep === null ? "" : `@${slot.offered}${config.sweep.by === "pps" ? "pps" : ""}`;
  return `${seriesName(slot.server?.name ?? slot.protocol, slot.client, config.client)}${rate}${config.repeat > 1 ? `#${slot.repeat}` : ""}`;
}
