/**
 * One resolved, readonly config. Flags override the config file, which overrides the defaults; every value is
 * checked here, so nothing downstream sees argv. Errors name the flag (or config key) and the fix.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { MAX_BODY_BYTES } from "../../proto/codec.ts";
import { GRPC_CLIENTS } from "../../clients/index.ts";
import type { GrpcClientChoice } from "../../clients/index.ts";
import { DEFAULT_SERVER_SETTINGS, isProtocol, PROTOCOLS } from "../../contract/index.ts";
import type { Protocol, ServerSettings } from "../../contract/index.ts";
import { parseDurationMs } from "../support/duration.ts";
import { UsageError } from "../support/errors.ts";
import { DEFAULT_PRIME_REQUESTS } from "../load/prime.ts";
import { MAX_RPS } from "../load/schedule.ts";
import { SWEEP_UNITS } from "../sweep/plan.ts";
import type { StepSpacing, SweepUnit } from "../sweep/plan.ts";
import { parseNetemSpec, parseRate } from "../topology/index.ts";

export const TOPOLOGY_KINDS = ["auto", "netns", "bridge", "docker", "loopback"] as const;
export const RX_STEERING = ["rps", "threaded-napi", "none"] as const;
export type RxSteeringChoice = (typeof RX_STEERING)[number];
export type TopologyChoice = (typeof TOPOLOGY_KINDS)[number];

export interface BenchConfig {
  /** Arms to run, in order. Default: all six. */
  readonly protocols: readonly Protocol[];
  /** Offered request rate per scenario. Default 1000. */
  readonly rps: number;
  /** Offer load by packets per second instead: the request rate is calibrated per scenario. Null: use rps. */
  readonly pps: number | null;
  /** Measured window. Default 8 s. */
  readonly durationMs: number;
  /** Load before the window, not counted. Default 2 s. */
  readonly warmupMs: number;
  /** Default 128. */
  readonly requestBytes: number;
  /** Default 1024. */
  readonly responseBytes: number;
  /** TCP connections for every protocol. Default 4. */
  readonly connections: number;
  /** In-flight requests per connection for h2/gRPC. Default 100. */
  readonly streams: number;
  /**
   * Which client drives the gRPC arms: `grpc-js` (default; the headline arm is the real library) or `lean`
   * (clients/grpc/lean-client.ts: node:http2 speaking the gRPC wire format, for gRPC load past grpc-js's ~7k calls/s on one generator core).
   */
  readonly grpcClient: GrpcClientChoice;
  /**
   * Closed-loop requests sent before each scenario's idle baseline so both sides' hot paths are compiled before
   * anything is measured (bench/load/prime.ts); 0 turns it off. Default 20000, at most PRIME_MAX_MS of it.
   */
  readonly primeRequests: number;
  /** Runs of the whole protocol list, interleaved (a b c, a b c …). Default 1. */
  readonly repeat: number;
  /** Default `results`. */
  readonly outDir: string;
  /** Print the result JSON on stdout instead of the table. Default false. */
  readonly json: boolean;
  /** In-flight requests at which the generator refuses to send more. Default 10000. */
  readonly maxInFlight: number;
  /** Per-request timeout. Default 5 s. */
  readonly requestTimeoutMs: number;
  /** Where to run: `auto` is netns when root on Linux, else loopback. Default `auto`. */
  readonly topology: TopologyChoice;
  /** Where the server's receive processing runs: RPS to the server CPU, threaded NAPI, or the kernel's default. */
  readonly rxSteering: RxSteeringChoice;
  /** `off` turns TSO, GSO and GRO off on every veth end (wire-like packet counts). Default `default`. */
  readonly offloads: "default" | "off";
  /** MTU of every veth end; null keeps 1500. */
  readonly mtu: number | null;
  /** tc tbf on both eth0s, bits per second; null: no limit. */
  readonly rateLimitBitsPerSecond: number | null;
  /** netem arguments (validated tokens), e.g. ["delay", "1ms"]; null: none. Needs a kernel with sch_netem. */
  readonly netem: readonly string[] | null;
  /** Server port; 0 picks a free one. Default 0. */
  readonly port: number;
  /** CPU for the server; null = the last CPU. */
  readonly serverCpu: number | null;
  /** CPU for the generator; null = CPU 0. */
  readonly clientCpu: number | null;
  /** Collector time-series samples per second. Default 10. */
  readonly sampleHz: number;
  /** Idle baseline before each scenario's load, subtracted from global counters; 0 skips it. Default 1 s. */
  readonly baselineMs: number;
  /** Capture the server interface with tcpdump and compare its packet count with the collector's. Default false. */
  readonly verify: boolean;
  /** A load sweep instead of one rate: `--sweep [--by rps|pps] --from --to --steps --spacing`. Null: a single rate. */
  readonly sweep: SweepConfig | null;
  /** Latency SLO for knee detection and the planner: p99 at most this, µs. Default 10 ms. */
  readonly sloP99Us: number;
  /** Upper bound on a whole run's time; a sweep stops starting scenarios past it. Default 30 min. */
  readonly maxTotalMs: number;
  readonly server: ServerSettings;
  /** The config file read, if any. */
  readonly configFile: string | null;
}

export interface SweepConfig {
  /**
   * What `from` and `to` count: offered req/s (`rps`, the default), or packets/s at the server interface (`pps`),
   * each step's request rate then calibrated per scenario as `--pps` does.
   */
  readonly by: SweepUnit;
  readonly from: number;
  readonly to: number;
  readonly steps: number;
  readonly spacing: StepSpacing;
}

export const DEFAULTS = {
  rps: 1000,
  durationMs: 8000,
  warmupMs: 2000,
  requestBytes: 128,
  responseBytes: 1024,
  connections: 4,
  streams: 100,
  repeat: 1,
  outDir: "results",
  maxInFlight: 10_000,
  requestTimeoutMs: 5000,
  sampleHz: 10,
  baselineMs: 1000,
  sweepSteps: 5,
  sloP99Us: 10_000,
  maxTotalMs: 30 * 60_000,
} as const;

/** The highest packet rate --pps and a sweep by pps accept. */
export const MAX_PPS = 10_000_000;

const numberOrText = z.union([z.number(), z.string()]);
const configFileSchema = z.strictObject({
  protocols: z.union([z.array(z.string()), z.string()]).optional(),
  rps: z.number().optional(),
  pps: z.number().optional(),
  duration: numberOrText.optional(),
  warmup: numberOrText.optional(),
  requestBytes: z.number().optional(),
  responseBytes: z.number().optional(),
  connections: z.number().optional(),
  streams: z.number().optional(),
  grpcClient: z.string().optional(),
  prime: z.number().optional(),
  repeat: z.number().optional(),
  out: z.string().optional(),
  maxInFlight: z.number().optional(),
  timeout: numberOrText.optional(),
  topology: z.string().optional(),
  port: z.number().optional(),
  rxSteering: z.string().optional(),
  offloads: z.string().optional(),
  mtu: z.number().optional(),
  rateLimit: z.string().optional(),
  netem: z.string().optional(),
  serverCpu: z.number().optional(),
  clientCpu: z.number().optional(),
  sampleHz: z.number().optional(),
  baseline: numberOrText.optional(),
  verify: z.boolean().optional(),
  sweep: z.boolean().optional(),
  by: z.string().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
  steps: z.number().optional(),
  spacing: z.string().optional(),
  sloP99: numberOrText.optional(),
  maxTime: numberOrText.optional(),
  server: z
    .strictObject({
      maxConcurrentStreams: z.number().optional(),
      initialWindowSize: z.number().optional(),
      keepAliveTimeoutMs: z.number().optional(),
      grpcKeepaliveTimeMs: z.number().optional(),
      streamMessages: z.number().optional(),
    })
    .optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

/** Raw values from flags (strings) and from the file (numbers or strings), before checking. */
export interface RawInputs {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly file: ConfigFile | null;
  readonly configFile: string | null;
}

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UsageError("WC_BAD_CONFIG", `--config ${path}: cannot read it (${code}); pass the path of an existing JSON file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError("WC_BAD_CONFIG", `--config ${path}: not valid JSON (${(error as Error).message}); fix the file's syntax`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(top level)";
    const what =
      issue?.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; allowed keys are ${Object.keys(configFileSchema.shape).join(", ")}`
        : `${where}: ${issue?.message ?? "invalid"}`;
    throw new UsageError("WC_BAD_CONFIG", `--config ${path}: ${what}`);
  }
  return parsed.data;
}

interface Source {
  /** How to name it to the user: `--rps` or `config key "rps"`. */
  readonly label: string;
  readonly value: string | number;
}

function pick(inputs: RawInputs, flag: string, key: string, read: (file: ConfigFile) => string | number | undefined): Source | undefined {
  const fromFlag = inputs.flags[flag];
  if (typeof fromFlag === "string") return { label: `--${flag}`, value: fromFlag };
  const fromFile = inputs.file === null ? undefined : read(inputs.file);
  if (fromFile !== undefined) return { label: `${inputs.configFile ?? "config"}: "${key}"`, value: fromFile };
  return undefined;
}

function integer(source: Source | undefined, fallback: number, min: number, max: number, fix: string): number {
  if (source === undefined) return fallback;
  const n = typeof source.value === "number" ? source.value : /^\s*-?\d+\s*$/.test(source.value) ? Number(source.value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: must be a whole number from ${min} to ${max}; ${fix}`);
  }
  return n;
}

function positiveNumber(source: Source | undefined, fallback: number, max: number, fix: string): number {
  if (source === undefined) return fallback;
  const n = typeof source.value === "number" ? source.value : /^\s*\d+(\.\d+)?\s*$/.test(source.value) ? Number(source.value) : NaN;
  if (!(n > 0) || n > max) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: must be a number above 0 and at most ${max}; ${fix}`);
  }
  return n;
}

function duration(source: Source | undefined, fallback: number, minMs: number, maxMs: number, fix: string): number {
  if (source === undefined) return fallback;
  const ms = typeof source.value === "number" ? source.value * 1000 : parseDurationMs(source.value);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: ${fix}`);
  }
  return ms;
}

function protocols(source: Source | undefined): readonly Protocol[] {
  if (source === undefined) return PROTOCOLS;
  const names = String(source.value)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) throw new UsageError("WC_BAD_VALUE", `${source.label}: empty; name one or more of ${PROTOCOLS.join(",")}`);
  const unknown = names.filter((n) => !isProtocol(n));
  if (unknown.length > 0) {
    throw new UsageError("WC_BAD_VALUE", `${source.label}: unknown protocol "${unknown[0]}"; choose from ${PROTOCOLS.join(",")}`);
  }
  return [...new Set(names)] as Protocol[];
}

export function resolveConfig(inputs: RawInputs): BenchConfig {
  const f = (flag: string, key: string, read: (file: ConfigFile) => string | number | undefined) => pick(inputs, flag, key, read);
  const protocolsSource = (() => {
    const flag = inputs.flags.protocols;
    if (typeof flag === "string") return { label: "--protocols", value: flag };
    const p = inputs.file?.protocols;
    if (p === undefined) return undefined;
    return { label: `${inputs.configFile ?? "config"}: "protocols"`, value: Array.isArray(p) ? p.join(",") : p };
  })();
  const topologySource = f("topology", "topology", (c) => c.topology);
  const topology = topologySource === undefined ? "auto" : String(topologySource.value);
  if (!(TOPOLOGY_KINDS as readonly string[]).includes(topology)) {
    throw new UsageError("WC_BAD_VALUE", `${topologySource?.label ?? "--topology"} ${topology}: choose one of ${TOPOLOGY_KINDS.join(", ")}`);
  }
  const s = inputs.file?.server ?? {};
  const srv = (flag: string, key: keyof ServerSettings, min: number, max: number, fix: string): number =>
    integer(
      f(flag, `server.${key}`, () => s[key]),
      DEFAULT_SERVER_SETTINGS[key],
      min,
      max,
      fix,
    );
  const lastCpu = availableParallelism() - 1;
  const out = f("out", "out", (c) => c.out);
  return {
    protocols: protocols(protocolsSource),
    rps: positiveNumber(f("rps", "rps", (c) => c.rps), DEFAULTS.rps, MAX_RPS, "give the offered request rate, e.g. --rps 1000"),
    pps: resolvePps(inputs, f),
    durationMs: duration(f("duration", "duration", (c) => c.duration), DEFAULTS.durationMs, 100, 3_600_000, "give a window from 100ms to 1h, e.g. --duration 5s or 500ms"),
    warmupMs: duration(f("warmup", "warmup", (c) => c.warmup), DEFAULTS.warmupMs, 0, 600_000, "give a warm-up from 0s to 10m, e.g. --warmup 1s"),
    requestBytes: integer(f("request-bytes", "requestBytes", (c) => c.requestBytes), DEFAULTS.requestBytes, 0, MAX_BODY_BYTES, "sizes are in bytes, up to 16 MiB"),
    responseBytes: integer(f("response-bytes", "responseBytes", (c) => c.responseBytes), DEFAULTS.responseBytes, 0, MAX_BODY_BYTES, "sizes are in bytes, up to 16 MiB"),
    connections: integer(f("connections", "connections", (c) => c.connections), DEFAULTS.connections, 1, 1024, "give the number of TCP connections"),
    streams: integer(f("streams", "streams", (c) => c.streams), DEFAULTS.streams, 1, 100_000, "give the in-flight requests per connection"),
    grpcClient: oneOf(f("grpc-client", "grpcClient", (c) => c.grpcClient), "grpc-js", GRPC_CLIENTS),
    primeRequests: integer(f("prime", "prime", (c) => c.prime), DEFAULT_PRIME_REQUESTS, 0, 1_000_000, "give the requests to prime with before each scenario, e.g. --prime 20000, or 0 for none"),
    repeat: integer(f("repeat", "repeat", (c) => c.repeat), DEFAULTS.repeat, 1, 100, "give how many times to run the protocol list"),
    outDir: out === undefined ? DEFAULTS.outDir : String(out.value),
    json: inputs.flags.json === true,
    verify: inputs.flags.verify === true || inputs.file?.verify === true,
    sweep: resolveSweep(inputs, f),
    sloP99Us: duration(f("slo-p99", "sloP99", (c) => c.sloP99), DEFAULTS.sloP99Us / 1000, 0.01, 600_000, "give a p99 latency target, e.g. --slo-p99 10ms") * 1000,
    maxTotalMs: duration(f("max-time", "maxTime", (c) => c.maxTime), DEFAULTS.maxTotalMs, 1000, 24 * 3_600_000, "give a bound on the whole run, e.g. --max-time 20m"),
    maxInFlight: integer(f("max-in-flight", "maxInFlight", (c) => c.maxInFlight), DEFAULTS.maxInFlight, 1, 1_000_000, "give the generator's in-flight cap"),
    requestTimeoutMs: duration(f("timeout", "timeout", (c) => c.timeout), DEFAULTS.requestTimeoutMs, 10, 600_000, "give a per-request timeout from 10ms to 10m, e.g. --timeout 5s"),
    topology: topology as TopologyChoice,
    port: integer(f("port", "port", (c) => c.port), 0, 0, 65_535, "give a TCP port, or 0 for any free one"),
    rxSteering: oneOf(f("rx-steering", "rxSteering", (c) => c.rxSteering), "rps", RX_STEERING),
    offloads: oneOf(f("offloads", "offloads", (c) => c.offloads), "default", ["default", "off"] as const),
    mtu: optionalInteger(f("mtu", "mtu", (c) => c.mtu), 576, 65_535, "give an MTU in bytes, e.g. --mtu 9000"),
    rateLimitBitsPerSecond: rateLimit(f("rate-limit", "rateLimit", (c) => c.rateLimit)),
    netem: netem(f("netem", "netem", (c) => c.netem)),
    serverCpu: cpuFlag(f("server-cpu", "serverCpu", (c) => c.serverCpu), lastCpu),
    clientCpu: cpuFlag(f("client-cpu", "clientCpu", (c) => c.clientCpu), lastCpu),
    sampleHz: positiveNumber(f("sample-hz", "sampleHz", (c) => c.sampleHz), DEFAULTS.sampleHz, 100, "give collector samples per second, e.g. --sample-hz 10"),
    baselineMs: duration(f("baseline", "baseline", (c) => c.baseline), DEFAULTS.baselineMs, 0, 60_000, "give an idle baseline from 0s (none) to 60s, e.g. --baseline 1s"),
    server: {
      maxConcurrentStreams: srv("max-concurrent-streams", "maxConcurrentStreams", 1, 2 ** 31 - 1, "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS"),
      initialWindowSize: srv("initial-window-size", "initialWindowSize", 0, 2 ** 31 - 1, "HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE in bytes"),
      keepAliveTimeoutMs: srv("keep-alive-timeout-ms", "keepAliveTimeoutMs", 1, 3_600_000, "HTTP/1.1 server keep-alive timeout in ms"),
      grpcKeepaliveTimeMs: srv("grpc-keepalive-time-ms", "grpcKeepaliveTimeMs", 1, 2 ** 31 - 1, "gRPC keepalive ping interval in ms"),
      streamMessages: srv("stream-messages", "streamMessages", 1, 10_000, "messages per ServerStream call"),
    },
    configFile: inputs.configFile,
  };
}

function oneOf<T extends string>(source: Source | undefined, fallback: T, allowed: readonly T[]): T {
  if (source === undefined) return fallback;
  const value = String(source.value);
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError("WC_BAD_VALUE", `${source.label} ${value}: choose one of ${allowed.join(", ")}`);
  return value as T;
}

function optionalInteger(source: Source | undefined, min: number, max: number, fix: string): number | null {
  return source === undefined ? null : integer(source, 0, min, max, fix);
}

function rateLimit(source: Source | undefined): number | null {
  if (source === undefined) return null;
  const bits = parseRate(String(source.value));
  if (bits === null || bits <= 0) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: give a rate as tc writes it, e.g. 100mbit, 1gbit or 500kbit`);
  }
  return bits;
}

function netem(source: Source | undefined): readonly string[] | null {
  if (source === undefined) return null;
  const spec = parseNetemSpec(String(source.value));
  if (!spec.ok) throw new UsageError("WC_BAD_VALUE", spec.reason);
  return spec.args;
}

function resolvePps(inputs: RawInputs, f: PickSource): number | null {
  const source = f("pps", "pps", (c) => c.pps);
  if (source === undefined) return null;
  const rps = f("rps", "rps", (c) => c.rps);
  if (rps !== undefined) throw new UsageError("WC_BAD_FLAG", `${source.label} and ${rps.label} both set the offered load; keep one`);
  if (inputs.flags.sweep === true || inputs.file?.sweep === true) {
    throw new UsageError("WC_BAD_FLAG", `${source.label} with --sweep: a sweep sets its own rates; sweep packet rates with --sweep --by pps --from N --to N`);
  }
  return positiveNumber(source, 0, MAX_PPS, "give the offered packets per second, e.g. --pps 20000");
}

type PickSource = (flag: string, key: string, read: (file: ConfigFile) => string | number | undefined) => Source | undefined;

function resolveSweep(inputs: RawInputs, f: PickSource): SweepConfig | null {
  const on = inputs.flags.sweep === true || inputs.file?.sweep === true;
  const bySource = f("by", "by", (c) => c.by);
  const from = f("from", "from", (c) => c.from);
  const to = f("to", "to", (c) => c.to);
  const stepsSource = f("steps", "steps", (c) => c.steps);
  const spacingSource = f("spacing", "spacing", (c) => c.spacing);
  if (!on) {
    if (bySource !== undefined) throw new UsageError("WC_BAD_FLAG", `${bySource.label} only applies to a sweep; add --sweep, or offer one packet rate with --pps N`);
    const stray = [from, to, stepsSource, spacingSource].find((s) => s !== undefined);
    if (stray !== undefined) throw new UsageError("WC_BAD_FLAG", `${stray.label} only applies to a sweep; add --sweep, or drop it`);
    return null;
  }
  const by = oneOf(bySource, "rps", SWEEP_UNITS);
  const unit = by === "rps" ? "req/s" : "packets/s";
  if (from === undefined || to === undefined) {
    const example = by === "rps" ? "--sweep --from 1000 --to 30000 --steps 5" : "--sweep --by pps --from 20000 --to 200000 --steps 5";
    throw new UsageError("WC_BAD_FLAG", `--sweep needs --from and --to (offered ${unit}), e.g. ${example}`);
  }
  if (by === "pps") {
    // By pps each step's request rate is calibrated; a request rate given as well would be silently ignored.
    const rps = f("rps", "rps", (c) => c.rps);
    if (rps !== undefined) throw new UsageError("WC_BAD_FLAG", `${rps.label} with --sweep --by pps: each step's request rate is calibrated from its packet rate; drop ${rps.label}`);
  }
  const max = by === "rps" ? MAX_RPS : MAX_PPS;
  const fromRps = positiveNumber(from, 0, max, `give the first step's ${unit}`);
  const toRps = positiveNumber(to, 0, max, `give the last step's ${unit}`);
  if (toRps <= fromRps) throw new UsageError("WC_BAD_VALUE", `${to.label} ${toRps}: must be above --from ${fromRps}`);
  const spacing = spacingSource === undefined ? "geometric" : String(spacingSource.value);
  if (spacing !== "linear" && spacing !== "geometric") {
    throw new UsageError("WC_BAD_VALUE", `${spacingSource?.label ?? "--spacing"} ${spacing}: choose linear or geometric`);
  }
  return { by, from: fromRps, to: toRps, steps: integer(stepsSource, DEFAULTS.sweepSteps, 2, 50, "give the number of steps"), spacing };
}

function cpuFlag(source: Source | undefined, lastCpu: number): number | null {
  if (source === undefined) return null;
  return integer(source, 0, 0, lastCpu, `give a CPU number from 0 to ${lastCpu} (this machine has ${lastCpu + 1})`);
}
