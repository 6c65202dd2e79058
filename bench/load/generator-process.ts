/** The harness side of the generator child: config in, phases and reports out (see messages.ts). */
import { fileURLToPath } from "node:url";
import { describeExit, spawnTracked } from "../child-process.ts";
import type { Command, TrackedChild } from "../child-process.ts";
import type { LoadPlan } from "./generator.ts";
import { createLineReader } from "./messages.ts";
import type { FromGenerator, GeneratorConfig, ToGenerator } from "./messages.ts";
import type { GeneratorReport } from "./report.ts";

export const GENERATOR_ENTRY = fileURLToPath(new URL("./generator-main.ts", import.meta.url));

export type PhaseListener = (phase: "measure" | "drain", epochMs: number) => void;

export interface GeneratorProcess {
  readonly child: TrackedChild;
  /** Resolves with the generator's pid once its connections are open and warm. */
  readonly ready: Promise<number>;
  /**
   * Runs one load (warm-up, then the measured window) with `plan`, or the config's plan, on the same warm
   * connections; `onPhase` hears its window's edges. Resolves with its report; rejects if the generator dies.
   */
  run(plan?: LoadPlan, onPhase?: PhaseListener): Promise<GeneratorReport>;
  /** Asks the generator to close its connections and exit. */
  done(): void;
}

export function startGeneratorProcess(config: GeneratorConfig, wrap: (argv: string[]) => Command): GeneratorProcess {
  const child = spawnTracked("generator", wrap([process.execPath, GENERATOR_ENTRY]));
  let readyResolve: (pid: number) => void = () => {};
  let readyReject: (error: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => ((readyResolve = res), (readyReject = rej)));
  // Awaited later or never; a rejection must not surface as unhandled meanwhile.
  ready.catch(() => {});
  // Runs are sequential in the child, so their reports arrive in the order they were asked for.
  const pending: { resolve: (r: GeneratorReport) => void; reject: (e: Error) => void; onPhase: PhaseListener | undefined }[] = [];
  let deathReason: Error | undefined;
  let fatal: string | undefined;
  const read = createLineReader(
    (message) => {
      const m = message as FromGenerator;
      switch (m.type) {
        case "ready":
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
    run(plan, onPhase) {
      if (deathReason !== undefined) return Promise.reject(deathReason);
      const report = new Promise<GeneratorReport>((resolve, reject) => pending.push({ resolve, reject, onPhase }));
      report.catch(() => {});
      send(plan === undefined ? { type: "go" } : { type: "go", plan });
      return report;
    },
    done: () => send({ type: "done" }),
  };
}
