/**
 * The agent: a long-running gRPC service on one host that starts and stops the arms' servers and generators there,
 * pinned where the driver says, runs loads at the instant the driver schedules, and reads the collector's snapshot
 * of the host (bench/agent/protocol.ts).
 *
 * What it may run is closed: only the servers of the arms table (contract/arms.ts) and the generator child, started
 * by the same code a local run uses (bench/run/server-process.ts, bench/load/generator-process.ts), never a command
 * a caller names. Every call must carry the run's token.
 * Every server lives on a lease the driver renews; a driver that dies or loses the host leaves nothing running once
 * the lease runs out, and closing the agent (Ctrl-C) stops what it runs.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { cpus, hostname, networkInterfaces, release } from "node:os";
import * as grpc from "@grpc/grpc-js";
import { readSnapshot } from "../collector/index.ts";
import { startGeneratorProcess } from "../load/generator-process.ts";
import type { GeneratorProcess } from "../load/generator-process.ts";
import { startArmServer } from "../run/server-process.ts";
import { allowedCpus } from "../topology/options.ts";
import { serverOptionsSchema } from "../../servers/child.ts";
import type { Command } from "../support/child-process.ts";
import { describeNic } from "../collector/nic.ts";
import { hostClockMs } from "../support/host-clock.ts";
import { CallError, checkGenerator, checkStart } from "./checks.ts";
import { AGENT_PROTOCOL_VERSION, AGENT_SERVICE_DEFINITION, TOKEN_METADATA_KEY, bearer } from "./protocol.ts";
import type { AgentMethodName, AgentMethods } from "./protocol.ts";

export interface AgentOptions {
  readonly host: string;
  /** The address of the interface the benchmark crosses here, which servers listen on and generators send from. */
  readonly benchAddress: string;
  /** The CPUs it may pin a server or a generator to; absent: its own affinity (a CPU manager's cpuset in a pod). */
  readonly cpus?: readonly number[];
  /** 0 picks a free port; RunningAgent.port says which. */
  readonly port: number;
  readonly token: string;
  readonly log?: (line: string) => void;
  /** The agent's clock for Hello's samples and scheduled snapshots (ms); the host's monotonic clock unless a test injects one. */
  readonly now?: () => number;
}

export interface RunningAgent {
  readonly port: number;
  /** The ids of the servers and generators it runs now. */
  running(): string[];
  /** Stops every server it runs, then the service. */
  close(): Promise<void>;
}

const STOP_GRACE_MS = 2_000;
/** A window's end edge is asked for at its start: --warmup and --duration (an hour each at most) and the lead. */
const MAX_SNAPSHOT_WAIT_MS = 2 * 3_600_000 + 60_000;

/** A server or a generator the agent runs. */
interface Held {
  readonly kind: "server" | "generator";
  readonly pid: number;
  readonly leaseMs: number;
  timer: NodeJS.Timeout;
  readonly stop: (graceMs: number) => Promise<void>;
  readonly exited: Promise<unknown>;
  readonly generator?: GeneratorProcess;
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/**
 * Node's timers fire a millisecond or more late, and later still on a CPU a generator keeps busy (5.8 ms measured
 * at a window's start): the timer wakes the agent SPIN_MS early, and it spins the rest on the clock.
 */
const SPIN_MS = 3;
async function untilInstant(atMs: number, now: () => number): Promise<void> {
  const sleepMs = atMs - now() - SPIN_MS;
  if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
  while (now() < atMs) {
    // spinning: a few milliseconds twice a scenario
  }
}

const pinned =
  (cpu: number | null) =>
  (argv: string[]): Command =>
    cpu === null ? { file: argv[0] as string, args: argv.slice(1) } : { file: "taskset", args: ["-c", String(cpu), ...argv] };

/** The interface holding `address` on this host (its network namespace), or null. */
export function interfaceOf(address: string): string | null {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if ((addresses ?? []).some((a) => a.address === address)) return name;
  }
  return null;
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const allowed = options.cpus ?? allowedCpus();
  const benchInterface = interfaceOf(options.benchAddress);
  if (benchInterface === null) throw new Error(`bench address ${options.benchAddress} is on none of this host's interfaces`);
  const log = options.log ?? (() => {});
  // The host's monotonic clock, the one the generator's scheduled start is read on too.
  const now = options.now ?? hostClockMs;
  const expected = digest(bearer(options.token));
  const held = new Map<string, Held>();
  let nextId = 1;

  const stopHeld = async (id: string, why: string): Promise<boolean> => {
    const h = held.get(id);
    if (h === undefined) return false;
    held.delete(id);
    clearTimeout(h.timer);
    await h.stop(STOP_GRACE_MS);
    log(`${h.kind} ${id} (pid ${h.pid}) stopped: ${why}`);
    return true;
  };
  const lease = (id: string, ms: number): NodeJS.Timeout => setTimeout(() => void stopHeld(id, `its lease of ${ms} ms ran out`), ms);
  const hold = (kind: Held["kind"], thing: Omit<Held, "kind" | "timer">): string => {
    const id = `${kind === "server" ? "s" : "g"}${nextId++}`;
    const held1: Held = { kind, ...thing, timer: lease(id, thing.leaseMs) };
    held.set(id, held1);
    void thing.exited.then(() => {
      if (held.get(id) === held1) {
        clearTimeout(held1.timer);
        held.delete(id);
        log(`${kind} ${id} (pid ${thing.pid}) exited by itself`);
      }
    });
    return id;
  };

  const handlers: { [M in AgentMethodName]: (request: AgentMethods[M]["request"], receivedMs: number) => Promise<AgentMethods[M]["response"]> } = {
    Hello: async (request, receivedMs) => ({
      protocolVersion: AGENT_PROTOCOL_VERSION,
      benchAddress: options.benchAddress,
      benchInterface,
      hostname: hostname(),
      kernel: release(),
      cpuCount: cpus().length,
      cpus: allowed,
      node: process.versions.node,
      nics: (Array.isArray(request.interfaces) ? request.interfaces : []).map((name) => describeNic(String(name))),
      receivedMs,
      sentMs: now(),
    }),
    StartServer: async (request) => {
      const protocol = checkStart(request, allowed);
      const { cpu, leaseMs } = request;
      // Every field by the server's own schema (types, ranges, no other keys): the settings reach nginx's config text.
      const checked = serverOptionsSchema.safeParse({ protocol, host: request.host, port: 0, requestBytes: request.requestBytes, responseBytes: request.responseBytes, settings: request.settings });
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new CallError(grpc.status.INVALID_ARGUMENT, `server options: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
      }
      const options = checked.data;
      const host = options.host;
      const server = await startArmServer(options, pinned(cpu)).catch((error: unknown) => {
        throw new CallError(grpc.status.FAILED_PRECONDITION, error instanceof Error ? error.message : String(error));
      });
      const id = hold("server", { pid: server.pid, leaseMs, stop: server.stop, exited: server.child.exited });
      log(`server ${id}: ${protocol} pid ${server.pid} on ${host}:${server.port}${cpu === null ? "" : ` (CPU ${cpu})`}, lease ${leaseMs} ms`);
      return { id, pid: server.pid, port: server.port };
    },
    StartGenerator: async (request) => {
      checkGenerator(request, allowed);
      const { config, cpu, leaseMs } = request;
      const generator = startGeneratorProcess(config, pinned(cpu));
      const pid = await generator.ready.catch(async (error: unknown) => {
        await generator.child.stop(STOP_GRACE_MS);
        throw new CallError(grpc.status.FAILED_PRECONDITION, error instanceof Error ? error.message : String(error));
      });
      const stop = async (graceMs: number): Promise<void> => {
        generator.done();
        await generator.child.stop(graceMs);
      };
      const id = hold("generator", { pid, leaseMs, stop, exited: generator.child.exited, generator });
      log(`generator ${id}: ${config.client.protocol} (${config.clientKind}) pid ${pid} to ${config.client.host}:${config.client.port}${cpu === null ? "" : ` (CPU ${cpu})`}`);
      return { id, pid, primed: generator.primed() };
    },
    RunLoad: async (request) => {
      const generator = held.get(String(request.id))?.generator;
      if (generator === undefined) throw new CallError(grpc.status.NOT_FOUND, `no generator ${request.id} on this agent`);
      const report = await generator.run(request.plan, undefined, request.startAtMs).catch((error: unknown) => {
        throw new CallError(grpc.status.ABORTED, error instanceof Error ? error.message : String(error));
      });
      return { report };
    },
    Stop: async (request) => ({ stopped: await stopHeld(String(request.id), "the driver asked") }),
    Renew: async (request) => {
      const renewed: string[] = [];
      for (const id of Array.isArray(request.ids) ? request.ids : []) {
        const h = held.get(id);
        if (h === undefined) continue;
        clearTimeout(h.timer);
        h.timer = lease(id, h.leaseMs);
        renewed.push(id);
      }
      return { renewed };
    },
    Snapshot: async (request) => {
      const pidOf = (id: string | null | undefined, kind: Held["kind"]): number | null => {
        if (id === null || id === undefined) return null;
        const found = held.get(id);
        if (found?.kind !== kind) throw new CallError(grpc.status.NOT_FOUND, `no ${kind} ${id} on this agent`);
        return found.pid;
      };
      const serverPid = pidOf(request.serverId, "server");
      const generatorPid = pidOf(request.generatorId, "generator");
      const interfaces = Array.isArray(request.interfaces) ? request.interfaces.map(String) : [];
      const waitMs = typeof request.atMs === "number" ? request.atMs - now() : 0;
      if (waitMs > MAX_SNAPSHOT_WAIT_MS) throw new CallError(grpc.status.INVALID_ARGUMENT, `atMs is ${Math.round(waitMs)} ms away; a snapshot waits ${MAX_SNAPSHOT_WAIT_MS} ms at most`);
      if (waitMs > 0) await untilInstant(request.atMs as number, now);
      const readAtMs = now();
      return { snapshot: readSnapshot({ kind: "full", serverPid, generatorPid, serverNetns: { pid: null, interfaces }, hostNetDev: false }), readAtMs };
    },
  };

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(handlers) as AgentMethodName[]) {
    implementation[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const receivedMs = now();
      const presented = call.metadata.get(TOKEN_METADATA_KEY)[0];
      const given = digest(typeof presented === "string" ? presented : "");
      // Equal-length digests, compared in constant time: the token's length and prefix never show in the timing.
      if (!timingSafeEqual(given, expected)) {
        log(`refused ${name} from ${call.getPeer()}: ${presented === undefined ? "no token" : "wrong token"}`);
        callback({ code: grpc.status.UNAUTHENTICATED, details: "wirecost agent: wrong or missing token (the run's --token-file)" });
        return;
      }
      const handler = handlers[name] as (request: unknown, receivedMs: number) => Promise<unknown>;
      handler(call.request ?? {}, receivedMs).then(
        (reply) => callback(null, reply),
        (error: unknown) =>
          callback({ code: error instanceof CallError ? error.code : grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
      );
    };
  }

  const service = new grpc.Server();
  service.addService(AGENT_SERVICE_DEFINITION, implementation);
  const address = isIP(options.host) === 6 ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) =>
    service.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  return {
    port,
    running: () => [...held.keys()],
    close: async () => {
      await Promise.all([...held.keys()].map((id) => stopHeld(id, "the agent is closing")));
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          service.forceShutdown();
          resolve();
        }, 2_000);
        service.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
