/**
 * The generator child process: reads its config from stdin, opens and warms the client's connections, says
 * "ready", waits for "go", runs the open-loop load and writes its report to stdout. Run as
 * `process.execPath bench/load/generator-main.ts`, usually wrapped in `ip netns exec … taskset -c N`.
 */
import { performance } from "node:perf_hooks";
import { createClient } from "../../clients/index.ts";
import type { BenchClient } from "../protocol.ts";
import { runLoad } from "./generator.ts";
import type { LoadClock } from "./generator.ts";
import { createLineReader } from "./messages.ts";
import type { FromGenerator, GeneratorConfig, ToGenerator } from "./messages.ts";
import { buildGeneratorReport } from "./report.ts";

function emit(message: FromGenerator): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

const realClock: LoadClock = {
  now: () => performance.now(),
  setTimeout: (fn, delayMs) => {
    setTimeout(fn, delayMs);
  },
};

async function run(config: GeneratorConfig, go: Promise<void>): Promise<void> {
  let client: BenchClient | undefined;
  const stop = async (code: number): Promise<never> => {
    await client?.close().catch(() => {});
    process.exit(code);
  };
  process.once("SIGTERM", () => void stop(143));
  process.once("SIGINT", () => void stop(130));
  const c = await createClient(config.client);
  client = c;
  await c.warmUp();
  emit({ type: "ready", pid: process.pid });
  await go;
  let cpuAtStart = process.cpuUsage();
  let cpuAtEnd = cpuAtStart;
  const outcome = await runLoad(c, config.plan, realClock, {
    onPhase(phase, nominalMs) {
      if (phase === "measure") cpuAtStart = process.cpuUsage();
      else cpuAtEnd = process.cpuUsage(cpuAtStart);
      emit({ type: "phase", phase, epochMs: performance.timeOrigin + nominalMs });
    },
  });
  const report = buildGeneratorReport({
    outcome,
    offeredRps: config.plan.rps,
    maxInFlight: config.plan.maxInFlight,
    cpu: { userUs: cpuAtEnd.user, sysUs: cpuAtEnd.system },
    timeOriginMs: performance.timeOrigin,
  });
  emit({ type: "result", report });
  await c.close();
}

function main(): void {
  let config: GeneratorConfig | undefined;
  let started = false;
  let releaseGo: () => void = () => {};
  const go = new Promise<void>((resolve) => (releaseGo = resolve));
  const read = createLineReader(
    (message) => {
      const m = message as ToGenerator;
      if (m.type === "config" && !started) {
        started = true;
        config = m.config;
        run(config, go).then(
          () => process.exit(0),
          (error: unknown) => {
            emit({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
            process.exit(1);
          },
        );
      } else if (m.type === "go") {
        releaseGo();
      }
    },
    (line) => emit({ type: "fatal", message: `unreadable control line: ${line.slice(0, 200)}` }),
  );
  process.stdin.on("data", read);
  // The harness going away closes stdin: a generator must never outlive it.
  process.stdin.on("end", () => process.exit(1));
}

if (import.meta.main) main();
