/**
 * A whole run: every protocol × repeat, interleaved, each scenario written to result.json as soon as it ends.
 * An abort (signal) marks the running scenario `aborted`, keeps the finished ones, and stops.
 */
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { BenchConfig } from "./config.ts";
import { describeEnvironment } from "./environment.ts";
import { UsageError } from "./errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { makeTlsMaterial } from "./tls.ts";
import type { Protocol, TlsMaterial } from "./protocol.ts";
import { usesTls } from "./protocol.ts";
import { RESULT_SCHEMA } from "./result.ts";
import type { RunResult, ScenarioResult } from "./result.ts";
import { runScenario } from "./scenario.ts";
import type { TopologyInfo } from "./topology/index.ts";
import type { Placer, ScenarioObserver } from "./scenario.ts";

export interface RunIo {
  /** Progress lines (stderr). */
  progress(line: string): void;
}

/** `20261125-093000-1a2b`: sortable, short enough for namespace and interface names. */
export function makeRunId(now: Date = new Date(), suffix: string = randomBytes(2).toString("hex")): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}-${suffix}`;
}

/** Protocol order per repeat: repeat r starts r−1 places further on, so no protocol always runs first. */
export function interleavedOrder(protocols: readonly Protocol[], repeats: number): { protocol: Protocol; repeat: number }[] {
  const order: { protocol: Protocol; repeat: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < protocols.length; i++) {
      const protocol = protocols[(i + r) % protocols.length];
      if (protocol !== undefined) order.push({ protocol, repeat: r + 1 });
    }
  }
  return order;
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
    accessSync(dir, constants.W_OK);
  } catch (error) {
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
  options: { runId?: string; warnings?: readonly string[]; topology?: TopologyInfo; observer?: (protocol: Protocol) => ScenarioObserver; onStart?: (run: RunHandle) => void } = {},
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
    warnings: [...(options.warnings ?? [])],
    scenarios: [],
  };
  const save = (): void => writeFileAtomic(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  save();
  options.onStart?.({ result, resultPath });

  let tls: (TlsMaterial & { cleanup(): Promise<void> }) | undefined;
  try {
    if (config.protocols.some(usesTls)) tls = await makeTlsMaterial([placer.serverAddress]);
    const order = interleavedOrder(config.protocols, config.repeat);
    for (const [index, { protocol, repeat }] of order.entries()) {
      if (signal.aborted) break;
      const name = config.repeat > 1 ? `${protocol}#${repeat}` : protocol;
      io.progress(`[${index + 1}/${order.length}] ${name}: ${config.rps} req/s, ${config.warmupMs / 1000} s warm-up + ${config.durationMs / 1000} s measured`);
      const scenario: ScenarioResult = await runScenario(
        { name, protocol, repeat, config, ...(tls !== undefined && usesTls(protocol) ? { tls } : {}) },
        placer,
        signal,
        options.observer?.(protocol),
        (line) => io.progress(`[${index + 1}/${order.length}] ${name}: ${line}`),
      );
      result.scenarios.push(scenario);
      save();
      io.progress(`[${index + 1}/${order.length}] ${name}: ${describeOutcome(scenario)}`);
    }
  } finally {
    await tls?.cleanup();
    result.state = signal.aborted ? "interrupted" : "finished";
    result.finishedAt = new Date().toISOString();
    save();
  }
  return { result, resultPath };
}

function describeOutcome(s: ScenarioResult): string {
  if (s.state !== "completed") return `${s.state}: ${s.error}`;
  const flag = s.generator.saturated ? " — SATURATED" : "";
  return `achieved ${s.achievedRps} req/s, p99 ${s.latencyUs.p99} µs${flag}`;
}
