/**
 * Runs one scenario: server child, generator child, warm-up, measured window, report. Failures become an
 * `errored` scenario with the reason (a dying server or generator, a start-up timeout, the hard time limit);
 * an abort (signal) becomes `aborted`. Children are always stopped before it returns.
 */
import type { BenchConfig } from "./config.ts";
import type { Command } from "./child-process.ts";
import { describeExit, withTimeout } from "./child-process.ts";
import { startServerProcess } from "./server-process.ts";
import type { ServerProcess } from "./server-process.ts";
import { startGeneratorProcess } from "./load/generator-process.ts";
import type { GeneratorProcess } from "./load/generator-process.ts";
import type { GeneratorReport } from "./load/report.ts";
import type { Protocol, TlsMaterial } from "./protocol.ts";
import type { Placement, ScenarioResult } from "./result.ts";

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
  /** Adds fields to a completed scenario. */
  afterLoad?(report: GeneratorReport): Promise<Record<string, unknown>>;
}

export interface ScenarioPlan {
  readonly name: string;
  readonly protocol: Protocol;
  readonly repeat: number;
  readonly config: BenchConfig;
  readonly tls?: TlsMaterial;
}

/** Time allowed for start-up and shut-down around the load itself. */
const SCENARIO_MARGIN_MS = 60_000;

export function scenarioTimeLimitMs(config: BenchConfig): number {
  return config.warmupMs + config.durationMs + config.requestTimeoutMs + 1000 + SCENARIO_MARGIN_MS;
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
  let server: ServerProcess | undefined;
  let generator: GeneratorProcess | undefined;
  const placement = (): Placement => ({
    topology: placer.kind,
    serverCpu: placer.serverCpu,
    clientCpu: placer.clientCpu,
    serverPid: server?.pid ?? null,
    generatorPid: generator?.child.pid ?? null,
    serverAddress: placer.serverAddress,
    serverPort: server?.port ?? null,
  });
  const common = () => ({
    name: plan.name,
    protocol: plan.protocol,
    repeat: plan.repeat,
    startedAt,
    offeredRps: config.rps,
    connections: config.connections,
    streams: config.streams,
    requestBytes: config.requestBytes,
    responseBytes: config.responseBytes,
    serverSettings: config.server,
    placement: placement(),
  });

  const aborted = new Promise<never>((_, reject) => {
    const onAbort = (): void => reject(new ScenarioAbort(String(signal.reason ?? "aborted")));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});

  const work = async (): Promise<{ report: GeneratorReport; extra: Record<string, unknown> }> => {
    server = await Promise.race([
      startServerProcess(
        {
          protocol: plan.protocol,
          host: placer.serverListenAddress ?? placer.serverAddress,
          port: config.port,
          requestBytes: config.requestBytes,
          responseBytes: config.responseBytes,
          settings: config.server,
          ...(plan.tls === undefined ? {} : { tls: plan.tls }),
        },
        (argv) => placer.command("server", argv),
      ),
      aborted,
    ]);
    const s = server;
    progress(`server pid ${s.pid} listening on ${placer.serverAddress}:${s.port}${placer.serverCpu === null ? "" : ` (CPU ${placer.serverCpu})`}`);
    const serverDied = s.child.exited.then((exit) => {
      throw new Error(describeExit(`${plan.protocol} server`, exit, s.child.stderrTail()));
    });
    serverDied.catch(() => {});
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
          ...(plan.tls === undefined ? {} : { caPem: plan.tls.certPem }),
        },
        plan: {
          rps: config.rps,
          warmupMs: config.warmupMs,
          durationMs: config.durationMs,
          maxInFlight: config.maxInFlight,
          drainTimeoutMs: config.requestTimeoutMs + 1000,
        },
      },
      (argv) => placer.command("client", argv),
      (phase, epochMs) => {
        observer.onPhase?.(phase, epochMs);
        progress(phase === "measure" ? "measuring" : "draining");
      },
    );
    const generatorPid = await Promise.race([generator.ready, serverDied, aborted]);
    progress(`generator pid ${generatorPid} connected${placer.clientCpu === null ? "" : ` (CPU ${placer.clientCpu})`}; idle baseline`);
    await Promise.race([observer.beforeLoad?.({ serverPid: s.pid, generatorPid }), serverDied, aborted]);
    progress("warm-up");
    generator.go();
    const report = await Promise.race([generator.report, serverDied, aborted]);
    const extra = (await Promise.race([observer.afterLoad?.(report), serverDied, aborted])) ?? {};
    return { report, extra };
  };

  try {
    const limitMs = scenarioTimeLimitMs(config);
    const { report, extra } = await withTimeout(work(), limitMs, `scenario exceeded its hard time limit of ${Math.round(limitMs / 1000)} s`);
    const { offeredRps: _offered, ...rest } = report;
    return { ...common(), ...rest, ...extra, state: "completed" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ScenarioAbort) return { ...common(), state: "aborted", error: `interrupted: ${message}` };
    return { ...common(), state: "errored", error: message };
  } finally {
    observer.close?.();
    await Promise.all([generator?.child.stop(2000), server?.child.stop(5000)]);
  }
}
