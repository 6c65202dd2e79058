/**
 * `npm run bench -- [flags]`. `main` returns the exit code; only bin.ts exits. stdout carries results (the table,
 * or JSON with --json), stderr carries progress and warnings.
 */
import { createServer } from "node:net";
import { constants } from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { readConfigFile, resolveConfig } from "../config/config.ts";
import type { BenchConfig } from "../config/config.ts";
import { isUsageError, USAGE_EXIT_CODE, UsageError } from "../support/errors.ts";
import { killAllChildren } from "../support/child-process.ts";
import { PROTOCOLS } from "../../contract/index.ts";
import { ensureWritableDir, runBench } from "../run/run.ts";
import type { RunHandle } from "../run/run.ts";
import { renderNotes, renderSweepSummary, renderTable } from "../report/table.ts";
import { choosePlacer } from "../run/placement.ts";
import { hasCommand } from "../support/tools.ts";
import { createMeasurement } from "../run/measure.ts";
import { writeReports } from "../report/write-reports.ts";

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where signals come from; tests pass an EventEmitter. */
  readonly signals?: { on(event: NodeJS.Signals, fn: () => void): unknown; off(event: NodeJS.Signals, fn: () => void): unknown };
}

const STRING_FLAGS = [
  "protocols", "rps", "pps", "duration", "warmup", "request-bytes", "response-bytes", "connections", "streams", "repeat", "out",
  "config", "port", "max-in-flight", "timeout", "topology", "server-cpu", "client-cpu", "max-concurrent-streams",
  "initial-window-size", "keep-alive-timeout-ms", "grpc-keepalive-time-ms", "stream-messages", "sample-hz", "baseline", "by", "from", "to", "steps", "spacing", "slo-p99", "max-time",
  "rx-steering", "offloads", "mtu", "rate-limit", "netem", "grpc-client", "prime",
] as const;

export const HELP = `wirecost — what one request costs over HTTP/1.1, HTTP/2 and gRPC

usage: npm run bench -- [flags]

  --protocols LIST       comma list of ${PROTOCOLS.join(",")} (default: all)
  --rps N                offered requests per second, open loop (default 1000)
  --pps N                offer load by packets per second instead: the request rate is calibrated per scenario
  --duration D           measured window, e.g. 5s or 500ms (default 8s)
  --warmup D             load before the window, not counted (default 2s)
  --request-bytes N      request body size (default 128)
  --response-bytes N     response body size (default 1024)
  --connections N        TCP connections for every protocol (default 4)
  --streams N            in-flight requests per connection for h2/gRPC (default 100)
  --grpc-client NAME     grpc-js | lean: the gRPC arms' client; lean is node:http2 speaking gRPC, for load
                         past grpc-js's few thousand req/s per generator core (default grpc-js)
  --prime N              closed-loop requests before each scenario's baseline, so V8 has compiled both
                         sides' hot paths before anything is measured; 0 for none (default 20000, ≤ 10 s)
  --repeat N             run the protocol list N times, interleaved (default 1)
  --out DIR              results directory (default results/)
  --json                 print the result JSON on stdout instead of the table
  --config FILE          JSON config file (flags override it)
  --sweep --from N --to N [--steps 5] [--spacing geometric|linear] [--by rps|pps]
                         step the offered rate, every protocol per step, and find each one's knee;
                         --by pps steps packets/s, each step's request rate calibrated as for --pps
  --slo-p99 D            latency SLO for the knee and the planner (default 10ms)
  --max-time D           bound on the whole run; a sweep starts no scenario past it (default 30m)
  --max-in-flight N      generator in-flight cap; beyond it requests are refused (default 10000)
  --timeout D            per-request timeout (default 5s)
  --port N               server port (default 0: any free port)
  --topology KIND        auto | netns | bridge | loopback (default auto)
  --rx-steering MODE     rps | threaded-napi | none: where the server's receive work runs (default rps)
  --offloads MODE        default | off (TSO/GSO/GRO off on every veth end, for wire-like packet counts)
  --mtu N                MTU of the veth ends (default 1500)
  --rate-limit RATE      tc tbf on both eth0s, e.g. 100mbit
  --netem "ARGS"         tc netem on both eth0s, e.g. "delay 1ms loss 0.1%" (needs a kernel with sch_netem)
  --server-cpu N         CPU for the server (default: last CPU)
  --client-cpu N         CPU for the generator (default: 0)
  --sample-hz N          kernel counter samples per second for the time series (default 10)
  --verify               capture the server interface with tcpdump and compare packet counts (needs tcpdump)
  --baseline D           idle baseline before each scenario, subtracted from global counters (default 1s; 0 = none)
  --max-concurrent-streams N, --initial-window-size N, --keep-alive-timeout-ms N,
  --grpc-keepalive-time-ms N, --stream-messages N   server settings (recorded in the result)
`;

/** `--rps -5` would read -5 as a flag; join such negative numbers to their flag so range checks can name them. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    if (arg.startsWith("--") && (STRING_FLAGS as readonly string[]).includes(arg.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parseFlags(argv: readonly string[]): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: "string" as const }]));
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(argv),
      options: { ...options, json: { type: "boolean" }, verify: { type: "boolean" }, sweep: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new UsageError("WC_BAD_FLAG", `unexpected argument "${positionals[0]}"; flags start with --, see --help`);
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    if (isUsageError(error)) throw error;
    const message = (error as Error).message;
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "a flag";
    if ((error as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError("WC_BAD_FLAG", `unknown flag ${flag}; see npm run bench -- --help`);
    }
    throw new UsageError("WC_BAD_FLAG", `${flag} needs a value, e.g. ${flag} 1000; see --help`);
  }
}

export function configFromArgv(argv: readonly string[]): BenchConfig | "help" {
  const flags = parseFlags(argv);
  if (flags.help === true) return "help";
  const configFile = typeof flags.config === "string" ? flags.config : null;
  return resolveConfig({ flags, file: configFile === null ? null : readConfigFile(configFile), configFile });
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

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const color = io.env.NO_COLOR === undefined && io.env.FORCE_COLOR !== "0";
  const warn = (line: string): void => void io.stderr.write(`${color ? "\u001b[33mwarning\u001b[0m" : "warning"}: ${line}\n`);
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
  const onSignal = (sig: NodeJS.Signals) => () => {
    if (signalled !== undefined) {
      // A second signal: stop waiting for a tidy finish, but still remove what we created.
      killAllChildren();
      placerCleanup?.();
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
    ensureWritableDir(config.outDir);
    if (config.verify && !hasCommand("tcpdump")) {
      throw new UsageError("WC_MISSING_TOOL", "--verify needs tcpdump, which is not installed; apt-get install tcpdump, or drop --verify");
    }
    const cfg = config;
    const placement = await choosePlacer(config, warn);
    placerCleanup = placement.destroySync;
    if (config.port !== 0 && placement.placer.kind === "loopback") {
      try {
        await assertPortFree(placement.placer.serverAddress, config.port);
      } catch (error) {
        await placement.destroy();
        throw error;
      }
    }
    try {
      run = await runBench(config, placement.placer, { progress: (line) => void io.stderr.write(`${line}\n`) }, controller.signal, {
        runId: placement.runId,
        warnings: placement.warnings,
        topology: placement.topology,
        observer: () => createMeasurement(placement.placer, { sampleHz: cfg.sampleHz, baselineMs: cfg.baselineMs, verify: cfg.verify }),
        onStart: (handle) => (run = handle),
      });
    } finally {
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
    for (const [sig, fn] of handlers) signals.off(sig, fn);
  }
}
