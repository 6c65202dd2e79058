/**
 * Defaults and validation of `CreateTopologyOptions`. A bad value is a `TopologyError` naming the flag and the fix.
 */
import * as fs from "node:fs";
import { parseCpuList } from "./cpu-mask.ts";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./exec.ts";
import { isValidRunId } from "./naming.ts";
import {
  type CreateTopologyOptions,
  isTopologyKind,
  type NatBackendChoice,
  type OffloadMode,
  type PublishedPort,
  RX_STEERING_MODES,
  type RxSteering,
  type TopologyKind,
  TopologyError,
} from "./types.ts";

export interface ResolvedTopologyOptions {
  readonly kind: TopologyKind;
  readonly runId: string;
  readonly serverCpu: number;
  readonly clientCpu: number;
  readonly rxSteering: RxSteering;
  readonly mtu: number;
  /** Whether `mtu` was asked for (loopback warns that it is not applied). */
  readonly mtuGiven: boolean;
  readonly offloads: OffloadMode;
  readonly commandTimeoutMs: number;
  /** docker only. */
  readonly natBackend: NatBackendChoice;
  /** docker only; undefined: the default (every port). */
  readonly publish: readonly PublishedPort[] | undefined;
  /** hosts only: client hosts on the wire (1 elsewhere). */
  readonly clientHosts: number;
  readonly warnings: readonly string[];
}

export const DEFAULT_MTU = 1500;
/** The hosts topology's client namespaces are cli, cli2 … cli8 (naming.ts). */
export const MAX_CLIENT_HOSTS = 8;

/** The CPUs this process may use (its affinity, e.g. narrowed by a cpuset), else the online CPUs. */
export function allowedCpus(): number[] {
  try {
    const status = fs.readFileSync("/proc/self/status", "utf8");
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(status);
    if (m !== null) return parseCpuList(m[1] as string);
  } catch {
    // fall through
  }
  try {
    return parseCpuList(fs.readFileSync("/sys/devices/system/cpu/online", "utf8"));
  } catch {
    return [0];
  }
}

function invalid(message: string): TopologyError {
  return new TopologyError("TOPOLOGY_INVALID_OPTION", message);
}

/** The server's and the client's CPUs: the ones given, else the last and the first of `cpus` (this process's). */
export function runCpus(serverCpu: number | undefined | null, clientCpu: number | undefined | null, cpus: readonly number[] = allowedCpus()): [number, number] {
  const listed = cpus.length === 0 ? [0] : [...cpus].sort((a, b) => a - b);
  return [serverCpu ?? (listed[listed.length - 1] as number), clientCpu ?? (listed[0] as number)];
}

export function resolveTopologyOptions(opts: CreateTopologyOptions, cpus: readonly number[] = allowedCpus()): ResolvedTopologyOptions {
  if (!isTopologyKind(opts.kind)) throw invalid(`--topology ${String(opts.kind)}: use netns, bridge, docker, hosts or loopback`);
  const clientHosts = opts.clientHosts ?? 1;
  if (!Number.isInteger(clientHosts) || clientHosts < 1 || clientHosts > MAX_CLIENT_HOSTS) throw invalid(`--client-hosts ${clientHosts}: use a whole number from 1 to ${MAX_CLIENT_HOSTS}`);
  if (opts.kind !== "hosts" && clientHosts !== 1) throw invalid(`--client-hosts is for --topology hosts, not ${opts.kind}`);
  if (!isValidRunId(opts.runId)) {
    throw invalid(`run id ${JSON.stringify(opts.runId)}: use 1–48 characters of [A-Za-z0-9_.-], starting alphanumeric`);
  }
  const listed = cpus.length === 0 ? [0] : [...cpus].sort((a, b) => a - b);
  const [serverCpu, clientCpu] = runCpus(opts.serverCpu, opts.clientCpu, listed);
  for (const [flag, cpu] of [["--server-cpu", serverCpu], ["--client-cpu", clientCpu]] as const) {
    if (!listed.includes(cpu)) throw invalid(`${flag} ${cpu}: this process may only use CPUs ${listed.join(",")}; pick one of them`);
  }
  const mtu = opts.mtu ?? DEFAULT_MTU;
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw invalid(`--mtu ${mtu}: use a whole number from 68 to 65535`);
  const rxSteering = opts.rxSteering ?? "rps";
  if (!RX_STEERING_MODES.includes(rxSteering)) throw invalid(`--rx-steering ${String(rxSteering)}: use rps, threaded-napi or none`);
  const offloads = opts.offloads ?? "default";
  if (offloads !== "default" && offloads !== "off") throw invalid(`--offloads ${String(offloads)}: use default or off`);
  if (rxSteering === "threaded-napi" && offloads === "off" && opts.kind !== "loopback") {
    // veth polls with NAPI only with GRO on at the receiver (rx-steering.ts); --offloads off turns GRO off.
    throw invalid("--rx-steering threaded-napi needs GRO on at the server eth0, which --offloads off turns off: use one or the other");
  }
  const natBackend = opts.natBackend ?? "auto";
  if (natBackend !== "auto" && natBackend !== "nftables" && natBackend !== "iptables") {
    throw invalid(`NAT backend ${String(natBackend)}: use auto, nftables or iptables`);
  }
  if (opts.kind !== "docker" && (opts.natBackend !== undefined || opts.publish !== undefined)) {
    throw invalid(`NAT backend and published ports are for --topology docker, not ${opts.kind}`);
  }
  const commandTimeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) throw invalid(`command timeout ${commandTimeoutMs} ms must be > 0`);
  const warnings: string[] = [];
  if (serverCpu === clientCpu) {
    warnings.push(`server and client share CPU ${serverCpu}: each one's CPU time includes waiting for the other; use --server-cpu/--client-cpu on a machine with 2+ CPUs`);
  }
  return {
    kind: opts.kind,
    runId: opts.runId,
    serverCpu,
    clientCpu,
    rxSteering,
    mtu,
    mtuGiven: opts.mtu !== undefined,
    offloads,
    commandTimeoutMs,
    natBackend,
    publish: opts.publish,
    clientHosts,
    warnings,
  };
}
