/**
 * `npm run bench -- [flags]`. `main` returns the exit code; only bin.ts exits. stdout carries results (the table,
 * or JSON with --json), stderr carries progress and warnings.
 */
import { createServer } from "node:net";
import { constants } from "node:os";
import { dirname } from "node:path";
import type { BenchConfig } from "../config/config.ts";
import { isUsageError, USAGE_EXIT_CODE, UsageError } from "../support/errors.ts";
import { killAllChildren } from "../support/child-process.ts";
import { configFromArgv } from "./argv.ts";
import { HELP } from "./help.ts";
import { ensureWritableDir, runBench } from "../run/run.ts";
import type { RunHandle } from "../run/run.ts";
import { renderNotes, renderSweepSummary, renderTable } from "../report/table.ts";
import { choosePlacer, remotePlacement } from "../run/placement.ts";
import { readTokenFile } from "../agent/token.ts";
import { connectHostsRun, startHostsRun } from "../hosts/hosts-run.ts";
import type { HostsRun } from "../hosts/hosts-run.ts";
import { TICK_ON_HOSTS } from "../hosts/hosts-runner.ts";
import { scenarioTimeLimitMs } from "../run/scenario.ts";
import { registerRun } from "../run/run-lock.ts";
import type { RunRegistration } from "../run/run-lock.ts";
import { runCpus } from "../topology/index.ts";
import { hasCommand } from "../support/tools.ts";
import { checkEbpf, chooseKernelTime, kernelTimeRefusal, systemProbe, tickFallbackWarning } from "../collector/ebpf/availability.ts";
import { startKernelTimeTracer } from "../collector/ebpf/tracer.ts";
import type { KernelTimeTracer } from "../collector/ebpf/tracer.ts";
import { checkDriverInstalled } from "../config/driver-rules.ts";
import { checkServersInstalled } from "../config/server-rules.ts";
import { createMeasurement } from "../run/measure.ts";
import type { MeasureOptions } from "../run/measure.ts";
import { writeReports } from "../report/write-reports.ts";

export interface CliIo {
  /** `isTTY` as a tty.WriteStream has it: colour only goes to a terminal. */
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where signals come from; tests pass an EventEmitter. */
  readonly signals?: { on(event: NodeJS.Signals, fn: () => void): unknown; off(event: NodeJS.Signals, fn: () => void): unknown };
}

/** On loopback the server shares the host's ports: a taken one is the user's to change, before anything runs. */
async function assertPortFree(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "already in use" : `not usable (${error.code ?? error.message})`;
      reject(new UsageError("WC_BAD_VALUE", `--port ${port}: ${why} on ${host}; choose another port, or 0 for any free one`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** The shell's convention: 128 + the signal's number (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 15);
}

/**
 * Colour for a stream: never with NO_COLOR; with FORCE_COLOR as it says (0: none); otherwise only to a terminal, so a
 * log file or a pipe gets no escape codes.
 */
export function colorFor(stream: { readonly isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0";
  return stream.isTTY === true;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const color = colorFor(io.stdout, io.env);
  const warnColor = colorFor(io.stderr, io.env);
  const warn = (line: string): void => void io.stderr.write(`${warnColor ? "\u001b[33mwarning\u001b[0m" : "warning"}: ${line}\n`);
  let config: BenchConfig | "help";
  try {
    config = configFromArgv(argv);
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr.write(`wirecost: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    throw error;
  }
  if (config === "help") {
    io.stdout.write(HELP);
    return 0;
  }

  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  let run: RunHandle | undefined;
  let placerCleanup: (() => void) | undefined;
  let registration: RunRegistration | undefined;
  const onSignal = (sig: NodeJS.Signals) => () => {
    if (signalled !== undefined) {
      // A second signal: stop waiting for a tidy finish, but still remove what we created.
      killAllChildren();
      placerCleanup?.();
      registration?.release();
      io.stderr.write(`wirecost: forced exit on second ${sig}\n`);
      process.exit(signalExitCode(sig));
    }
    signalled = sig;
    io.stderr.write(`wirecost: ${sig} received: stopping the load, keeping finished scenarios (again to force)\n`);
    controller.abort(sig);
  };
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((sig) => [sig, onSignal(sig)] as const);
  const signals = io.signals ?? process;
  for (const [sig, fn] of handlers) signals.on(sig, fn);

  try {
    checkDriverInstalled(config);
    checkServersInstalled(config);
    if (config.verify && !hasCommand("tcpdump")) {
      throw new UsageError("WC_MISSING_TOOL", "--verify needs tcpdump, which is not installed; apt-get install tcpdump, or drop --verify");
    }
    // Across hosts the agents read the counters, and they run no tracer (yet): ticks, said as auto's fallback is.
    const plan =
      config.topology === "hosts" || config.agents !== null
        ? ({ method: "tick", reason: TICK_ON_HOSTS, fix: "run on one host for eBPF kernel time" } as const)
        : chooseKernelTime(config.kernelTime, checkEbpf(systemProbe(hasCommand)));
    if (plan.method === "refused") {
      throw new UsageError(/root/.test(plan.reason) ? "WC_NEEDS_ROOT" : "WC_MISSING_TOOL", kernelTimeRefusal(plan.reason, plan.fix));
    }
    // A scenario that could outlast --max-time would be skipped: the run would measure nothing.
    const longest = scenarioTimeLimitMs(config);
    if (longest > config.maxTotalMs) {
      throw new UsageError("WC_BAD_VALUE", `--max-time ${config.maxTotalMs / 1000} s: one scenario may take up to ${Math.ceil(longest / 1000)} s (warm-up, window, priming, timeouts); raise --max-time or shorten --duration`);
    }
    // The agents' token, read now: a missing or open file is a usage error before anything is made.
    if (config.agents !== null) readTokenFile(config.tokenFile ?? "");
    // One run at a time (or beside others on CPUs they do not use): refused before anything is made.
    registration = registerRun(runCpus(config.serverCpu, config.clientCpu), config.allowConcurrent);
    // The first thing a run makes (it creates --out), so after every check that only looks: a refused run leaves nothing.
    ensureWritableDir(config.outDir);
    const cfg = config;
    const progress = (line: string): void => void io.stderr.write(`${line}\n`);
    // --agents: the hosts' agents are reached first, since they say where the server is.
    let hostsRun: HostsRun | undefined = config.agents === null ? undefined : await connectHostsRun(config, progress);
    const placement = hostsRun === undefined ? await choosePlacer(config, warn) : remotePlacement(hostsRun.serverAddress);
    if (plan.method === "tick" && config.kernelTime === "auto") {
      const line = tickFallbackWarning(plan.reason, plan.fix);
      warn(line);
      placement.warnings.push(line);
    }
    placerCleanup = placement.destroySync;
    registration.setRunId(placement.runId);
    if (config.port !== 0 && placement.placer.kind === "loopback") {
      try {
        await assertPortFree(placement.placer.serverAddress, config.port);
      } catch (error) {
        await placement.destroy();
        throw error;
      }
    }
    // One bpftrace for the whole run, started once the run's CPUs are known: its compiling is paid once.
    let tracer: KernelTimeTracer | undefined;
    let kernelTime: MeasureOptions["kernelTime"];
    try {
      if (placement.topology?.kind === "hosts") hostsRun = await startHostsRun(config, placement.topology, progress);
      for (const line of hostsRun?.warnings ?? []) {
        warn(line);
        placement.warnings.push(line);
      }
      if (plan.method === "tick") kernelTime = plan;
      else {
        const cpus = [placement.placer.serverCpu, placement.placer.clientCpu].filter((c): c is number => c !== null);
        try {
          io.stderr.write("starting bpftrace for exact kernel time\n");
          tracer = await startKernelTimeTracer({ cpus }, placement.placer.clientCpu);
          kernelTime = { method: "ebpf", tracer };
        } catch (error) {
          const reason = `bpftrace could not start (${error instanceof Error ? error.message : String(error)})`;
          const fix = "check that bpftrace runs here (bpftrace -e 'BEGIN { exit(); }'), or --kernel-time tick";
          kernelTime = { method: "tick", reason, fix };
          const line = tickFallbackWarning(reason, fix);
          warn(line);
          placement.warnings.push(line);
        }
      }
      const measured = kernelTime;
      run = await runBench(config, placement.placer, { progress: (line) => void io.stderr.write(`${line}\n`) }, controller.signal, {
        runId: placement.runId,
        warnings: placement.warnings,
        ...(placement.topology === null ? {} : { topology: placement.topology }),
        harness: placement.harness,
        observer: (_protocol, series) =>
          createMeasurement(placement.placer, { sampleHz: cfg.sampleHz, baselineMs: cfg.baselineMs, verify: cfg.verify, kernelTime: measured, maxSampleMs: cfg.maxTotalMs, series }),
        onStart: (handle) => (run = handle),
        ...(hostsRun === undefined ? {} : { hosts: hostsRun }),
      });
    } finally {
      await hostsRun?.stop();
      await tracer?.stop();
      await placement.destroy();
    }
    const scenarios = run.result.scenarios;
    if (run.result.scenarios.length > 0) {
      io.stderr.write("writing reports\n");
      try {
        const written = await writeReports(dirname(run.resultPath), { warn });
        io.stderr.write(`report: ${written.find((p) => p.endsWith("report.md")) ?? written[0] ?? "(none)"}\n`);
      } catch (error) {
        // The results are safe on disk; a report can be made again with npm run report.
        warn(`could not write the reports (${error instanceof Error ? error.message : String(error)}); run npm run report -- ${dirname(run.resultPath)}`);
      }
    }
    if (config.json) io.stdout.write(`${JSON.stringify(run.result, null, 2)}\n`);
    else {
      io.stdout.write(renderTable(scenarios, { color }) + renderNotes(scenarios));
      if (run.result.sweep !== null) io.stdout.write(renderSweepSummary(run.result.sweep));
    }
    io.stderr.write(`results: ${run.resultPath}\n`);
    if (signalled !== undefined) return signalExitCode(signalled);
    return scenarios.every((s) => s.state === "completed") ? 0 : 1;
  } catch (error) {
    if (run !== undefined) io.stderr.write(`results so far: ${run.resultPath}\n`);
    if (isUsageError(error)) {
      io.stderr.write(`wirecost: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    io.stderr.write(`wirecost: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    registration?.release();
    for (const [sig, fn] of handlers) signals.off(sig, fn);
  }
}
