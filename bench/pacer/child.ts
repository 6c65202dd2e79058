/**
 * One measurement of `npm run bench:pacer`, in a process of its own (the parent pins it to one CPU, as the generator
 * is pinned): `node child.ts STRATEGY RPS DURATION_MS TIMER_SLACK MIN_INTERVAL WORK_US`, where TIMER_SLACK is the
 * sleeper thread's timerslack_ns or "default", MIN_INTERVAL the worker pacer's least µs between wakes or "default",
 * and WORK_US the CPU each due time burns on the event loop, a stand-in for a send (0: idle, as the pacing floor). Paces idle for a warm-up, then for DURATION_MS, and prints one JSON line: the
 * lateness summary, the process's CPU (every thread) over the measured part, and the worker pacer's final lead.
 */
import { performance } from "node:perf_hooks";
import { summarize } from "../load/histogram.ts";
import { createPacer, EVENT_LOOP_CLOCK, PACING_STRATEGIES } from "../load/pacer.ts";
import type { Pacer, PacingStrategy } from "../load/pacer.ts";
import { startSleeperThread } from "../load/pacer-thread.ts";
import { createWorkerPacer } from "../load/pacer-worker.ts";
import type { WorkerPacer } from "../load/pacer-worker.ts";
import { measurePacingLateness } from "../load/pacing-floor.ts";
import type { PacerRun } from "./runs.ts";

const WARMUP_MS = 300;

function pacerFor(strategy: PacingStrategy, timerSlack: string, minIntervalUs: number | null): Pacer | WorkerPacer {
  if (strategy !== "worker") return createPacer(strategy, EVENT_LOOP_CLOCK);
  const slack = timerSlack === "default" ? null : Number(timerSlack);
  return createWorkerPacer(EVENT_LOOP_CLOCK, (onWake) => startSleeperThread(onWake, slack), minIntervalUs === null ? {} : { minIntervalMs: minIntervalUs / 1000 });
}

async function main(): Promise<void> {
  const [strategyArg = "", rpsArg = "", durationArg = "", timerSlack = "1", minIntervalArg = "default", workArg = "0"] = process.argv.slice(2);
  const strategy = PACING_STRATEGIES.find((s) => s === strategyArg);
  if (strategy === undefined) throw new Error(`unknown strategy ${strategyArg}`);
  const rps = Number(rpsArg);
  const durationMs = Number(durationArg);
  const minIntervalUs = minIntervalArg === "default" ? null : Number(minIntervalArg);
  const pacer = pacerFor(strategy, timerSlack, minIntervalUs);
  const workMs = Number(workArg) / 1000;
  const work = (): void => {
    const until = performance.now() + workMs;
    while (performance.now() < until);
  };
  await measurePacingLateness(pacer, EVENT_LOOP_CLOCK, rps, WARMUP_MS, work);
  const cpuStart = process.cpuUsage();
  const lateness = await measurePacingLateness(pacer, EVENT_LOOP_CLOCK, rps, durationMs, work);
  const cpu = process.cpuUsage(cpuStart);
  const worker = "leadMs" in pacer ? pacer : null;
  pacer.close();
  const run: PacerRun = {
    strategy,
    rps,
    durationMs,
    timerSlack,
    minIntervalUs,
    workUs: Number(workArg),
    latenessUs: summarize(lateness),
    cpuPct: Math.round(((cpu.user + cpu.system) / (durationMs * 1000)) * 1000) / 10,
    leadUs: worker === null ? null : Math.round(worker.leadMs() * 1000),
    timerSlackNs: worker === null ? null : worker.timerSlackNs(),
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

await main();
