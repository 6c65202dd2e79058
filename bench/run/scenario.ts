/**
 * Runs one scenario: server child, generator child (or h2load, `--driver h2load`: bench/run/h2load-scenario.ts),
 * warm-up, measured window, report. Failures become an
 * `errored` scenario with the reason (a dying server or generator, a start-up timeout, the hard time limit);
 * an abort (signal) becomes `aborted`. Children are always stopped before it returns.
 */
import type { TlsSession } from "../load/tls-session.ts";
import type { BenchConfig } from "../config/config.ts";
import type { Command } from "../support/child-process.ts";
import { describeExit, withTimeout } from "../support/child-process.ts";
import { startSubjectServer, subjectFailure, subjectServerLabel } from "./subject-server.ts";
import { busyPct, withCpuEvidence } from "./cpu-limit.ts";
import type { UserServer } from "../config/user-servers.ts";
import type { ArmServer } from "./server-process.ts";
import { startGeneratorProcess } from "../load/generator-process.ts";
import type { GeneratorProcess } from "../load/generator-process.ts";
import { PRIME_MAX_MS } from "../load/prime.ts";
import type { PrimeOutcome } from "../load/prime.ts";
import type { GeneratorReport } from "../load/report.ts";
import type { LoadPlan } from "../load/generator.ts";
import { calibrate, CALIBRATION_ROUNDS } from "../load/pps.ts";
import type { Calibration } from "../load/pps.ts";
import type { KernelFigures } from "../results/kernel-figures.ts";
import { assertNever } from "../../contract/index.ts";
import type { ClientKind, Protocol, TlsMaterial, TlsParameters } from "../../contract/index.ts";
import type { H2loadDriverRecord } from "../load/h2load-report.ts";
import { driveWithH2load } from "./h2load-scenario.ts";
import type { H2loadDriving } from "./h2load-scenario.ts";
import type { Placement, PpsFigures, ScenarioResult } from "../results/schema.ts";

/** Where children run: a topology puts them in namespaces and on CPUs. */
export interface Placer {
  readonly kind: string;
  /** The address the client connects to. */
  readonly serverAddress: string;
  /** The address the server binds, when it differs (docker: the container's, behind the published port). */
  readonly serverListenAddress?: string;
  /** The namespace holding a bridge and its ports (bridge, docker), for the collector. */
  readonly bridge?: { readonly pid: number; readonly interfaces: readonly string[] } | null;
  readonly serverCpu: number | null;
  readonly clientCpu: number | null;
  command(role: "server" | "client", argv: string[]): Command;
  /** A pid inside the role's network namespace, for /proc/<pid>/net/* reads (not for loopback). */
  anchorPid?(role: "server" | "client"): number;
  /** The role's network namespace name; null on loopback. */
  namespace?(role: "server" | "client"): string | null;
}

/** Optional observers, called at the scenario's edges (the kernel collector hooks in here). */
export interface ScenarioObserver {
  /** Releases whatever the observer holds (open fds, timers); called however the scenario ends. */
  close?(): void;
  /** Both children are up and the connections warm; load has not started. */
  beforeLoad?(pids: { serverPid: number; generatorPid: number }): Promise<void>;
  onPhase?(phase: "measure" | "drain", epochMs: number): void;
  /** The server interface's packets so far (rx + tx), for --pps calibration; available after beforeLoad. */
  countServerPackets?(): number;
  /** The kernel figures a completed scenario carries. */
  afterLoad?(report: GeneratorReport): Promise<KernelFigures>;
}

export interface ScenarioPlan {
  readonly name: string;
  readonly protocol: Protocol;
  /** The client that drives the load (contract/client.ts `chosenClientKind`). */
  readonly client: ClientKind;
  readonly repeat: number;
  readonly config: BenchConfig;
  readonly tls?: TlsMaterial;
  /** With --pps: the packets per request the calibration's first guess assumes (a sweep passes the previous step's). */
  readonly ppsInitialPacketsPerRequest?: number;
  /** A user's own server as the subject (bench/run/user-server.ts), speaking `protocol`; absent: the arm's server. */
  readonly userServer?: UserServer;
}

/** Time allowed for start-up and shut-down around the load itself. */
const SCENARIO_MARGIN_MS = 60_000;

const PPS_CALIBRATION_WARMUP_MS = 300;
const PPS_CALIBRATION_WINDOW_MS = 1000;

/** `readyTimeoutMs`: how long a user server may take to listen (its entry's), beyond the margin every start has. */
export function scenarioTimeLimitMs(config: BenchConfig, readyTimeoutMs = 0): number {
  const calibrationMs = config.pps === null ? 0 : CALIBRATION_ROUNDS * (PPS_CALIBRATION_WARMUP_MS + PPS_CALIBRATION_WINDOW_MS + config.requestTimeoutMs);
  const primeMs = config.primeRequests > 0 ? PRIME_MAX_MS + config.requestTimeoutMs : 0;
  return config.warmupMs + config.durationMs + config.requestTimeoutMs + 1000 + calibrationMs + primeMs + readyTimeoutMs + SCENARIO_MARGIN_MS;
}

function ppsFigures(calibration: Calibration, kernel: KernelFigures | undefined): PpsFigures {
  const packets = kernel?.totals.packets ?? null;
  const windowMs = kernel?.collector.windowMs ?? 0;
  return {
    offeredPps: calibration.targetPps,
    initialPacketsPerRequest: calibration.initialPacketsPerRequest,
    calibration: calibration.rounds,
    requestRate: calibration.requestRate,
    measuredPps: packets === null || !(windowMs > 0) ? null : Math.round((packets * 1000 * 10) / windowMs) / 10,
  };
}

/** What `--tls-version`, `--tls-ciphers` and `--tls-groups` tell both ends of a TLS arm. */
function tlsParametersOf(config: BenchConfig): TlsParameters {
  return { version: config.tlsVersion, ciphers: config.tlsCiphers, groups: config.tlsGroups ?? null };
}

class ScenarioAbort extends Error {}

export async function runScenario(
  plan: ScenarioPlan,
  placer: Placer,
  signal: AbortSignal,
  observer: ScenarioObserver = {},
  progress: (line: string) => void = () => {},
): Promise<ScenarioResult> {
  const { config } = plan;
  const startedAt = new Date().toISOString();
  let offeredRps = config.rps;
  let server: ArmServer | undefined;
  let generator: GeneratorProcess | undefined;
  let h2load: H2loadDriving | undefined;
  let driver: H2loadDriverRecord | undefined;
  const placement = (): Placement => ({
    topology: placer.kind,
    serverCpu: placer.serverCpu,
    clientCpu: placer.clientCpu,
    serverPid: server?.pid ?? null,
    generatorPid: generator?.child.pid ?? h2load?.pid() ?? null,
    serverAddress: placer.serverAddress,
    serverPort: server?.port ?? null,
  });
  /** The server's start, kept so that one the scenario stopped waiting for is still stopped (finally, below). */
  let starting: Promise<ArmServer> | undefined;
  /** Aborted when the scenario gives up (Ctrl-C, its time limit, its end): a server still starting stops waiting. */
  const giveUp = new AbortController();
  const onOuterAbort = (): void => giveUp.abort(signal.reason);
  signal.addEventListener("abort", onOuterAbort, { once: true });
  let primed: PrimeOutcome | null = null;
  /** How far it got, for a user server's failure (subject-server.ts `subjectFailure`). */
  let loadStarted = false;
  let baselineStarted = false;
  let session: TlsSession | null = null;
  const common = () => ({
    name: plan.name,
    protocol: plan.protocol,
    ...(plan.userServer === undefined ? {} : { subject: plan.userServer.name }),
    client: plan.client,
    repeat: plan.repeat,
    startedAt,
    offeredRps,
    connections: config.connections,
    streams: config.streams,
    requestBytes: config.requestBytes,
    responseBytes: config.responseBytes,
    serverSettings: config.server,
    ...(server?.foreign == null ? {} : { foreignServer: server.foreign }),
    placement: placement(),
    ...(primed === null ? {} : { prime: primed }),
    ...(session === null ? {} : { tls: session }),
  });

  const aborted = new Promise<never>((_, reject) => {
    const onAbort = (): void => reject(new ScenarioAbort(String(signal.reason ?? "aborted")));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});

  const work = async (): Promise<{ report: GeneratorReport; kernel: KernelFigures | undefined; pps: PpsFigures | undefined }> => {
    starting = startSubjectServer({
      protocol: plan.protocol,
      userServer: plan.userServer,
      config,
      tls: plan.tls,
      tlsParameters: tlsParametersOf(config),
      host: placer.serverListenAddress ?? placer.serverAddress,
      wrap: (argv) => placer.command("server", argv),
      signal: giveUp.signal,
    });
    server = await Promise.race([starting, aborted]);
    const s = server;
    progress(`server pid ${s.pid} listening on ${placer.serverAddress}:${s.port}${placer.serverCpu === null ? "" : ` (CPU ${placer.serverCpu})`}`);
    const serverDied = s.child.exited.then((exit) => {
      throw new Error(describeExit(subjectServerLabel(plan.protocol, plan.userServer), exit, s.child.stderrTail()));
    });
    serverDied.catch(() => {});
    switch (config.driver) {
      case "h2load": {
        const race = <T>(step: Promise<T>): Promise<T> => Promise.race([step, serverDied, aborted]);
        h2load = driveWithH2load({ plan, placer, serverPid: s.pid, serverPort: s.port, observer, progress, race });
        const driven = await h2load.run();
        primed = driven.primed;
        driver = driven.driver;
        return { report: driven.report, kernel: driven.kernel, pps: undefined };
      }
      case "node":
        break;
      default:
        return assertNever(config.driver);
    }
    generator = startGeneratorProcess(
      {
        client: {
          protocol: plan.protocol,
          host: placer.serverAddress,
          port: s.port,
          connections: config.connections,
          streams: config.streams,
          requestBytes: config.requestBytes,
          responseBytes: config.responseBytes,
          requestTimeoutMs: config.requestTimeoutMs,
          ...(plan.tls === undefined ? {} : { caPem: plan.tls.certPem, tlsParameters: tlsParametersOf(config) }),
          ...(plan.userServer === undefined ? {} : { exchange: plan.userServer.exchange }),
        },
        clientKind: plan.client,
        pacing: config.pacing,
        ...(config.primeRequests > 0 ? { prime: { requests: config.primeRequests, maxMs: PRIME_MAX_MS } } : {}),
        plan: {
          rps: offeredRps,
          warmupMs: config.warmupMs,
          durationMs: config.durationMs,
          maxInFlight: config.maxInFlight,
          drainTimeoutMs: config.requestTimeoutMs + 1000,
        },
      },
      (argv) => placer.command("client", argv),
    );
    if (config.primeRequests > 0) progress(`priming with ${config.primeRequests} closed-loop requests`);
    const generatorPid = await Promise.race([generator.ready, serverDied, aborted]);
    primed = generator.primed();
    session = generator.tlsSession();
    progress(`generator pid ${generatorPid} connected${placer.clientCpu === null ? "" : ` (CPU ${placer.clientCpu})`}; idle baseline`);
    baselineStarted = true;
    await Promise.race([observer.beforeLoad?.({ serverPid: s.pid, generatorPid }), serverDied, aborted]);
    const gen = generator;
    const loadPlan = (rps: number, warmupMs: number, durationMs: number): LoadPlan => ({
      rps,
      warmupMs,
      durationMs,
      maxInFlight: config.maxInFlight,
      drainTimeoutMs: config.requestTimeoutMs + 1000,
    });
    let calibration: Calibration | undefined;
    // Calibration is load already.
    loadStarted = true;
    if (config.pps !== null) {
      const count = observer.countServerPackets;
      if (count === undefined) throw new Error("--pps needs the collector to count the server's packets");
      calibration = await Promise.race([
        calibrate(config.pps, async (rps) => {
          progress(`--pps calibration at ${rps} req/s`);
          let atStart = 0;
          let atEnd = 0;
          const r = await gen.run(loadPlan(rps, PPS_CALIBRATION_WARMUP_MS, PPS_CALIBRATION_WINDOW_MS), (phase) => {
            if (phase === "measure") atStart = count();
            else atEnd = count();
          });
          return { packets: atEnd - atStart, requests: r.completedInWindow, achievedRps: r.achievedRps };
        }, CALIBRATION_ROUNDS, plan.ppsInitialPacketsPerRequest),
        serverDied,
        aborted,
      ]);
      offeredRps = calibration.requestRate;
    }
    progress("warm-up");
    const main = gen.run(loadPlan(offeredRps, config.warmupMs, config.durationMs), (phase, epochMs) => {
      observer.onPhase?.(phase, epochMs);
      progress(phase === "measure" ? "measuring" : "draining");
    });
    const report = await Promise.race([main, serverDied, aborted]);
    gen.done();
    const kernel = await Promise.race([observer.afterLoad?.(report), serverDied, aborted]);
    return { report, kernel, pps: calibration === undefined ? undefined : ppsFigures(calibration, kernel) };
  };

  try {
    const limitMs = scenarioTimeLimitMs(config, plan.userServer?.readyTimeoutMs ?? 0);
    const { report, kernel, pps } = await withTimeout(work(), limitMs, `scenario exceeded its hard time limit of ${Math.round(limitMs / 1000)} s`);
    const { offeredRps: _offered, tlsHandshakes, ...rest } = report;
    // Set inside work(), which TypeScript's narrowing does not follow.
    const negotiated = session as TlsSession | null;
    const tls = negotiated !== null && tlsHandshakes !== undefined ? { tls: { ...negotiated, handshakes: tlsHandshakes } } : {};
    // The generator judged itself by its sends; the window's CPU figures can say its own CPU was the limit.
    const generator = withCpuEvidence(rest.generator, busyPct(kernel, kernel?.cpus.server ?? null), busyPct(kernel, kernel?.cpus.client ?? null));
    return { ...common(), ...tls, ...rest, generator, ...kernel, ...(pps === undefined ? {} : { pps }), ...(driver === undefined ? {} : { driver }), state: "completed" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ScenarioAbort) return { ...common(), state: "aborted", error: `interrupted: ${message}` };
    return { ...common(), state: "errored", ...subjectFailure(message, plan.userServer, { baselineStarted, loadStarted }) };
  } finally {
    observer.close?.();
    signal.removeEventListener("abort", onOuterAbort);
    giveUp.abort("the scenario ended");
    // A start the scenario stopped waiting for: it ends promptly now (giveUp), and what it started is stopped.
    const late = server === undefined && starting !== undefined ? starting.then((s) => s.stop(1000), () => undefined) : undefined;
    await Promise.all([generator?.child.stop(2000), h2load?.stop(), server?.stop(5000), late]);
  }
}
