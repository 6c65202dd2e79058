/**
 * A whole run: every protocol × repeat, interleaved, each scenario written to result.json as soon as it ends.
 * An abort (signal) marks the running scenario `aborted`, keeps the finished ones, and stops.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { BenchConfig } from "../config/config.ts";
import { describeEnvironment } from "./environment.ts";
import { UsageError } from "../support/errors.ts";
import { writeJsonAtomic } from "../support/atomic-write.ts";
import { createSeriesFile, SERIES_FILE } from "../results/series-file.ts";
import type { SeriesSink } from "../results/series-file.ts";
import { makeTlsMaterial } from "./tls.ts";
import type { Protocol, TlsMaterial } from "../../contract/index.ts";
import { chosenClientKind, usesTls } from "../../contract/index.ts";
import { RESULT_SCHEMA } from "../results/schema.ts";
import type { HostRecord, RunResult, ScenarioResult } from "../results/schema.ts";
import { totalErrors } from "../results/schema.ts";
import { runScenario, scenarioTimeLimitMs } from "./scenario.ts";
import { pastSaturation } from "../sweep/plan.ts";
import { runSlots, scenarioName, slotConfig } from "./slots.ts";
import type { StepOutcome } from "../sweep/plan.ts";
import { summarizeSweep } from "../results/sweep-summary.ts";
import { seriesName, seriesOf } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import type { TopologyInfo } from "../topology/index.ts";
import type { HarnessPlacement } from "../results/schema.ts";
import type { Placer, ScenarioObserver, ScenarioPlan } from "./scenario.ts";

export interface RunIo {
  /** Progress lines (stderr). */
  progress(line: string): void;
}

/** `20261125-093000-1a2b`: sortable, short enough for namespace and interface names. */
export function makeRunId(now: Date = new Date(), suffix: string = randomBytes(2).toString("hex")): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}-${suffix}`;
}

/**
 * Creates `dir` one level at a time. Node's `mkdirSync(…, { recursive: true })` spins forever on some pseudo
 * file systems (a path under /proc answers ENOENT to every mkdir), so it is not used here.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing.reverse()) mkdirSync(path);
}

/** Fails early, before any load, when results could not be written. */
export function ensureWritableDir(dir: string): void {
  try {
    makeDirs(dir);
    // makeDirs leaves an existing path alone, file or not, and root may write to a file: the run's folder inside it
    // would fail only once the topology is built.
    if (!statSync(dir).isDirectory()) throw new UsageError("WC_OUT_NOT_WRITABLE", `--out ${dir}: is a file, not a directory; choose a directory`);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new UsageError("WC_OUT_NOT_WRITABLE", `--out ${dir}: cannot write there (${code}); choose a writable directory`);
  }
}

export interface RunHandle {
  readonly result: RunResult;
  readonly resultPath: string;
}

export async function runBench(
  config: BenchConfig,
  placer: Placer,
  io: RunIo,
  signal: AbortSignal,
  options: {
    runId?: string;
    warnings?: readonly string[];
    topology?: TopologyInfo;
    harness?: HarnessPlacement;
    observer?: (protocol: Protocol, series: SeriesSink) => ScenarioObserver;
    onStart?: (run: RunHandle) => void;
    /** A run across hosts: its hosts, for the result, and the runner of its scenarios (bench/hosts/hosts-runner.ts). */
    hosts?: { readonly records: readonly HostRecord[]; readonly runScenario: (plan: ScenarioPlan, signal: AbortSignal, progress: (line: string) => void) => Promise<ScenarioResult> };
  } = {},
): Promise<RunHandle> {
  const runId = options.runId ?? makeRunId();
  const dir = resolve(config.outDir, runId);
  ensureWritableDir(dir);
  const resultPath = join(dir, "result.json");
  const result: RunResult = {
    schema: RESULT_SCHEMA,
    runId,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    state: "running",
    environment: describeEnvironment(),
    config,
    topology: options.topology ?? null,
    ...(options.harness === undefined ? {} : { harness: options.harness }),
    warnings: [...(options.warnings ?? [])],
    ...(options.hosts === undefined ? {} : { hosts: options.hosts.records }),
    scenarios: [],
    skipped: [],
    sweep: null,
  };
  const save = (): void => writeJsonAtomic(resultPath, result);
  save();
  const seriesFile = createSeriesFile(join(dir, SERIES_FILE));
  options.onStart?.({ result, resultPath });

  let tls: (TlsMaterial & { cleanup(): Promise<void> }) | undefined;
  try {
    if ([...config.protocols, ...(config.servers ?? []).map((s) => s.protocol)].some(usesTls)) tls = await makeTlsMaterial([placer.serverAddress]);
    const slots = runSlots(config);
    // A sweep follows each series (an arm with one client) on its own: one client may saturate where another does not.
    const stopped = new Set<Series>();
    const history = new Map<Series, StepOutcome[]>();
    /** By pps: each series' packets per request at its last finished step, where the next step's calibration starts. */
    const lastPacketsPerRequest = new Map<Series, number>();
    const startedMs = Date.now();
    /** The user servers that have been loaded at least once (see below). */
    const loaded = new Set<string>();
    for (const [index, slot] of slots.entries()) {
      if (signal.aborted) break;
      const { protocol, repeat } = slot;
      const series = seriesName(slot.server?.name ?? protocol, slot.client, config.client);
      const tag = `[${index + 1}/${slots.length}]`;
      const name = scenarioName(config, slot);
      if (stopped.has(series)) {
        io.progress(`${tag} ${name}: skipped, ${series} is already past saturation`);
        result.skipped.push({ name, reason: "past saturation at a lower step" });
        continue;
      }
      const scenarioConfig = slotConfig(config, slot);
      // Every run, not only a sweep: --max-time bounds the whole run (issue 11).
      if (Date.now() - startedMs + scenarioTimeLimitMs(scenarioConfig, slot.server?.readyTimeoutMs ?? 0) > config.maxTotalMs) {
        io.progress(`${tag} ${name}: skipped, it could run past --max-time`);
        result.skipped.push({ name, reason: `--max-time ${config.maxTotalMs / 1000} s reached` });
        continue;
      }
      const load = scenarioConfig.pps === null ? `${scenarioConfig.rps} req/s` : `${scenarioConfig.pps} packets/s`;
      io.progress(`${tag} ${name}: ${load}, ${config.warmupMs / 1000} s warm-up + ${config.durationMs / 1000} s measured`);
      const seed = lastPacketsPerRequest.get(series);
      const scenarioPlan: ScenarioPlan = {
        name,
        protocol,
        client: chosenClientKind(protocol, slot.client, config.grpcClient),
        repeat,
        config: scenarioConfig,
        ...(tls !== undefined && usesTls(protocol) ? { tls } : {}),
        ...(seed === undefined ? {} : { ppsInitialPacketsPerRequest: seed }),
        ...(slot.server === null ? {} : { userServer: slot.server }),
      };
      const progress = (line: string): void => io.progress(`${tag} ${name}: ${line}`);
      const scenario: ScenarioResult =
        options.hosts === undefined
          ? await runScenario(scenarioPlan, placer, signal, options.observer?.(protocol, seriesFile.forScenario(name)), progress)
          : await options.hosts.runScenario(scenarioPlan, signal, progress);
      result.scenarios.push(slot.step === undefined ? scenario : { ...scenario, step: slot.step });
      save();
      io.progress(`${tag} ${name}: ${describeOutcome(scenario)}`);
      if (slot.server !== null) {
        // A user server that never got as far as load the first time is a mistake in its entry: end the run, as a
        // refused config would (exit 2), its finished scenarios written. Later, the same failure is the server's.
        if (scenario.state === "errored" && scenario.beforeLoad === true && !loaded.has(slot.server.name)) {
          // What did not run is said, so the result is not read as a whole run.
          for (const later of slots.slice(index + 1)) result.skipped.push({ name: scenarioName(config, later), reason: `the run ended: server entry ${slot.server.name} failed before load` });
          result.warnings.push(scenario.error);
          throw new UsageError("WC_BAD_CONFIG", scenario.error);
        }
        loaded.add(slot.server.name);
      }
      if (config.sweep !== null) {
        const steps = history.get(series) ?? [];
        steps.push(stepOutcome(scenario));
        history.set(series, steps);
        if (config.sweep.pastSaturation !== true && pastSaturation(steps)) stopped.add(series);
        const measured = scenario.state === "completed" ? scenario.perRequest?.packets : undefined;
        if (config.sweep.by === "pps" && measured !== undefined && measured !== null && measured > 0) lastPacketsPerRequest.set(series, measured);
      }
    }
    if (config.sweep !== null) {
      result.sweep = summarizeSweep(config.sweep, config.sloP99Us, result.scenarios, (s) => seriesOf(result, s));
      save();
    }
  } finally {
    await tls?.cleanup();
    const seriesProblem = seriesFile.close();
    if (seriesProblem !== null) result.warnings.push(seriesProblem);
    result.state = signal.aborted ? "interrupted" : "finished";
    result.finishedAt = new Date().toISOString();
    save();
  }
  return { result, resultPath };
}

function stepOutcome(s: ScenarioResult): StepOutcome {
  if (s.state !== "completed") return { offeredRps: s.offeredRps, achievedRps: 0, errorRate: 1 };
  return { offeredRps: s.offeredRps, achievedRps: s.achievedRps, errorRate: s.requests > 0 ? totalErrors(s.errors) / s.requests : 0 };
}

function describeOutcome(s: ScenarioResult): string {
  if (s.state !== "completed") return `${s.state}: ${s.error}`;
  const flag = s.generator.saturated ? " — SATURATED" : "";
  const pps = s.pps === undefined ? "" : ` of ${s.pps.requestRate} calibrated, ${s.pps.measuredPps ?? "unmeasured"} of ${s.pps.offeredPps} packets/s`;
  return `achieved ${s.achievedRps} req/s${pps}, p99 ${s.latencyUs.p99} µs${flag}`;
}
