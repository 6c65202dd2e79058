/**
 * What the driver and an agent say to each other: one gRPC service, `wirecost.agent.v1.Agent`, on @grpc/grpc-js (the
 * project's own gRPC stack), its messages JSON.
 *
 * JSON rather than a .proto: the messages are the harness's own TypeScript shapes — a collector `Snapshot` has some
 * eighty fields in nested tables, and histograms travel as HdrHistogram's compressed base64 already — so a .proto
 * would be a second description of every one of them, to be kept in step by hand. Both ends are this repository.
 *
 * Every call carries the run's shared token as `authorization: Bearer <token>` metadata; the agent refuses a call
 * without it (UNAUTHENTICATED) before acting on it (grpc-js has parsed the message's JSON by then). The channel is
 * not encrypted: the token and the calls cross the control network in clear, which must therefore be one the
 * operator trusts (docs/several-hosts.md).
 */
import type * as grpc from "@grpc/grpc-js";
import type { Snapshot } from "../collector/index.ts";
import type { LoadPlan } from "../load/generator.ts";
import type { GeneratorConfig } from "../load/messages.ts";
import type { PrimeOutcome } from "../load/prime.ts";
import type { GeneratorReport } from "../load/report.ts";
import type { NicRecord } from "../collector/nic.ts";
import type { Protocol, ServerSettings } from "../../contract/index.ts";

export const AGENT_SERVICE = "wirecost.agent.v1.Agent";

/** The port agents listen on where nothing else decides it (each simulated host's, the rendered DaemonSets'). */
export const AGENT_DEFAULT_PORT = 7000;

/** Bumped when a message changes shape: the driver refuses an agent of another version by name. */
export const AGENT_PROTOCOL_VERSION = 1;

export interface HelloRequest {
  readonly driver: string;
  /** The interfaces the benchmark crosses on this host, to describe in the reply (absent: none). */
  readonly interfaces?: readonly string[];
}

export interface HelloReply {
  readonly protocolVersion: number;
  /** The address the benchmark reaches this host on (the agent's --bench-address), and its interface. */
  readonly benchAddress: string;
  readonly benchInterface: string;
  readonly hostname: string;
  readonly kernel: string;
  readonly cpuCount: number;
  /** The CPUs the agent may run on (its affinity: under a CPU manager, the pod's own), which a start may name. */
  readonly cpus: readonly number[];
  readonly node: string;
  /** The asked interfaces: driver, offloads, IRQ lines and their CPUs (bench/collector/nic.ts). */
  readonly nics: readonly NicRecord[];
  /**
   * The agent's clock (its host's CLOCK_MONOTONIC, ms: bench/support/host-clock.ts `hostClockMs`) when the call
   * arrived and when it answered: one clock-offset sample.
   */
  readonly receivedMs: number;
  readonly sentMs: number;
}

export interface StartServerRequest {
  readonly protocol: Protocol;
  /** The address the benchmark traffic reaches this host on: never the control link's. */
  readonly host: string;
  /** The CPU to pin the server to (taskset), or null for none. */
  readonly cpu: number | null;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly settings: ServerSettings;
  /**
   * How long the server may live without a Renew: a driver that dies or loses the host leaves nothing running once
   * its lease runs out.
   */
  readonly leaseMs: number;
}

export interface StartServerReply {
  /** The agent's name for the server, for Stop, Renew and Snapshot. */
  readonly id: string;
  readonly pid: number;
  readonly port: number;
}

/** A server or a generator the agent runs, by the id its start gave. */
export interface Ref {
  readonly id: string;
}

export interface RenewReply {
  /** The servers and generators whose lease this renewed; one the agent no longer runs is missing. */
  readonly renewed: readonly string[];
}

export interface SnapshotRequest {
  /** The server whose threads to read (context switches, schedstat), or null. */
  readonly serverId: string | null;
  /** The generator whose threads to read, or null (absent: null). */
  readonly generatorId?: string | null;
  /**
   * When to read, on this agent's clock: the window's edges, by the run's schedule, so that every host's counters
   * cover the same window. Absent: at once. The reply comes after the reading.
   */
  readonly atMs?: number;
  /** The interfaces to pick out of this host's net/dev, e.g. ["eth0"]. */
  readonly interfaces: readonly string[];
}

export interface SnapshotReply {
  readonly snapshot: Snapshot;
  /** The agent's clock when the reading began: how late after `atMs` it came. */
  readonly readAtMs: number;
}

export interface StopReply {
  /** False when the agent ran nothing of that id (any more). */
  readonly stopped: boolean;
}

export interface StartGeneratorRequest {
  /** The generator child's own config (bench/load/messages.ts): the client, its connections and warm-up, priming. */
  readonly config: GeneratorConfig;
  /** The CPU to pin the generator to, or null for none. */
  readonly cpu: number | null;
  readonly leaseMs: number;
}

export interface StartGeneratorReply {
  readonly id: string;
  readonly pid: number;
  readonly primed: PrimeOutcome | null;
}

export interface RunLoadRequest {
  readonly id: string;
  readonly plan: LoadPlan;
  /** When the first request is due, on this agent's clock (the driver converts with the measured offset). */
  readonly startAtMs: number;
}

export interface RunLoadReply {
  readonly report: GeneratorReport;
}

interface Method<Req, Res> {
  readonly request: Req;
  readonly response: Res;
}

/** The service's methods, unary all, and their message types. */
export interface AgentMethods {
  readonly Hello: Method<HelloRequest, HelloReply>;
  readonly StartServer: Method<StartServerRequest, StartServerReply>;
  readonly Renew: Method<{ readonly ids: readonly string[] }, RenewReply>;
  readonly Snapshot: Method<SnapshotRequest, SnapshotReply>;
  readonly StartGenerator: Method<StartGeneratorRequest, StartGeneratorReply>;
  readonly RunLoad: Method<RunLoadRequest, RunLoadReply>;
  readonly Stop: Method<Ref, StopReply>;
}

export type AgentMethodName = keyof AgentMethods;

export const AGENT_METHODS: readonly AgentMethodName[] = ["Hello", "StartServer", "StartGenerator", "RunLoad", "Renew", "Snapshot", "Stop"];

const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): unknown => JSON.parse(bytes.toString("utf8"));

/** The grpc-js service definition both ends build their server and client from. */
export const AGENT_SERVICE_DEFINITION: grpc.ServiceDefinition = Object.fromEntries(
  AGENT_METHODS.map((name) => [
    name,
    {
      path: `/${AGENT_SERVICE}/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: serialize,
      requestDeserialize: deserialize,
      responseSerialize: serialize,
      responseDeserialize: deserialize,
    },
  ]),
);

export const TOKEN_METADATA_KEY = "authorization";

export function bearer(token: string): string {
  return `Bearer ${token}`;
}
