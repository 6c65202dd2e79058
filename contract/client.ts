/** What every client in clients/ is created with and offers the load generator, and which client drives an arm. */

import { armOf } from "./arms.ts";
import type { ClientKind, Protocol } from "./arms.ts";
import type { SendCallback } from "./errors.ts";

export interface ClientOptions {
  readonly protocol: Protocol;
  readonly host: string;
  readonly port: number;
  /** TCP connections to open (for http1-close: the most open at once). */
  readonly connections: number;
  /** In-flight requests allowed per connection for h2/gRPC; more wait in the client's queue. */
  readonly streams: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  /** Per-request timeout, ms. */
  readonly requestTimeoutMs: number;
  /** CA certificate (PEM) to trust for the TLS arms. */
  readonly caPem?: string;
}

export interface BenchClient {
  /** Opens connections and completes one request on each, so load starts on warm connections. */
  warmUp(): Promise<void>;
  /** Sends request `seq`; `done` is called once with the outcome. Never blocks on earlier requests. */
  send(seq: number, done: SendCallback): void;
  /** Requests sent but not yet answered. */
  readonly inFlight: number;
  /** Closes every connection; outstanding requests fail with kind "reset". */
  close(): Promise<void>;
}

/** `--grpc-client`: which client speaks the gRPC arms: the real library (the default, and the headline arm) or the lean one. */
export const GRPC_CLIENTS = ["grpc-js", "lean"] as const satisfies readonly ClientKind[];
export type GrpcClientChoice = (typeof GRPC_CLIENTS)[number];

function isGrpcClientChoice(kind: ClientKind): kind is GrpcClientChoice {
  return (GRPC_CLIENTS as readonly ClientKind[]).includes(kind);
}

/** Whether `--grpc-client` chooses the client of `protocol`: its clients column lists a choice. */
export function choosesGrpcClient(protocol: Protocol): boolean {
  return armOf(protocol).clients.some(isGrpcClientChoice);
}

/** The client that drives `protocol`: the `--grpc-client` choice where the arm offers it, else its default. */
export function clientKindFor(protocol: Protocol, grpcClient: GrpcClientChoice): ClientKind {
  const { clients } = armOf(protocol);
  return clients.includes(grpcClient) ? grpcClient : clients[0];
}
