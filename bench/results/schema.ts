/**
 * The result.json shape (`wirecost.result/v2`). A scenario is a union on `state`; every completed scenario has
 * the same flat statistics shape.
 *
 * v2 added `hosts` (the run's hosts, `--topology hosts`) and a scenario's `acrossHosts`; nothing else changed, so
 * a v1 file is read as a v2 file without them (load-run.ts).
 */
import type { TlsSession } from "../load/tls-session.ts";
import type { ClientKind, ErrorKind, Protocol, ServerSettings } from "../../contract/index.ts";
import type { BenchConfig, SweepConfig } from "../config/config.ts";
import type { PrimeOutcome } from "../load/prime.ts";
import type { GeneratorReport } from "../load/report.ts";
import type { H2loadDriverRecord } from "../load/h2load-report.ts";
import type { TopologyInfo } from "../topology/index.ts";
import type { KernelFigures } from "./kernel-figures.ts";
import type { Knee, SweepPoint } from "../sweep/knee.ts";
import type { SweepUnit } from "../sweep/plan.ts";
import type { Calibration } from "../load/pps.ts";
import type { Series } from "./series.ts";
import type { NicRecord } from "../collector/nic.ts";
import type { GeneratorHealth } from "../load/report.ts";

export const RESULT_SCHEMA = "wirecost.result/v2";
/** Every schema this version reads: v1 lacks only what v2 added. */
export const READABLE_SCHEMAS = ["wirecost.result/v1", RESULT_SCHEMA] as const;

/** One host of a run across hosts, as its agent described it. */
export interface HostRecord {
  /** "server", "client", "client-2", …: the name the run's scenarios use. */
  readonly name: string;
  readonly role: "server" | "client";
  /** Where the driver reached its agent (the management link). */
  readonly agent: string;
  /** Its address on the benchmark's wire. */
  readonly benchAddress: string;
  /** The simulated host's namespace (`--topology hosts`); absent on a real host. */
  readonly namespace?: string;
  readonly hostname: string;
  readonly kernel: string;
  readonly cpuCount: number;
  readonly node: string;
  /** The CPU its server or generator was pinned to. */
  readonly cpu: number | null;
  /** The interfaces the benchmark crosses there: driver, offloads, IRQ lines and their CPUs. */
  readonly nics: readonly NicRecord[];
}

/** One host's part in a scenario across hosts. */
export interface HostWindowRecord {
  readonly host: string;
  readonly role: "server" | "client";
  /** Its clock minus the driver's, measured over the agent connection before the scenario, and its bound. */
  readonly clockOffsetMs: number;
  readonly clockUncertaintyMs: number;
  /** How long after the scheduled window edges its agent read its counters (its own clock), ms. */
  readonly edgeLateMs: { readonly start: number; readonly end: number };
  /** Its benchmark interfaces' packets (received + sent) over the window. */
  readonly packets: number | null;
  /** A client host: its share of the load and what its generator made of it. */
  readonly offeredRps?: number;
  readonly completedInWindow?: number;
  readonly generator?: GeneratorHealth;
}

/**
 * How a scenario ran across hosts: the schedule's precision and each host's part. The scenario's `connections`,
 * `streams` and priming are each client host's: with N client hosts the server sees N times the connections.
 */
export interface AcrossHostsRecord {
  /**
   * The latest client window start minus the earliest, as the generators reported them on their epoch clocks: the
   * hosts' interleave (host i starts i/rps later), plus each process's epoch origin error (0.2–2 ms) and the hosts'
   * clock offsets. How closely the driver placed the windows is `alignmentErrorMs`.
   */
  readonly windowSkewMs: number;
  /** The largest clock uncertainty: how far, at worst, a host's window may really start from the schedule. */
  readonly alignmentErrorMs: number;
  readonly hosts: readonly HostWindowRecord[];
}

/** What a scenario records of a server that is not ours: what it is, how it was run, how it was configured. */
export interface ForeignServerRecord {
  readonly name: string;
  /** Its own account of its version (`nginx -v`), or null when it gave none. */
  readonly version: string | null;
  readonly argv: readonly string[];
  /** Its config file's text: nginx's as written for the scenario, a user server's `configFile`; null when it has none. */
  readonly config: string | null;
  /** What the clients checked of each answer, since such a server does not echo the sequence number. */
  readonly verified: string;
}

/** What the run ran on: enough to tell two results apart and to reproduce one. */
export interface Environment {
  readonly os: string;
  readonly kernel: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly node: string;
  readonly nghttp2: string;
  readonly openssl: string;
  readonly llhttp: string;
  readonly v8: string;
  readonly uv: string;
  readonly packages: Record<string, string>;
  /** CONFIG_IRQ_TIME_ACCOUNTING from /proc/config.gz: without it /proc/stat irq/softirq time is a tick sample. */
  readonly irqTimeAccounting: boolean | null;
  /** USER_HZ: the tick rate of /proc/stat and /proc/<pid>/stat CPU times (getconf CLK_TCK). */
  readonly userHz: number;
  readonly wirecostVersion: string;
}

export interface SweepSummary {
  /** What `rates`, the points' `offered` and the knees count: req/s, or packets/s for a sweep by pps. */
  readonly unit: SweepUnit;
  readonly rates: readonly number[];
  readonly spacing: SweepConfig["spacing"];
  readonly sloP99Us: number;
  /** By series (series.ts): the arm's name, or `arm~client` for a run's later `--client`s. */
  readonly protocols: Readonly<Partial<Record<Series, { readonly points: readonly SweepPoint[]; readonly knee: Knee }>>>;
}


export interface Placement {
  /** Topology kind the scenario ran in. */
  readonly topology: string;
  readonly serverCpu: number | null;
  readonly clientCpu: number | null;
  readonly serverPid: number | null;
  readonly generatorPid: number | null;
  readonly serverAddress: string;
  readonly serverPort: number | null;
}

/** What --pps asked for, how the request rate was found, and the packet rate the window really had. */
export interface PpsFigures {
  readonly offeredPps: number;
  /** The packets per request the first calibration round assumed (2, or a sweep's previous step's measurement). */
  readonly initialPacketsPerRequest: number;
  readonly calibration: Calibration["rounds"];
  readonly requestRate: number;
  /** Server-interface packets per second over the measured window. */
  readonly measuredPps: number | null;
}

interface ScenarioCommon {
  readonly name: string;
  readonly protocol: Protocol;
  /**
   * The user's own server measured (a config file's `servers` entry, by name), speaking `protocol`; absent when the
   * arm's own server answered. A subject is a series of its own (series.ts).
   */
  readonly subject?: string;
  /**
   * The client that drove the load (`--client`, `--grpc-client`). Absent in results written before `--client`
   * existed, which all used the arm's library client: read it with series.ts `clientOf`.
   */
  readonly client?: ClientKind;
  /** 1-based repeat this scenario belongs to. */
  readonly repeat: number;
  readonly startedAt: string;
  /** In a sweep, the 0-based step this scenario belongs to. */
  readonly step?: number;
  readonly offeredRps: number;
  readonly connections: number;
  readonly streams: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly serverSettings: ServerSettings;
  /** A server that is not ours (contract/arms.ts `server`): what it was, how it ran, what its answers were checked for. */
  readonly foreignServer?: ForeignServerRecord;
  readonly placement: Placement;
  /** The closed-loop priming before the idle baseline (`--prime`); absent when it was off or the run predates it. */
  readonly prime?: PrimeOutcome;
  /** A TLS arm: the version, cipher suite and ALPN its server negotiated with a Node client (bench/load/tls-session.ts). */
  readonly tls?: TlsSession;
}

/** Kernel figures are present when the collector ran (it always does in `npm run bench`). */
export interface CompletedScenario extends ScenarioCommon, Omit<GeneratorReport, "offeredRps">, Partial<KernelFigures> {
  readonly state: "completed";
  /** With --pps: the packet rate asked for, the calibration rounds, and the packet rate measured. */
  readonly pps?: PpsFigures;
  /**
   * Present when h2load drove the scenario (`--driver h2load`): its version, argv, own summary and what its figures
   * mean differently (service-time latency only, no lateness). Absent: our generator drove it.
   */
  readonly driver?: H2loadDriverRecord;
  /** `--topology hosts`: the merged scenario's hosts, their clocks and their parts; the figures above are merged. */
  readonly acrossHosts?: AcrossHostsRecord;
}

export interface ErroredScenario extends ScenarioCommon {
  readonly state: "errored";
  readonly error: string;
  /**
   * It failed before any load was offered: its server did not start, or its warm-up requests failed. Recorded for a
   * user's own server (`subject`), whose first such failure is a mistake in its entry and ends the run (exit 2).
   */
  readonly beforeLoad?: true;
}

export interface AbortedScenario extends ScenarioCommon {
  readonly state: "aborted";
  readonly error: string;
}

export type ScenarioResult = CompletedScenario | ErroredScenario | AbortedScenario;

/** Where the harness itself ran: pinned beside the generator (bench/run/harness-placement.ts). */
export interface HarnessPlacement {
  /** The CPU every harness thread was pinned to; null when pinning failed (`error` says why). */
  readonly cpu: number | null;
  readonly error?: string;
}

export interface RunResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly runId: string;
  readonly startedAt: string;
  finishedAt: string | null;
  /** "running" while scenarios remain; "interrupted" when a signal stopped the run. */
  state: "running" | "finished" | "interrupted";
  readonly environment: Environment;
  readonly config: BenchConfig;
  /** Where everything ran: namespaces, addresses, CPUs, RPS steering, offloads, MTU. */
  readonly topology: TopologyInfo | null;
  /** Where the harness itself ran (bench/run/harness-placement.ts); absent in results before it was pinned. */
  readonly harness?: HarnessPlacement;
  readonly warnings: string[];
  /** `--topology hosts`: the hosts, as their agents described them. Absent for a run on one host. */
  readonly hosts?: readonly HostRecord[];
  readonly scenarios: ScenarioResult[];
  /** Scenarios a sweep did not run, and why (past saturation, --max-time). */
  readonly skipped: { readonly name: string; readonly reason: string }[];
  /** The sweep's steps and each protocol's knee, when the run was a sweep. */
  sweep: SweepSummary | null;
}

export type ErrorCounts = Record<ErrorKind, number>;

export function totalErrors(errors: ErrorCounts): number {
  let n = 0;
  for (const count of Object.values(errors)) n += count;
  return n;
}
