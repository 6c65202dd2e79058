/** What every client in clients/ is created with and offers the load generator, and which client drives an arm. */

import { armOf, assertNever } from "./arms.ts";
import type { ClientKind, Protocol } from "./arms.ts";
import type { SendCallback } from "./errors.ts";
import type { TlsParameters } from "./tls.ts";
import type { Exchange } from "./exchange.ts";

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
  /** The TLS arms' version and ciphers, as the server was given them; absent: DEFAULT_TLS_PARAMETERS. */
  readonly tlsParameters?: TlsParameters;
  /**
   * A user server's request and the answer it must give (contract/exchange.ts), sent in place of the workload's
   * sequence-numbered payload; `requestBytes` and `responseBytes` then mean nothing. Only the wire clients take it.
   */
  readonly exchange?: Exchange;
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
  /**
   * For a client that reports its TLS handshakes (the HTTP/1.1 clients, which open a connection per request on
   * `https1-close`, each offering the last session it was given): `listener` hears each handshake as it completes,
   * and whether it resumed a session; null stops it. Absent on the other clients.
   */
  onTlsHandshake?(listener: ((resumed: boolean) => void) | null): void;
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

/** The library client of `protocol`: the `--grpc-client` choice where the arm offers it, else its first client. */
export function clientKindFor(protocol: Protocol, grpcClient: GrpcClientChoice): ClientKind {
  const { clients } = armOf(protocol);
  return clients.includes(grpcClient) ? grpcClient : clients[0];
}

/**
 * `--client`: which kind of client drives the arms. `library`: each arm's library client (undici, node:http2,
 * grpc-js or lean by `--grpc-client`), what a Node application pays per request; `wire`: the wire-level clients of
 * clients/wire/, which cost the generator a fraction of the library clients' CPU per request.
 */
export const CLIENT_CHOICES = ["wire", "library"] as const;
export type ClientChoice = (typeof CLIENT_CHOICES)[number];

/** Which `--client` choice a client kind belongs to. */
export function clientChoiceOf(kind: ClientKind): ClientChoice {
  switch (kind) {
    case "wire":
      return "wire";
    case "undici":
    case "node-http2":
    case "grpc-js":
    case "lean":
    case "undici-websocket":
      return "library";
    default:
      return assertNever(kind);
  }
}

/** The client that drives `protocol` under `--client choice` and `--grpc-client grpcClient`. */
export function chosenClientKind(protocol: Protocol, choice: ClientChoice, grpcClient: GrpcClientChoice): ClientKind {
  switch (choice) {
    case "library":
      return clientKindFor(protocol, grpcClient);
    case "wire": {
      const { name, clients } = armOf(protocol);
      // Unreachable while every row lists "wire"; test/contract/arms-table.test.ts checks they do.
      if (!clients.includes("wire")) throw new TypeError(`${name} has no wire client: contract/arms.ts lists ${clients.join(", ")}`);
      return "wire";
    }
    default:
      return assertNever(choice);
  }
}
