/**
 * The I/O of `npm run bench:generator`: one run of our generator with a given client, or of h2load, against a
 * running server, on a pinned CPU, turned into a `Sample`.
 *
 * Our generator warms up for 20,000 requests (at least 1 s) before its window, so that V8 has compiled the client's
 * request path by then (bench/load/jit-warmup.ts says what compiling inside the window cost). h2load's CPU comes
 * from bash's `times` (children's user + sys), so it includes its start-up; a run long enough (--duration, default
 * 5 s) makes that negligible.
 */
import type { PacingStrategy } from "../load/pacer.ts";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePayload, makeBody, UNARY_PATH } from "../../proto/codec.ts";
import { familyOf } from "../../contract/index.ts";
import type { ClientKind, Protocol } from "../../contract/index.ts";
import { MIN_ACHIEVED_SHARE } from "../load/assess.ts";
import { startGeneratorProcess } from "../load/generator-process.ts";
import { jitWarmupMs } from "../load/jit-warmup.ts";
import type { Sample } from "./summary.ts";

export interface RunSpec {
  readonly protocol: Protocol;
  readonly port: number;
  readonly rps: number;
  readonly durationMs: number;
  readonly connections: number;
  /** What wakes our generator's load loop; h2load paces itself. */
  readonly pacing: PacingStrategy;
  /** The CPU the generator (or h2load) is pinned to. */
  readonly cpu: number;
}

export function pin(cpu: number, argv: string[]) {
  return { file: "taskset", args: ["-c", String(cpu), ...argv] };
}

/** Our generator driving `kind` at the spec's rate. */
export async function runOurs(kind: ClientKind, spec: RunSpec): Promise<Sample> {
  const { protocol, port, rps, durationMs, connections, pacing, cpu } = spec;
  const gen = startGeneratorProcess(
    {
      client: { protocol, host: "127.0.0.1", port, connections, streams: 100, requestBytes: 128, responseBytes: 1024, requestTimeoutMs: 5000 },
      clientKind: kind,
      pacing,
      plan: { rps, warmupMs: jitWarmupMs(rps), durationMs, maxInFlight: 10_000, drainTimeoutMs: 6000 },
    },
    (argv) => pin(cpu, argv),
  );
  await gen.ready;
  const r = await gen.run();
  gen.done();
  await gen.child.exited;
  const cpuUs = r.generator.cpuUserUs + r.generator.cpuSysUs;
  return {
    cpuUsPerRequest: cpuUs / Math.max(1, r.completedInWindow),
    achievedRps: r.achievedRps,
    onSchedule: !r.generator.saturated && (r.achievedRps >= MIN_ACHIEVED_SHARE * rps || r.generator.limitedBy === "server"),
    serverLimited: r.generator.limitedBy === "server",
    // A saturated generator's limit reasons are its saturation reasons; a server's limit has only limit reasons.
    offScheduleReasons: r.generator.saturated ? r.generator.saturationReasons : r.achievedRps < MIN_ACHIEVED_SHARE * rps ? (r.generator.limitReasons ?? []) : [],
  };
}

/** h2load at the spec's rate spread over its `connections` clients; null when it fails. */
export function runH2load(spec: RunSpec, dir: string): Sample | null {
  const { protocol, port, rps, durationMs, connections, cpu } = spec;
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
  const out = join(dir, "h2load.out");
  const r = spawnSync("bash", ["-c", `taskset -c ${cpu} h2load ${quoted} > '${out}' 2>&1; code=$?; times; exit $code`], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const times = r.stdout.trim().split("\n").at(-1) ?? "";
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(times);
  const done = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded/.exec(readFileSync(out, "utf8"));
  if (m === null || done === null) return null;
  const cpuUs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1e6;
  const succeeded = Number(done[2]);
  return {
    cpuUsPerRequest: cpuUs / Math.max(1, succeeded),
    achievedRps: (succeeded * 1000) / durationMs,
    onSchedule: succeeded >= MIN_ACHIEVED_SHARE * rps * (durationMs / 1000),
    serverLimited: false,
    offScheduleReasons: [],
  };
}
