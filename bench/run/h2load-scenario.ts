/**
 * The load half of a scenario driven by h2load (`--driver h2load`), in the place of our generator child: priming,
 * the idle baseline, warm-up and window, and the report — the same edges the collector hears from our generator.
 *
 * h2load runs where the generator would: `placer.command("client", argv)`, in the client namespace on the client
 * CPU. The window opens when h2load's main duration starts (its own line, read as it arrives) and closes
 * `--duration` later, H2LOAD_DRAIN_MS before h2load stops; the requests counted are the logged ones that started in
 * it, which h2load has answered by then.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { h2loadArgv, h2loadPrimeArgv, h2loadRequestBody, h2loadStreamsPerConnection, perConnectionRps } from "../load/h2load-argv.ts";
import type { H2loadLoad } from "../load/h2load-argv.ts";
import { requestsInWindow } from "../load/h2load-log.ts";
import { parseH2loadSummary } from "../load/h2load-output.ts";
import type { H2loadSummary } from "../load/h2load-output.ts";
import { buildH2loadReport, h2loadNotes } from "../load/h2load-report.ts";
import type { H2loadDriverRecord } from "../load/h2load-report.ts";
import { PRIME_MAX_MS } from "../load/prime.ts";
import type { PrimeOutcome } from "../load/prime.ts";
import type { GeneratorReport } from "../load/report.ts";
import type { KernelFigures } from "../results/kernel-figures.ts";
import { h2loadVersion, primeWithH2load, startH2load } from "./h2load-process.ts";
import type { H2loadProcess } from "./h2load-process.ts";
import type { Placer, ScenarioObserver, ScenarioPlan } from "./scenario.ts";

export interface H2loadDriven {
  readonly report: GeneratorReport;
  readonly kernel: KernelFigures | undefined;
  readonly driver: H2loadDriverRecord;
  readonly primed: PrimeOutcome | null;
}

export interface H2loadDriving {
  /** h2load's pid once it is spawned. */
  pid(): number | null;
  run(): Promise<H2loadDriven>;
  /** Stops h2load if it still runs and removes its files; safe to call more than once. */
  stop(): Promise<void>;
}

export interface H2loadDrivingInput {
  readonly plan: ScenarioPlan;
  readonly placer: Placer;
  readonly serverPid: number;
  readonly serverPort: number;
  readonly observer: ScenarioObserver;
  readonly progress: (line: string) => void;
  /** Races a step against the server dying and the scenario's abort. */
  readonly race: <T>(step: Promise<T>) => Promise<T>;
}

function summaryOf(stdout: string): H2loadSummary | null {
  try {
    return parseH2loadSummary(stdout);
  } catch {
    return null;
  }
}

export function driveWithH2load(input: H2loadDrivingInput): H2loadDriving {
  const { plan, placer, observer, progress, race } = input;
  const { config } = plan;
  const wrap = (argv: string[]) => placer.command("client", argv);
  let dir: string | undefined;
  let h2load: H2loadProcess | undefined;
  return {
    pid: () => h2load?.pid ?? null,
    async run() {
      dir = await mkdtemp(join(tmpdir(), "wirecost-h2load-"));
      const version = await race(h2loadVersion());
      const load: H2loadLoad = {
        protocol: plan.protocol,
        host: placer.serverAddress,
        port: input.serverPort,
        connections: config.connections,
        streams: config.streams,
        offeredRps: config.rps,
        warmupMs: config.warmupMs,
        durationMs: config.durationMs,
        bodyPath: join(dir, "body.bin"),
        logPath: join(dir, "requests.log"),
      };
      await writeFile(load.bodyPath, h2loadRequestBody(plan.protocol, config.requestBytes));
      let primed: PrimeOutcome | null = null;
      if (config.primeRequests > 0) {
        progress(`priming with ${config.primeRequests} closed-loop requests from h2load ${version}`);
        const primeLog = join(dir, "prime.log");
        const argv = h2loadPrimeArgv({ ...load, logPath: primeLog }, config.primeRequests);
        primed = await race(primeWithH2load(argv, primeLog, config.primeRequests, PRIME_MAX_MS, wrap));
      }
      const argv = h2loadArgv(load);
      const started = startH2load(argv, load.logPath, config.durationMs, wrap);
      h2load = started;
      progress(`h2load ${version} pid ${started.pid} waiting${placer.clientCpu === null ? "" : ` (CPU ${placer.clientCpu})`}; idle baseline`);
      await race(Promise.resolve(observer.beforeLoad?.({ serverPid: input.serverPid, generatorPid: started.pid })));
      progress("warm-up");
      const out = await race(
        started.run((phase, epochMs) => {
          observer.onPhase?.(phase, epochMs);
          progress(phase === "measure" ? "measuring" : "draining");
        }),
      );
      const inWindow = requestsInWindow(out.lines, out.window);
      const report = buildH2loadReport({
        inWindow,
        window: out.window,
        offeredRps: config.rps,
        maxInFlight: config.connections * h2loadStreamsPerConnection(load),
        cpu: out.cpu,
      });
      const kernel = await race(Promise.resolve(observer.afterLoad?.(report)));
      const summary = summaryOf(out.stdout);
      const driver: H2loadDriverRecord = {
        name: "h2load",
        version,
        argv,
        perConnectionRps: perConnectionRps(config.rps, config.connections),
        summary,
        startedBeforeWindow: out.lines.filter((l) => l.startUs < out.window.startEpochMs * 1000).length,
        notes: h2loadNotes(plan.protocol),
      };
      return { report, kernel, driver, primed };
    },
    async stop() {
      await h2load?.child.stop(2000);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
