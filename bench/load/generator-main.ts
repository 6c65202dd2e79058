/**
 * The generator child process: reads its config from stdin, opens and warms the client's connections, says
 * "ready", then runs one open-loop load per "go" (each may carry its own plan: --pps calibrates with short runs
 * before the measured one) and writes each report to stdout, until "done". Before each load it paces idle for a
 * moment at the load's rate, to measure the pacing floor the load's send lateness is judged against. Run as
 * `process.execPath bench/load/generator-main.ts`, usually wrapped in `ip netns exec … taskset -c N`.
 */
import { performance } from "node:perf_hooks";
import { createClientOfKind } from "../../clients/index.ts";
import type { BenchClient } from "../../contract/index.ts";
import { runLoad } from "./generator.ts";
import type { LoadPlan } from "./generator.ts";
import { createLineReader } from "./messages.ts";
import type { FromGenerator, GeneratorConfig, ToGenerator } from "./messages.ts";
import { createPacer, DEFAULT_PACING, EVENT_LOOP_CLOCK } from "./pacer.ts";
import type { Pacer } from "./pacer.ts";
import { measurePacingLateness, PACING_FLOOR_MS, pacingFloorOf } from "./pacing-floor.ts";
import { primeClient } from "./prime.ts";
import { probeTlsSession } from "./tls-session.ts";
import { createHandshakeWindow } from "./handshake-window.ts";
import { usesTls } from "../../contract/index.ts";
import type { PrimeOutcome } from "./prime.ts";
import { buildGeneratorReport } from "./report.ts";
import { hostToLoadClock } from "./schedule.ts";
import { hostClockMs } from "../support/host-clock.ts";

function emit(message: FromGenerator): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function runOnce(client: BenchClient, pacer: Pacer, given: LoadPlan, startHostMs: number | undefined): Promise<void> {
  const plan = startHostMs === undefined ? given : { ...given, startAtMs: hostToLoadClock(startHostMs, hostClockMs(), performance.now()) };
  await pacer.ready;
  const cpuBeforeFloor = process.cpuUsage();
  const idle = await measurePacingLateness(pacer, EVENT_LOOP_CLOCK, plan.rps, PACING_FLOOR_MS);
  const floorCpu = process.cpuUsage(cpuBeforeFloor);
  const floor = pacingFloorOf(idle, floorCpu.user + floorCpu.system);
  let cpuAtStart = process.cpuUsage();
  let cpuAtEnd = cpuAtStart;
  // The window's TLS handshakes, counted as its answers are: on https1-close there is one per request.
  const handshakes = createHandshakeWindow(EVENT_LOOP_CLOCK.now() + plan.warmupMs, plan.durationMs);
  client.onTlsHandshake?.((resumed) => handshakes.record(EVENT_LOOP_CLOCK.now(), resumed));
  const outcome = await runLoad(client, plan, EVENT_LOOP_CLOCK, pacer, {
    onPhase(phase, nominalMs) {
      if (phase === "measure") {
        cpuAtStart = process.cpuUsage();
        handshakes.open(nominalMs);
      } else {
        cpuAtEnd = process.cpuUsage(cpuAtStart);
      }
      emit({ type: "phase", phase, epochMs: performance.timeOrigin + nominalMs });
    },
  });
  const report = buildGeneratorReport({
    outcome,
    offeredRps: plan.rps,
    maxInFlight: plan.maxInFlight,
    cpu: { userUs: cpuAtEnd.user, sysUs: cpuAtEnd.system },
    timeOriginMs: performance.timeOrigin,
    pacing: { strategy: pacer.strategy, floorUs: floor },
  });
  client.onTlsHandshake?.(null);
  emit({ type: "result", report: client.onTlsHandshake === undefined ? report : { ...report, tlsHandshakes: handshakes.counts() } });
}

function main(): void {
  let client: BenchClient | undefined;
  let pacer: Pacer | undefined;
  let config: GeneratorConfig | undefined;
  // Runs go one after another, in the order their "go" arrived.
  let queue: Promise<void> = Promise.resolve();
  const fail = (error: unknown): never => {
    emit({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  };
  const stop = async (code: number): Promise<never> => {
    pacer?.close();
    await client?.close().catch(() => {});
    process.exit(code);
  };
  process.once("SIGTERM", () => void stop(143));
  process.once("SIGINT", () => void stop(130));
  const read = createLineReader(
    (message) => {
      const m = message as ToGenerator;
      if (m.type === "config" && config === undefined) {
        const c = m.config;
        config = c;
        pacer = createPacer(c.pacing ?? DEFAULT_PACING, EVENT_LOOP_CLOCK);
        queue = queue.then(async () => {
          // A TLS arm: what the server negotiates, from a connection of the generator's own before the client's.
          const opts = c.client;
          const session =
            usesTls(opts.protocol) && opts.caPem !== undefined
              ? await probeTlsSession(opts.protocol, opts.host, opts.port, opts.caPem, opts.tlsParameters)
              : undefined;
          const created = await createClientOfKind(c.clientKind, c.client);
          client = created;
          await created.warmUp();
          let prime: PrimeOutcome | undefined;
          if (c.prime !== undefined && c.prime.requests > 0) {
            const options = { requests: c.prime.requests, concurrency: c.client.connections, maxMs: c.prime.maxMs };
            prime = await primeClient(created, options, () => performance.now());
          }
          emit({ type: "ready", pid: process.pid, ...(prime === undefined ? {} : { prime }), ...(session === undefined ? {} : { tls: session }) });
        });
      } else if (m.type === "go" && config !== undefined) {
        const plan = m.plan ?? config.plan;
        queue = queue.then(() => runOnce(client as BenchClient, pacer as Pacer, plan, m.startHostMs));
      } else if (m.type === "done") {
        queue = queue.then(() => stop(0));
      }
      queue = queue.catch(fail);
    },
    (line) => emit({ type: "fatal", message: `unreadable control line: ${line.slice(0, 200)}` }),
  );
  process.stdin.on("data", read);
  // The harness going away closes stdin: a generator must never outlive it.
  process.stdin.on("end", () => void stop(1));
}

if (import.meta.main) main();
