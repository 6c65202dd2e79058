/**
 * Who limited a run, checked against both CPUs. The generator judges itself by its sends' lateness
 * (bench/load/assess.ts), which cannot see a client whose sends leave on time and whose CPU then goes to finishing
 * them: on `nginx-http1-close`, a connection per request, its sends were on time while its CPU was 92–100% busy and
 * the server's up to 38% idle (results/reference/livelock/), and the verdict said "limited by the server". With the
 * window's busy share of each CPU (eBPF's attribution, else /proc/stat's ticks) the harness names the generator
 * instead when its CPU was full and the server's was not. Pure.
 */
import type { GeneratorHealth } from "../load/report.ts";
import type { KernelFigures } from "../results/kernel-figures.ts";

/** A generator CPU busier than this, % of the window, had nothing left to give. */
export const GENERATOR_FULL_PCT = 95;
/** A server CPU this idle or more, % of the window, was not what held the run back. */
export const SERVER_SPARE_PCT = 20;

/** Each CPU's busy share of the window, %: eBPF's exact attribution (wall − idle), else /proc/stat's busy ticks. */
export function busyPct(kernel: KernelFigures | undefined, cpu: number | null): number | null {
  if (kernel === undefined || cpu === null) return null;
  const split = kernel.totals.cpuAttribution?.perCpu[String(cpu)];
  if (split !== undefined && split.wall !== null && split.wall > 0 && split.idle !== null) return (100 * (split.wall - split.idle)) / split.wall;
  const ticks = kernel.totals.cpuUs?.perCpu[String(cpu)];
  const windowUs = kernel.collector.windowMs * 1000;
  return ticks !== undefined && windowUs > 0 ? (100 * ticks.busy) / windowUs : null;
}

/** `generator`, with the limit moved to it when the CPUs say so; unchanged otherwise. */
export function withCpuEvidence(generator: GeneratorHealth, serverBusyPct: number | null, clientBusyPct: number | null): GeneratorHealth {
  if (generator.limitedBy !== "server" || serverBusyPct === null || clientBusyPct === null) return generator;
  if (clientBusyPct < GENERATOR_FULL_PCT || 100 - serverBusyPct < SERVER_SPARE_PCT) return generator;
  const reason =
    `the generator's CPU was ${Math.round(clientBusyPct)}% busy and the server's ${Math.round(serverBusyPct)}%: ` +
    `the client's own work per request (connections, answers) set the limit, though its sends left on time`;
  return {
    ...generator,
    saturated: true,
    saturationReasons: [...generator.saturationReasons, reason],
    saturationKinds: [...generator.saturationKinds, "generator-cpu"],
    limitedBy: "generator",
    limitReasons: [reason],
  };
}
