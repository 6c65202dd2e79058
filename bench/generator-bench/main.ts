/**
 * `npm run bench:generator`: what the load generator itself costs. For each arm (options.ts `BENCH_ARMS`) it starts
 * one server, and at each offered rate runs every row of the arm — our generator with the wire client and with each
 * library client of the arm's row in contract/arms.ts, and Debian's h2load — on one pinned CPU, the rows taking turns
 * within each repeat so drift hits them alike. It prints CPU µs per request of each (median and range over
 * --repeat runs), the ratio to h2load's, one core's capacity and whether our generator kept its schedule, then
 * issue 10's targets (targets.ts). A benchmark, not a test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { startServerProcess } from "../run/server-process.ts";
import { hasCommand } from "../support/tools.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { GENERATOR_HELP, generatorBenchOptions } from "./options.ts";
import type { BenchRow, GeneratorBenchOptions, RowKind } from "./options.ts";
import { pin, runH2load, runOurs } from "./runs.ts";
import type { RunSpec } from "./runs.ts";
import { TABLE_HEADER, tableLine } from "./summary.ts";
import type { RowSamples, Sample } from "./summary.ts";
import { targetLines } from "./targets.ts";

export { GENERATOR_HELP, generatorBenchOptions } from "./options.ts";

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "bench:generator", async () => {
    const args = parseToolArgs(argv, { tool: "bench:generator", strings: ["rates", "duration", "repeat", "protocols", "clients", "connections", "pacing"], positionals: [] });
    if (args.help) {
      io.stdout.write(GENERATOR_HELP);
      return 0;
    }
    return runGeneratorBench(generatorBenchOptions(args.values), io);
  });
}

async function runOnce(kind: RowKind, spec: RunSpec, dir: string): Promise<Sample | null> {
  return kind === "h2load" ? runH2load(spec, dir) : runOurs(kind, spec);
}

/** Every row of one arm at every rate, against one server on the last CPU. */
async function benchArm(protocol: Protocol, kinds: readonly RowKind[], o: GeneratorBenchOptions, dir: string, io: ToolIo, all: RowSamples[]): Promise<void> {
  const server = await startServerProcess(
    { protocol, host: "127.0.0.1", port: 0, requestBytes: 128, responseBytes: 1024, settings: DEFAULT_SERVER_SETTINGS },
    (argv) => pin(availableParallelism() - 1, argv),
  );
  try {
    for (const rps of o.rates) {
      const samples = new Map<RowKind, Sample[]>(kinds.map((k) => [k, []]));
      const spec: RunSpec = { protocol, port: server.port, rps, durationMs: o.durationMs, connections: o.connections, pacing: o.pacing, cpu: 0 };
      for (let i = 0; i < o.repeat; i++) {
        for (const kind of kinds) {
          const sample = await runOnce(kind, spec, dir);
          for (const reason of sample?.offScheduleReasons ?? []) io.stderr.write(`${protocol} ${kind} at ${rps} req/s, run ${i + 1}: off schedule: ${reason}\n`);
          if (sample !== null) samples.get(kind)?.push(sample);
          else io.stderr.write(`${protocol} ${kind} at ${rps} req/s: h2load failed (its output: ${join(dir, "h2load.out")})\n`);
        }
      }
      const rows = kinds.map((kind) => ({ protocol, kind, rps, samples: samples.get(kind) ?? [] }));
      all.push(...rows);
      for (const row of rows) io.stderr.write(`${tableLine(all, row)}\n`);
    }
  } finally {
    await server.child.stop();
  }
}

async function runGeneratorBench(o: GeneratorBenchOptions, io: ToolIo): Promise<number> {
  const withH2load = hasCommand("h2load");
  if (!withH2load) io.stderr.write("h2load not found (Debian package nghttp2-client): printing our figures only\n");
  const rows: readonly BenchRow[] = o.rows.filter((r) => r.kind !== "h2load" || withH2load);
  const dir = mkdtempSync(join(tmpdir(), "wirecost-genbench-"));
  const all: RowSamples[] = [];
  try {
    for (const protocol of [...new Set(rows.map((r) => r.protocol))]) {
      await benchArm(protocol, rows.filter((r) => r.protocol === protocol).map((r) => r.kind), o, dir, io, all);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const table = [...TABLE_HEADER, ...all.map((row) => tableLine(all, row))];
  io.stdout.write(`our generator: --pacing ${o.pacing}, ${o.connections} connections\n\n${table.join("\n")}\n\n${targetLines(all).join("\n")}\n`);
  return 0;
}
