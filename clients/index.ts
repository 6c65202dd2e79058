/**
 * One entry for every arm's client, picked by `--client`, the arms table's clients column (contract/arms.ts) and
 * `--grpc-client` (contract/client.ts `chosenClientKind`). Clients are imported on demand, so an HTTP generator never
 * loads grpc-js, and neither the wire clients nor the lean gRPC client (`--grpc-client lean`) load it either.
 */

import { armOf, assertNever, clientKindFor, familyOf } from "../contract/index.ts";
import { sendingFixedSeq } from "./common/fixed-answer.ts";
import type { BenchClient, ClientKind, ClientOptions, GrpcClientChoice } from "../contract/index.ts";

// bench/config reads the choice lists from here; they live in the contract beside the clients column.
export { CLIENT_CHOICES, GRPC_CLIENTS } from "../contract/index.ts";
export type { ClientChoice, GrpcClientChoice } from "../contract/index.ts";

/**
 * The client of `kind` for `opts.protocol`; it throws when the arm is not its family's. An arm whose server gives a
 * fixed answer gets its client sending sequence number 0 (clients/common/fixed-answer.ts).
 */
export async function createClientOfKind(kind: ClientKind, opts: ClientOptions): Promise<BenchClient> {
  // Refused before a run starts (bench/config/user-servers.ts); here so no other caller gets the workload's payload instead.
  if (opts.exchange !== undefined && kind !== "wire") throw new TypeError(`a user server's request is sent by the wire clients only, not ${kind}`);
  const client = await clientOfKind(kind, opts);
  if (opts.exchange !== undefined) return client;
  const server = armOf(opts.protocol).server;
  switch (server) {
    case "node":
      return client;
    case "nginx":
      return sendingFixedSeq(client, opts.connections);
    default:
      return assertNever(server);
  }
}

async function clientOfKind(kind: ClientKind, opts: ClientOptions): Promise<BenchClient> {
  switch (kind) {
    case "undici":
      return (await import("./library/http1/client.ts")).createClient(opts);
    case "node-http2":
      return (await import("./library/http2/client.ts")).createClient(opts);
    case "grpc-js":
      return (await import("./library/grpc/client.ts")).createClient(opts);
    case "lean":
      return (await import("./library/grpc/lean-client.ts")).createLeanClient(opts);
    case "undici-websocket":
      return (await import("./library/websocket/client.ts")).createClient(opts);
    case "wire":
      return createWireClient(opts);
    default:
      return assertNever(kind);
  }
}

/** The wire-level client of the arm's family (clients/wire/<family>/client.ts). */
async function createWireClient(opts: ClientOptions): Promise<BenchClient> {
  const family = familyOf(opts.protocol);
  switch (family) {
    case "http1":
      return (await import("./wire/http1/client.ts")).createClient(opts);
    case "http2":
      return (await import("./wire/http2/client.ts")).createClient(opts);
    case "grpc":
      return (await import("./wire/grpc/client.ts")).createClient(opts);
    case "websocket":
      return (await import("./wire/websocket/client.ts")).createClient(opts);
    default:
      return assertNever(family);
  }
}

/** The client that drives `opts.protocol`: the arm's default, or for the gRPC arms the `grpcClient` choice. */
export async function createClient(opts: ClientOptions, grpcClient: GrpcClientChoice = "grpc-js"): Promise<BenchClient> {
  return createClientOfKind(clientKindFor(opts.protocol, grpcClient), opts);
}
