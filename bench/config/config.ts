/**
 * The resolved config: what a run is told, fully defaulted and readonly. Nothing downstream sees argv or the
 * config file; bench/config/options.ts says where each field comes from, its default and its bounds.
 */
import type { ClientChoice, GrpcClientChoice } from "../../clients/index.ts";
import type { Protocol, ServerSettings, TlsVersionChoice } from "../../contract/index.ts";
import type { PacingStrategy } from "../load/pacer.ts";
import type { StepSpacing, SweepUnit } from "../sweep/plan.ts";
import type { UserServer } from "./user-servers.ts";

export const TOPOLOGY_KINDS = ["auto", "netns", "bridge", "docker", "hosts", "loopback"] as const;
export const RX_STEERING = ["rps", "threaded-napi", "none"] as const;
export const OFFLOAD_MODES = ["default", "off"] as const;
/** How kernel time is measured: `ebpf` exactly (bpftrace), `tick` from /proc/stat's samples, `auto` eBPF when it can. */
export const KERNEL_TIME_CHOICES = ["auto", "ebpf", "tick"] as const;
export type KernelTimeChoice = (typeof KERNEL_TIME_CHOICES)[number];
/** `--driver`: who sends the load — our generator child (`node`), or nghttp2's h2load (bench/load/h2load-argv.ts). */
export const DRIVERS = ["node", "h2load"] as const;
export type DriverChoice = (typeof DRIVERS)[number];
export type RxSteeringChoice = (typeof RX_STEERING)[number];
export type TopologyChoice = (typeof TOPOLOGY_KINDS)[number];
export type OffloadMode = (typeof OFFLOAD_MODES)[number];

/**
 * The fields are in the order result.json has always written them (the config is embedded whole, and
 * JSON.stringify keeps insertion order): bench/config/resolve.ts builds them in this order.
 */
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
   * Which kinds of client drive the arms, each a scenario of its own per arm: `wire` (the default,
   * options.ts `DEFAULT_CLIENT`: clients/wire/, cheap enough that the server sets the knee) and `library` (undici,
   * node:http2, grpc-js or lean). The first's scenarios are named after the arm, the others' `arm~client`.
   */
  readonly client: readonly ClientChoice[];
  /**
   * Which library client drives the gRPC arms under `--client library`: `grpc-js` (default; the real library) or `lean`
   * (clients/grpc/lean-client.ts: node:http2 speaking the gRPC wire format, for gRPC load past grpc-js's ~7k calls/s on one generator core).
   */
  readonly grpcClient: GrpcClientChoice;
  /**
   * Closed-loop requests sent before each scenario's idle baseline so both sides' hot paths are compiled before
   * anything is measured (bench/load/prime.ts); 0 turns it off. Default 20000, at most PRIME_MAX_MS of it.
   */
  readonly primeRequests: number;
  /**
   * Who sends the load: `node` (default), our generator child; or `h2load`, nghttp2's h2load in its place, for the
   * arms it can drive (http1, h2c, h2, grpc), its latency service time only.
   */
  readonly driver: DriverChoice;
  /** Runs of the whole protocol list, interleaved (a b c, a b c …). Default 1. */
  readonly repeat: number;
  /** Default `results`. */
  readonly outDir: string;
  /** Print the result JSON on stdout instead of the table. Default false. */
  readonly json: boolean;
  /** Capture the server interface with tcpdump and compare its packet count with the collector's. Default false. */
  readonly verify: boolean;
  /** Run beside another npm run bench on disjoint CPUs (bench/run/run-lock.ts); false: refuse to start beside one. */
  readonly allowConcurrent: boolean;
  /** A load sweep instead of one rate: `--sweep [--by rps|pps] --from --to --steps --spacing`. Null: a single rate. */
  readonly sweep: SweepConfig | null;
  /** Latency SLO for knee detection and the planner: p99 at most this, µs. Default 10 ms. */
  readonly sloP99Us: number;
  /** Upper bound on a whole run's time; a sweep stops starting scenarios past it. Default 30 min. */
  readonly maxTotalMs: number;
  /** In-flight requests at which the generator refuses to send more. Default 10000. */
  readonly maxInFlight: number;
  /** What wakes the generator at each send time (bench/load/pacer.ts). Default `worker`. */
  readonly pacing: PacingStrategy;
  /** Per-request timeout. Default 5 s. */
  readonly requestTimeoutMs: number;
  /** Where to run: `auto` is netns when root on Linux, else loopback. Default `auto`. */
  readonly topology: TopologyChoice;
  /** Server port; 0 picks a free one. Default 0. */
  readonly port: number;
  /** Where the server's receive processing runs: RPS to the server CPU, threaded NAPI, or the kernel's default. */
  readonly rxSteering: RxSteeringChoice;
  /** `off` turns TSO, GSO and GRO off on every veth end (wire-like packet counts). Default `default`. */
  readonly offloads: OffloadMode;
  /** MTU of every veth end; null keeps 1500. */
  readonly mtu: number | null;
  /** `--topology hosts`: how many simulated client hosts split the offered rate. Default 1. */
  readonly clientHosts: number;
  /** `--agents`: the hosts' agents, as given (`server=ADDR:PORT,client=ADDR:PORT…`); null: this host runs everything. */
  readonly agents: string | null;
  /** `--token-file`: the file holding the agents' shared token. */
  readonly tokenFile: string | null;
  /** tc tbf on both eth0s, bits per second; null: no limit. */
  readonly rateLimitBitsPerSecond: number | null;
  /** netem arguments (validated tokens), e.g. ["delay", "1ms"]; null: none. Needs a kernel with sch_netem. */
  readonly netem: readonly string[] | null;
  /** CPU for the server; null = the last CPU. */
  readonly serverCpu: number | null;
  /** CPU for the generator; null = CPU 0. */
  readonly clientCpu: number | null;
  /** Collector time-series samples per second. Default 10. */
  readonly sampleHz: number;
  /** Idle baseline before each scenario's load, subtracted from global counters; 0 skips it. Default 1 s. */
  readonly baselineMs: number;
  /** Exact kernel time with eBPF (`ebpf`), /proc/stat's tick samples (`tick`), or eBPF where available. Default `auto`. */
  readonly kernelTime: KernelTimeChoice;
  /**
   * The TLS version both ends of every TLS arm allow: `auto` (default) leaves Node's range, TLS 1.2 to 1.3, so they
   * negotiate 1.3; `1.2` or `1.3` pins it. What was negotiated is each scenario's `tls`. Absent before it existed.
   */
  readonly tlsVersion: TlsVersionChoice;
  /** An OpenSSL cipher string both ends of every TLS arm use; null (default) keeps Node's list. Absent before it existed. */
  readonly tlsCiphers: string | null;
  /** An OpenSSL group list for both ends' key exchange (contract/tls.ts); null (default) keeps Node's. Absent before it existed. */
  readonly tlsGroups: string | null;
  /** Server settings recorded in the result; defaults in contract/ `DEFAULT_SERVER_SETTINGS`. */
  readonly server: ServerSettings;
  /** The config file read, if any. */
  readonly configFile: string | null;
  /**
   * `--server-command`: a user server in one flag, its protocol then its command (bench/config/subjects.ts), as
   * given; it is one of `servers`, named "server". Null when not given.
   */
  readonly serverCommand: string | null;
  /**
   * The user's own servers this run measures (the config file's `servers` entries named in `--protocols`, or all of
   * them without it), each a subject beside `protocols` (bench/config/user-servers.ts). Absent when there are none.
   */
  readonly servers?: readonly UserServer[];
}

export interface SweepConfig {
  /**
   * What `from` and `to` count: offered req/s (`rps`, the default), or packets/s at the server interface (`pps`),
   * each step's request rate then calibrated per scenario as `--pps` does.
   */
  readonly by: SweepUnit;
  readonly from: number;
  readonly to: number;
  /** Default 5. */
  readonly steps: number;
  /** Default `geometric`. */
  readonly spacing: StepSpacing;
  /**
   * Keep stepping a protocol past saturation (`--past-saturation`), to see whether delivered throughput then falls
   * as offered load rises (receive livelock); by default a saturated protocol's later steps are skipped. Absent in
   * results before it existed.
   */
  readonly pastSaturation?: boolean;
}
