/**
 * `npm run bench:generator`: what the load generator itself costs. For each client (http1, h2c, grpc and grpc-stream
 * through grpc-js, and both again through the lean node:http2 gRPC client, rows `grpc-lean` and `grpc-stream-lean`) and each
 * offered rate it runs our generator, then Debian's h2load at the same rate against the same server, and prints
 * CPU µs per request of each and their ratio, plus the highest rate our generator held cleanly (achieved ≥ 99%,
 * lateness p99 ≤ 2 ms) on its one pinned core. A benchmark, not a test: medians of --repeat runs.
 *
 * Our generator warms up for 20,000 requests (at least 1 s) before its window, so that V8 has compiled the
 * client's request path by then (bench/load/jit-warmup.ts says what compiling inside the window cost).
 *
 * h2load's CPU comes from bash's `times` (children's user + sys), so it includes its start-up; a run long enough
 * (--duration, default 5 s) makes that negligible.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { encodePayload, makeBody, UNARY_PATH } from "../../proto/codec.ts";
import { armOf, ARMS, clientKindFor, DEFAULT_SERVER_SETTINGS, familyOf, GRPC_CLIENTS } from "../../contract/index.ts";
import type { ClientKind, GrpcClientChoice, Protocol } from "../../contract/index.ts";
import { startServerProcess } from "../run/server-process.ts";
import { startGeneratorProcess } from "../load/generator-process.ts";
import { jitWarmupMs } from "../load/jit-warmup.ts";
import { parseDurationMs } from "../support/duration.ts";
import { hasCommand } from "../support/tools.ts";
import { UsageError } from "../support/errors.ts";
import { parseToolArgs, positiveNumber, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";

/** One row per client: an arm, and for the gRPC arms which client speaks it. */
interface ClientRow {
  readonly name: string;
  readonly protocol: Protocol;
  readonly grpcClient: GrpcClientChoice;
}

function grpcClientOf(kind: ClientKind): GrpcClientChoice {
  return GRPC_CLIENTS.find((choice) => choice === kind) ?? "grpc-js";
}

/**
 * Every cleartext keep-alive arm with each client its row lists, named after the arm (`grpc`) or, for a client
 * other than the default, the arm and the client (`grpc-lean`). TLS arms would need the run's certificates, and a
 * connection per request measures connection set-up rather than the generator.
 */
const CLIENTS: readonly ClientRow[] = ARMS.filter((arm) => !arm.tls && arm.connection === "keep-alive").flatMap((arm) =>
  arm.clients.map((kind: ClientKind, i) => ({ name: i === 0 ? arm.name : `${arm.name}-${kind}`, protocol: arm.name, grpcClient: grpcClientOf(kind) })),
);

interface Sample {
  readonly cpuUsPerRequest: number;
  readonly achievedRps: number;
  readonly clean: boolean;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** "median (min–max)" of a few runs, so a reader sees the spread beside the median. */
function spread(xs: readonly number[]): string {
  return xs.length < 2 ? median(xs).toFixed(1) : `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
}

function pin(cpu: number, argv: string[]) {
  return { file: "taskset", args: ["-c", String(cpu), ...argv] };
}

async function ours(row: ClientRow, port: number, rps: number, durationMs: number, connections: number, cpu: number): Promise<Sample> {
  const { protocol, grpcClient } = row;
  const gen = startGeneratorProcess(
    {
      client: { protocol, host: "127.0.0.1", port, connections, streams: 100, requestBytes: 128, responseBytes: 1024, requestTimeoutMs: 5000 },
      clientKind: clientKindFor(protocol, grpcClient),
      plan: { rps, warmupMs: jitWarmupMs(rps), durationMs, maxInFlight: 10_000, drainTimeoutMs: 6000 },
    },
    (argv) => pin(cpu, argv),
  );
  await gen.ready;
  const r = await gen.run();
  gen.done();
  await gen.child.exited;
  const cpuUs = r.generator.cpuUserUs + r.generator.cpuSysUs;
  return { cpuUsPerRequest: cpuUs / Math.max(1, r.completedInWindow), achievedRps: r.achievedRps, clean: !r.generator.saturated };
}

/** h2load sends one request per stream: it cannot put many messages on one long-lived bidi call. */
function h2loadDrives(protocol: Protocol): boolean {
  return armOf(protocol).streams !== "bidi-stream";
}

/** h2load at `rps` over `connections` clients; null when h2load is missing or fails. */
function theirs(protocol: Protocol, port: number, rps: number, durationMs: number, connections: number, cpu: number, dir: string): Sample | null {
  const body = encodePayload(1, makeBody(128));
  const family = familyOf(protocol);
  const grpc = family === "grpc";
  const data = join(dir, "body.bin");
  if (grpc) {
    // The gRPC length-prefixed message: a 0 compression flag, a 4-byte big-endian length, the message.
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    writeFileSync(data, frame);
  } else {
    writeFileSync(data, body);
  }
  const headers = grpc ? ["-H", "content-type: application/grpc", "-H", "te: trailers"] : ["-H", "content-type: application/x-protobuf"];
  const args = [
    "-c", String(connections), "--rps", String(rps / connections), "-D", String(durationMs / 1000), "--warm-up-time", "1",
    "-m", "100", "-d", data, ...headers, ...(family === "http1" ? ["--h1"] : []), `http://127.0.0.1:${port}${UNARY_PATH}`,
  ];
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const r = spawnSync("bash", ["-c", `taskset -c ${cpu} h2load ${quoted} > ${dir}/h2load.out 2>&1; code=$?; times; exit $code`], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const times = r.stdout.trim().split("\n").at(-1) ?? "";
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(times);
  const out = spawnSync("cat", [`${dir}/h2load.out`], { encoding: "utf8" }).stdout;
  const done = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded/.exec(out);
  if (m === null || done === null) return null;
  const cpuUs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1e6;
  const succeeded = Number(done[2]);
  return { cpuUsPerRequest: cpuUs / Math.max(1, succeeded), achievedRps: (succeeded * 1000) / durationMs, clean: succeeded >= 0.99 * rps * (durationMs / 1000) };
}

export const GENERATOR_HELP = `wirecost bench:generator — what the load generator itself costs, against h2load

usage: npm run bench:generator -- [--rates LIST] [--duration D] [--repeat N] [--protocols LIST] [--connections N]

  --rates LIST         comma list of offered req/s (default 2000,5000,10000,20000)
  --duration D         each run's measured time, e.g. 5s (default 5s)
  --repeat N           runs per rate; the table shows their median (default 3)
  --protocols LIST     comma list of ${CLIENTS.map((c) => c.name).join(",")} (default: all)
  --connections N      connections per run (default 4)

Prints CPU µs per request of our generator and of h2load (Debian package nghttp2-client) at each rate, their ratio,
and the highest rate our generator held cleanly on one pinned core.
`;

interface GeneratorBenchOptions {
  readonly rates: readonly number[];
  readonly durationMs: number;
  readonly repeat: number;
  readonly connections: number;
  readonly rows: readonly ClientRow[];
}

function wholeNumber(flag: string, value: string | boolean | undefined, fallback: number): number {
  const n = positiveNumber(flag, value, fallback);
  if (!Number.isInteger(n)) throw new UsageError("WC_BAD_VALUE", `--${flag} ${String(value)}: give a whole number, e.g. --${flag} ${fallback}`);
  return n;
}

/** The flags, checked: every mistake is a UsageError naming the flag and the fix. */
export function generatorBenchOptions(values: Readonly<Record<string, string | boolean | undefined>>): GeneratorBenchOptions {
  const rateText = values.rates;
  const rates = typeof rateText === "string" ? rateText.split(",").map((r) => positiveNumber("rates", r.trim())) : [2000, 5000, 10000, 20000];
  const durationText = values.duration;
  const durationMs = typeof durationText === "string" ? parseDurationMs(durationText) : 5000;
  if (durationMs === undefined || durationMs <= 0) throw new UsageError("WC_BAD_VALUE", `--duration ${String(durationText)}: give a duration such as 5s or 500ms`);
  const names = typeof values.protocols === "string" ? values.protocols.split(",") : CLIENTS.map((c) => c.name);
  const rows = names.map((name) => {
    const row = CLIENTS.find((c) => c.name === name);
    if (row === undefined) throw new UsageError("WC_BAD_VALUE", `--protocols: unknown client "${name}"; choose from ${CLIENTS.map((c) => c.name).join(",")}`);
    return row;
  });
  return { rates, durationMs, repeat: wholeNumber("repeat", values.repeat, 3), connections: wholeNumber("connections", values.connections, 4), rows };
}

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "bench:generator", async () => {
    const args = parseToolArgs(argv, { tool: "bench:generator", strings: ["rates", "duration", "repeat", "protocols", "connections"], positionals: [] });
    if (args.help) {
      io.stdout.write(GENERATOR_HELP);
      return 0;
    }
    return runGeneratorBench(generatorBenchOptions(args.values), io);
  });
}

async function runGeneratorBench({ rates, durationMs, repeat, connections, rows }: GeneratorBenchOptions, io: ToolIo): Promise<number> {
  const last = availableParallelism() - 1;
  const genCpu = 0;
  const dir = mkdtempSync(join(tmpdir(), "wirecost-genbench-"));
  const withH2load = hasCommand("h2load");
  if (!withH2load) io.stderr.write("h2load not found (Debian package nghttp2-client): printing our figures only\n");
  const lines = ["| client | rate req/s | ours µs/req, median (min–max) | h2load µs/req, median (min–max) | ratio | ours clean | ours achieved |", "|---|---|---|---|---|---|---|"];
  const highest: Record<string, number> = {};
  try {
    for (const row of rows) {
      const { protocol } = row;
      const server = await startServerProcess(
        { protocol, host: "127.0.0.1", port: 0, requestBytes: 128, responseBytes: 1024, settings: DEFAULT_SERVER_SETTINGS },
        (argv) => pin(last, argv),
      );
      try {
        for (const rps of rates) {
          const mine: Sample[] = [];
          const h2: Sample[] = [];
          for (let i = 0; i < repeat; i++) {
            mine.push(await ours(row, server.port, rps, durationMs, connections, genCpu));
            const t = withH2load && h2loadDrives(protocol) ? theirs(protocol, server.port, rps, durationMs, connections, genCpu, dir) : null;
            if (t !== null) h2.push(t);
          }
          const oursUs = median(mine.map((s) => s.cpuUsPerRequest));
          const theirsUs = h2.length > 0 ? median(h2.map((s) => s.cpuUsPerRequest)) : null;
          const clean = mine.filter((s) => s.clean).length;
          if (clean * 2 > mine.length) highest[row.name] = Math.max(highest[row.name] ?? 0, rps);
          const line = `| ${row.name} | ${rps} | ${spread(mine.map((s) => s.cpuUsPerRequest))} | ${h2.length > 0 ? spread(h2.map((s) => s.cpuUsPerRequest)) : "-"} | ${theirsUs === null ? "-" : `${(oursUs / theirsUs).toFixed(2)}×`} | ${clean}/${mine.length} | ${median(mine.map((s) => s.achievedRps)).toFixed(0)} |`;
          lines.push(line);
          io.stderr.write(`${line}\n`);
        }
      } finally {
        await server.child.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  io.stdout.write(`${lines.join("\n")}\n\nhighest rate held clean on one generator core (median of ${repeat}): ${rows.map((r) => `${r.name} ${highest[r.name] ?? "none of the rates"}`).join(", ")}\n`);
  return 0;
}

