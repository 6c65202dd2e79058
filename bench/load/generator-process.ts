/** The harness side of the generator child: config in, phases and the report out (see messages.ts). */
import { fileURLToPath } from "node:url";
import { describeExit, spawnTracked } from "../child-process.ts";
import type { Command, TrackedChild } from "../child-process.ts";
import { createLineReader } from "./messages.ts";
import type { FromGenerator, GeneratorConfig, ToGenerator } from "./messages.ts";
import type { GeneratorReport } from "./report.ts";

export const GENERATOR_ENTRY = fileURLToPath(new URL("./generator-main.ts", import.meta.url));

export interface GeneratorProcess {
  readonly child: TrackedChild;
  /** Resolves with the generator's pid once its connections are open and warm. */
  readonly ready: Promise<number>;
  /** Starts the load (warm-up, then the measured window). */
  go(): void;
  /** The report, or a rejection naming why the generator failed or died. */
  readonly report: Promise<GeneratorReport>;
}

export function startGeneratorProcess(
  config: GeneratorConfig,
  wrap: (argv: string[]) => Command,
  onPhase: (phase: "measure" | "drain", epochMs: number) => void,
): GeneratorProcess {
  const child = spawnTracked("generator", wrap([process.execPath, GENERATOR_ENTRY]));
  let readyResolve: (pid: number) => void = () => {};
  let readyReject: (error: Error) => void = () => {};
  let reportResolve: (report: GeneratorReport) => void = () => {};
  let reportReject: (error: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => ((readyResolve = res), (readyReject = rej)));
  const report = new Promise<GeneratorReport>((res, rej) => ((reportResolve = res), (reportReject = rej)));
  // Both are awaited later or never; a rejection must not surface as unhandled meanwhile.
  ready.catch(() => {});
  report.catch(() => {});
  let fatal: string | undefined;
  const read = createLineReader(
    (message) => {
      const m = message as FromGenerator;
      switch (m.type) {
        case "ready":
          readyResolve(m.pid);
          break;
        case "phase":
          onPhase(m.phase, m.epochMs);
          break;
        case "result":
          reportResolve(m.report);
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
    const why = new Error(fatal !== undefined ? `generator failed: ${fatal}` : describeExit("generator", exit, child.stderrTail()));
    readyReject(why);
    reportReject(why);
  });
  const send = (message: ToGenerator): void => {
    child.process.stdin?.write(`${JSON.stringify(message)}\n`);
  };
  send({ type: "config", config });
  return { child, ready, go: () => send({ type: "go" }), report };
}
