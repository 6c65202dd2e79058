/**
 * `npm run bench:pacer`: how late each pacing strategy wakes, idle, at a few rates, and what it costs in CPU — the
 * measurement behind the default `--pacing` (its figures are in bench/load/pacer.ts). Each run is a child pinned to one CPU; runs of the
 * strategies interleave, so drift on a shared machine spreads over all of them. A benchmark, not a test.
 */
import { availableParallelism } from "node:os";
import { PACING_STRATEGIES } from "../load/pacer.ts";
import { MIN_WAKE_INTERVAL_MS } from "../load/pacer-worker.ts";
import type { PacingStrategy } from "../load/pacer.ts";
import { hasCommand } from "../support/tools.ts";
import { parseDurationMs } from "../support/duration.ts";
import { UsageError } from "../support/errors.ts";
import { parseToolArgs, positiveNumber, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { resultRow, runPacerChild, TABLE_HEADER } from "./runs.ts";
import type { PacerRun, PacerVariant } from "./runs.ts";

export const PACER_HELP = `wirecost bench:pacer — how precisely each --pacing strategy wakes, and at what CPU

usage: npm run bench:pacer -- [--strategies LIST] [--rates LIST] [--duration D] [--runs N] [--cpu N]
                               [--timer-slack LIST] [--min-interval LIST] [--work-us N]

  --strategies LIST    comma list of ${PACING_STRATEGIES.join(",")} (default: all)
  --rates LIST         comma list of wake-ups per second (default 1000,5000,20000)
  --duration D         each run's measured time after a 300 ms warm-up, e.g. 2s (default 2s)
  --runs N             runs per strategy and rate; the table shows median (min–max) (default 3)
  --cpu N              the CPU to pin each run to with taskset (default 0; the generator's default CPU)
  --timer-slack LIST   the worker's sleeper thread timerslack_ns: comma list of 1 and/or default (default 1)
  --min-interval LIST  the worker's least µs between two wakes: comma list of numbers and/or default
                       (default: default, ${MIN_WAKE_INTERVAL_MS * 1000} µs)
  --work-us N          CPU µs to burn on the event loop per due time, a stand-in for sending, so the loop is
                       busy as under load (default 0: idle, as the pacing floor)

Each run paces with nothing sent, as the generator's pacing floor does, and prints the lateness of each due time
(wake time − due time), the process's CPU over the run (every thread), and that CPU less the --work-us stand-in, per
due time: what pacing costs a request.
`;

interface PacerBenchOptions {
  readonly strategies: readonly PacingStrategy[];
  readonly rates: readonly number[];
  readonly durationMs: number;
  readonly runs: number;
  readonly cpu: number;
  readonly timerSlacks: readonly string[];
  readonly minIntervals: readonly string[];
  readonly workUs: number;
}

function list(value: string | boolean | undefined): string[] | null {
  return typeof value === "string" ? value.split(",").map((v) => v.trim()) : null;
}

export function pacerBenchOptions(values: Readonly<Record<string, string | boolean | undefined>>): PacerBenchOptions {
  const strategies = (list(values.strategies) ?? [...PACING_STRATEGIES]).map((name) => {
    const s = PACING_STRATEGIES.find((p) => p === name);
    if (s === undefined) throw new UsageError("WC_BAD_VALUE", `--strategies: unknown strategy "${name}"; choose from ${PACING_STRATEGIES.join(",")}`);
    return s;
  });
  const rates = (list(values.rates) ?? ["1000", "5000", "20000"]).map((r) => positiveNumber("rates", r));
  const durationText = values.duration;
  const durationMs = typeof durationText === "string" ? parseDurationMs(durationText) : 2000;
  if (durationMs === undefined || durationMs <= 0) throw new UsageError("WC_BAD_VALUE", `--duration ${String(durationText)}: give a duration such as 2s or 500ms`);
  const runs = positiveNumber("runs", values.runs, 3);
  const cpu = typeof values.cpu === "string" ? Number(values.cpu) : 0;
  if (!Number.isInteger(runs)) throw new UsageError("WC_BAD_VALUE", `--runs ${String(values.runs)}: give a whole number, e.g. --runs 3`);
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= availableParallelism()) {
    throw new UsageError("WC_BAD_VALUE", `--cpu ${String(values.cpu)}: give a CPU from 0 to ${availableParallelism() - 1}`);
  }
  const timerSlacks = list(values["timer-slack"]) ?? ["1"];
  for (const t of timerSlacks) if (t !== "1" && t !== "default") throw new UsageError("WC_BAD_VALUE", `--timer-slack ${t}: give 1, default or both`);
  const minIntervals = list(values["min-interval"]) ?? ["default"];
  for (const m of minIntervals) if (m !== "default" && !(Number(m) >= 0)) throw new UsageError("WC_BAD_VALUE", `--min-interval ${m}: give µs (0 or more) or default`);
  const workUs = typeof values["work-us"] === "string" ? Number(values["work-us"]) : 0;
  if (!(workUs >= 0)) throw new UsageError("WC_BAD_VALUE", `--work-us ${String(values["work-us"])}: give µs, 0 or more`);
  return { strategies, rates, durationMs, runs, cpu, timerSlacks, minIntervals, workUs };
}

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "bench:pacer", async () => {
    const args = parseToolArgs(argv, { tool: "bench:pacer", strings: ["strategies", "rates", "duration", "runs", "cpu", "timer-slack", "min-interval", "work-us"], positionals: [] });
    if (args.help) {
      io.stdout.write(PACER_HELP);
      return 0;
    }
    return runPacerBench(pacerBenchOptions(args.values), io);
  });
}

function runPacerBench(o: PacerBenchOptions, io: ToolIo): Promise<number> {
  const cpu = hasCommand("taskset") ? o.cpu : null;
  if (cpu === null) io.stderr.write("taskset not found: runs are not pinned to one CPU, unlike the generator\n");
  // Every variant the options name; the slack and the interval vary the worker only.
  const variants = o.strategies.flatMap((strategy): PacerVariant[] =>
    strategy !== "worker"
      ? [{ strategy, timerSlack: "1", minInterval: "default" }]
      : o.timerSlacks.flatMap((timerSlack) => o.minIntervals.map((minInterval) => ({ strategy, timerSlack, minInterval }))),
  );
  const lines = [...TABLE_HEADER];
  for (const rps of o.rates) {
    const byVariant = variants.map((): PacerRun[] => []);
    for (let i = 0; i < o.runs; i++) {
      variants.forEach((v, k) => {
        const run = runPacerChild(v, rps, o.durationMs, o.workUs, cpu);
        byVariant[k]?.push(run);
        const worker = v.strategy === "worker" ? ` slack ${v.timerSlack} interval ${v.minInterval}` : "";
        io.stderr.write(`${v.strategy}${worker} ${rps}/s run ${i + 1}: p50 ${run.latenessUs.p50} µs, p99 ${run.latenessUs.p99} µs, CPU ${run.cpuPct}%\n`);
      });
    }
    for (const runs of byVariant) lines.push(resultRow(runs));
  }
  io.stdout.write(`${lines.join("\n")}\n`);
  return Promise.resolve(0);
}
