/**
 * The pacing floor and who limited a scenario, as every renderer says them. Results written before the floor have
 * neither field: these return null or nothing for them, so their reports read as they always did.
 */
import type { CompletedScenario } from "./schema.ts";
import { fixed, formatUs } from "./format.ts";

/** "pacing floor p99 180 µs (worker; 52.0 µs CPU per send idle)"; null for a result without a floor. */
export function pacingFloorText(s: CompletedScenario): string | null {
  const floor = s.generator.pacingFloorUs;
  if (floor === undefined) return null;
  return `pacing floor p99 ${formatUs(floor.p99)} (${s.generator.pacing ?? "pacer unknown"}; ${fixed(floor.cpuUsPerSend, 1)} µs CPU per send idle)`;
}

/** The scenarios whose sends left on time but whose server did not carry the offered load. */
export function serverLimited(scenarios: readonly CompletedScenario[]): CompletedScenario[] {
  return scenarios.filter((s) => s.generator.limitedBy === "server");
}

/** The lowest and highest floor p99 of `scenarios`, µs, and the strategies they paced with; null if none has a floor. */
export function floorRange(scenarios: readonly CompletedScenario[]): { readonly minUs: number; readonly maxUs: number; readonly strategies: readonly string[] } | null {
  const floors = scenarios.flatMap((s) => (s.generator.pacingFloorUs === undefined ? [] : [s.generator.pacingFloorUs.p99]));
  if (floors.length === 0) return null;
  const strategies = [...new Set(scenarios.flatMap((s) => (s.generator.pacing === undefined ? [] : [s.generator.pacing])))];
  return { minUs: Math.min(...floors), maxUs: Math.max(...floors), strategies };
}
