/** The harness side of the generator child: config in, phases and reports out (see messages.ts). */
import { fileURLToPath } from "node:url";
import { describeExit, spawnTracked } from "../support/child-process.ts";
import type { Command, TrackedChild } from "../support/child-process.ts";
import type { LoadPlan } from "./generator.ts";
import { createLineReader } from "./messages.ts";
import type { FromGenerator, GeneratorConfig, ToGenerator } from "./messages.ts";
import type { PrimeOutcome } from "./prime.ts";
import type { GeneratorReport } from "./report.ts";
import type { TlsSession } from "./tls-session.ts";

export const GENERATOR_ENTRY = fileURLToPath(new URL("./generator-main.ts", import.meta.url));

/**
 * V8 flags for the generator child, so that GC pauses do not make its sends late.
 *
 * Node keeps every closed http2 stream and net.Socket reachable from old space until the next full GC (see
 * clients/grpc/release-closed-streams.ts), so part of each request's objects survives scavenges however the clients
 * hold them. With V8's defaults the young generation then grows to 32 MB and every scavenge copies megabytes: 5–30 ms
 * pauses, growing over a run. Measured in-process at 1000 req/s, connections 4, streams 100 (medians of 3):
 * - `--max-semi-space-size=1` caps the young generation at 1 MB, so one scavenge copies what ~1 MB of allocation left
 *   alive: 0.4–0.8 ms instead of up to 30 ms.
 * - `--single-threaded-gc`: the generator is pinned to one CPU, where V8's parallel and concurrent GC threads only
 *   take turns with the main thread and make its pauses longer (grpc lateness p99 5.6 → 3.4 ms with 1 MB semi-spaces).
 * - `--initial-old-space-size=128` lets the promoted garbage reach 128 MB before the first full GC, instead of a
 *   4–10 ms mark-compact pause every 1–2 s; the later ones pause 13–24 ms at 2000 grpc calls/s (at 512 MB: 37–53 ms).
 */
export const GENERATOR_NODE_FLAGS: readonly string[] = [
  "--max-semi-space-size=1",
  "--single-threaded-gc",
  "--initial-old-space-size=128",
];

export type PhaseListener = (phase: "measure" | "drain", epochMs: number) => void;

export interface GeneratorProcess {
  readonly child: TrackedChild;
  /** Resolves with the generator's pid once its connections are open and warm (and primed, if asked). */
  readonly ready: Promise<number>;
  /** What priming did, once `ready` resolved; null when the config asked for none. */
  primed(): PrimeOutcome | null;
  /** What a TLS arm's server negotiated (bench/load/tls-session.ts), once `ready` resolved; null for cleartext. */
  tlsSession(): TlsSession | null;
  /**
   * Runs one load (warm-up, then the measured window) with `plan`, or the config's plan, on the same warm
   * connections; `onPhase` hears its window's edges. Resolves with its report; rejects if the generator dies.
   */
  run(plan?: LoadPlan, onPhase?: PhaseListener, startHostMs?: number): Promise<GeneratorReport>;
  /** Asks the generator to close its connections and exit. */
  done(): void;
}

export function startGeneratorProcess(config: GeneratorConfig, wrap: (argv: string[]) => Command): GeneratorProcess {
  const child = spawnTracked("generator", wrap([process.execPath, ...GENERATOR_NODE_FLAGS, GENERATOR_ENTRY]));
  let readyResolve: (pid: number) => void = () => {};
  let readyReject: (error: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => ((readyResolve = res), (readyReject = rej)));
  // Awaited later or never; a rejection must not surface as unhandled meanwhile.
  ready.catch(() => {});
  // Runs are sequential in the child, so their reports arrive in the order they were asked for.
  const pending: { resolve: (r: GeneratorReport) => void; reject: (e: Error) => void; onPhase: PhaseListener | undefined }[] = [];
  let primeOutcome: PrimeOutcome | null = null;
  let session: TlsSession | null = null;
  let deathReason: Error | undefined;
  let fatal: string | undefined;
  const read = createLineReader(
    (message) => {
      const m = message as FromGenerator;
      switch (m.type) {
        case "ready":
          primeOutcome = m.prime ?? null;
          session = m.tls ?? null;
          readyResolve(m.pid);
          break;
        case "phase":
          pending[0]?.onPhase?.(m.phase, m.epochMs);
          break;
        case "result":
          pending.shift()?.resolve(m.report);
          break;
        case "fatal":
          fatal = m.message;
          break;
      }
    },
    (line) => (fatal ??= `unreadable output: ${line.slice(0, 200)}`),
  );
  child.process.stdout?.on("data", read);
  void child.exited.then((exit) => {
    deathReason = new Error(fatal !== undefined ? `generator failed: ${fatal}` : describeExit("generator", exit, child.stderrTail()));
    readyReject(deathReason);
    for (const p of pending.splice(0)) p.reject(deathReason);
  });
  const send = (message: ToGenerator): void => {
    child.process.stdin?.write(`${JSON.stringify(message)}\n`);
  };
  send({ type: "config", config });
  return {
    child,
    ready,
    primed: () => primeOutcome,
    tlsSession: () => session,
    run(plan, onPhase, startHostMs) {
      if (deathReason !== undefined) return Promise.reject(deathReason);
      const report = new Promise<GeneratorReport>((resolve, reject) => pending.push({ resolve, reject, onPhase }));
      report.catch(() => {});
      send({ type: "go", ...(plan === undefined ? {} : { plan }), ...(startHostMs === undefined ? {} : { startHostMs }) });
      return report;
    },
    done: () => send({ type: "done" }),
  };
}
