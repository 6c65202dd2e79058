/**
 * What the agent checks of a driver's request before it starts anything: an arm of the table, cleartext, an IP
 * address, one of the CPUs it may use, a lease in bounds, a client kind it knows — each refusal a gRPC status and one
 * line the driver shows with the host's name (bench/agent/client.ts).
 */
import * as grpc from "@grpc/grpc-js";
import { isIP } from "node:net";
import { CLIENT_KINDS, isProtocol, usesTls } from "../../contract/index.ts";
import type { ClientKind, Protocol } from "../../contract/index.ts";
import type { StartGeneratorRequest } from "./protocol.ts";

/** Bounds of a lease: a renewal every few seconds must fit, and a lost driver must not hold a host long. */
export const LEASE_MS = { min: 100, max: 600_000 } as const;

/** A refusal, with the gRPC status the driver sees. */
export class CallError extends Error {
  readonly code: grpc.status;
  constructor(code: grpc.status, message: string) {
    super(message);
    this.code = code;
  }
}

/** What a server's and a generator's start both need checked: an arm, an address, a CPU, a lease. */
export function checkStart(r: { readonly protocol: unknown; readonly host: unknown; readonly cpu: unknown; readonly leaseMs: unknown }, allowed: readonly number[]): Protocol {
  if (typeof r.protocol !== "string" || !isProtocol(r.protocol)) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `protocol ${JSON.stringify(r.protocol)} is not a wirecost arm; an agent runs only the arms' own servers and generator`);
  }
  // The key would cross the control link; the driver's run certificate is not sent to agents yet.
  if (usesTls(r.protocol)) throw new CallError(grpc.status.FAILED_PRECONDITION, `${r.protocol}: TLS arms are not run by agents yet`);
  if (typeof r.host !== "string" || isIP(r.host) === 0) throw new CallError(grpc.status.INVALID_ARGUMENT, `host ${JSON.stringify(r.host)} is not an IP address`);
  if (r.cpu !== null && !(typeof r.cpu === "number" && allowed.includes(r.cpu))) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `cpu ${JSON.stringify(r.cpu)} is not one of the CPUs this agent may use (${allowed.join(",")})`);
  }
  if (!(typeof r.leaseMs === "number" && r.leaseMs >= LEASE_MS.min && r.leaseMs <= LEASE_MS.max)) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `leaseMs ${JSON.stringify(r.leaseMs)} is outside ${LEASE_MS.min}–${LEASE_MS.max}`);
  }
  return r.protocol;
}

export function checkGenerator(r: StartGeneratorRequest, allowed: readonly number[]): void {
  const client = r.config?.client;
  checkStart({ protocol: client?.protocol, host: client?.host, cpu: r.cpu, leaseMs: r.leaseMs }, allowed);
  if (!CLIENT_KINDS.includes(r.config.clientKind as ClientKind)) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `clientKind ${JSON.stringify(r.config.clientKind)} is not one of ${CLIENT_KINDS.join(", ")}`);
  }
  if (client.exchange !== undefined) throw new CallError(grpc.status.FAILED_PRECONDITION, "a user server's request is not sent by agents yet");
}

