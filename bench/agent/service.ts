/**
 * The agent: a long-running gRPC service on one host that starts and stops the arms' servers there, pinned where the
 * driver says, and reads the collector's snapshot of the host for the driver (bench/agent/protocol.ts).
 *
 * What it may run is closed: only the servers of the arms table (contract/arms.ts), started by the same code a local
 * run uses (bench/run/server-process.ts), never a command a caller names. Every call must carry the run's token.
 * Every server lives on a lease the driver renews; a driver that dies or loses the host leaves nothing running once
 * the lease runs out, and closing the agent (Ctrl-C) stops what it runs.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { cpus, hostname, release } from "node:os";
import * as grpc from "@grpc/grpc-js";
import { readSnapshot } from "../collector/index.ts";
import { isProtocol, usesTls } from "../../contract/index.ts";
import { startArmServer } from "../run/server-process.ts";
import type { ArmServer } from "../run/server-process.ts";
import type { Command } from "../support/child-process.ts";
import { AGENT_PROTOCOL_VERSION, AGENT_SERVICE_DEFINITION, TOKEN_METADATA_KEY, bearer } from "./protocol.ts";
import type { AgentMethodName, AgentMethods, StartServerRequest } from "./protocol.ts";

export interface AgentOptions {
  readonly host: string;
  /** 0 picks a free port; RunningAgent.port says which. */
  readonly port: number;
  readonly token: string;
  readonly log?: (line: string) => void;
  /** The agent's clock for Hello's samples (epoch ms); Date.now unless a test injects one. */
  readonly now?: () => number;
}

export interface RunningAgent {
  readonly port: number;
  /** The ids of the servers it runs now. */
  servers(): string[];
  /** Stops every server it runs, then the service. */
  close(): Promise<void>;
}

/** Bounds of a server's lease: a renewal every few seconds must fit, and a lost driver must not hold a host long. */
export const LEASE_MS = { min: 100, max: 600_000 } as const;
const STOP_GRACE_MS = 2_000;

class CallError extends Error {
  readonly code: grpc.status;
  constructor(code: grpc.status, message: string) {
    super(message);
    this.code = code;
  }
}

interface Held {
  readonly server: ArmServer;
  readonly leaseMs: number;
  timer: NodeJS.Timeout;
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

function checkStart(r: StartServerRequest): void {
  if (typeof r.protocol !== "string" || !isProtocol(r.protocol)) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `protocol ${JSON.stringify(r.protocol)} is not a wirecost arm; an agent runs only the arms' own servers`);
  }
  // The key would cross the control link; the driver's run certificate is not sent to agents yet.
  if (usesTls(r.protocol)) throw new CallError(grpc.status.FAILED_PRECONDITION, `${r.protocol}: TLS arms are not run by agents yet`);
  if (typeof r.host !== "string" || isIP(r.host) === 0) throw new CallError(grpc.status.INVALID_ARGUMENT, `host ${JSON.stringify(r.host)} is not an IP address`);
  if (r.cpu !== null && !(Number.isInteger(r.cpu) && r.cpu >= 0 && r.cpu < cpus().length)) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `cpu ${JSON.stringify(r.cpu)} is not one of this host's ${cpus().length} CPUs`);
  }
  if (!(Number.isFinite(r.leaseMs) && r.leaseMs >= LEASE_MS.min && r.leaseMs <= LEASE_MS.max)) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `leaseMs ${JSON.stringify(r.leaseMs)} is outside ${LEASE_MS.min}–${LEASE_MS.max}`);
  }
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const expected = digest(bearer(options.token));
  const held = new Map<string, Held>();
  let nextId = 1;

  const stopHeld = async (id: string, why: string): Promise<boolean> => {
    const h = held.get(id);
    if (h === undefined) return false;
    held.delete(id);
    clearTimeout(h.timer);
    await h.server.stop(STOP_GRACE_MS);
    log(`server ${id} (pid ${h.server.pid}) stopped: ${why}`);
    return true;
  };
  const lease = (id: string, ms: number): NodeJS.Timeout => setTimeout(() => void stopHeld(id, `its lease of ${ms} ms ran out`), ms);

  const handlers: { [M in AgentMethodName]: (request: AgentMethods[M]["request"], receivedMs: number) => Promise<AgentMethods[M]["response"]> } = {
    Hello: async (_request, receivedMs) => ({
      protocolVersion: AGENT_PROTOCOL_VERSION,
      hostname: hostname(),
      kernel: release(),
      cpuCount: cpus().length,
      node: process.versions.node,
      receivedMs,
      sentMs: now(),
    }),
    StartServer: async (request) => {
      checkStart(request);
      const { protocol, host, cpu, requestBytes, responseBytes, settings, leaseMs } = request;
      const wrap = (argv: string[]): Command =>
        cpu === null ? { file: argv[0] as string, args: argv.slice(1) } : { file: "taskset", args: ["-c", String(cpu), ...argv] };
      let server: ArmServer;
      try {
        server = await startArmServer({ protocol, host, port: 0, requestBytes, responseBytes, settings }, wrap);
      } catch (error) {
        throw new CallError(grpc.status.FAILED_PRECONDITION, error instanceof Error ? error.message : String(error));
      }
      const id = `s${nextId++}`;
      held.set(id, { server, leaseMs, timer: lease(id, leaseMs) });
      void server.child.exited.then(() => {
        if (held.get(id)?.server === server) {
          held.delete(id);
          log(`server ${id} (pid ${server.pid}) exited by itself`);
        }
      });
      log(`server ${id}: ${protocol} pid ${server.pid} on ${host}:${server.port}${cpu === null ? "" : ` (CPU ${cpu})`}, lease ${leaseMs} ms`);
      return { id, pid: server.pid, port: server.port };
    },
    StopServer: async (request) => ({ stopped: await stopHeld(String(request.id), "the driver asked") }),
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
      const serverPid = request.serverId === null ? null : (held.get(request.serverId)?.server.pid ?? null);
      if (request.serverId !== null && serverPid === null) throw new CallError(grpc.status.NOT_FOUND, `no server ${request.serverId} on this agent`);
      const interfaces = Array.isArray(request.interfaces) ? request.interfaces.map(String) : [];
      return { snapshot: readSnapshot({ kind: "full", serverPid, generatorPid: null, serverNetns: { pid: null, interfaces }, hostNetDev: false }) };
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
    servers: () => [...held.keys()],
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
