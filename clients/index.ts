/**
 * One entry for every arm's client. Families are imported on demand, so an HTTP generator never loads grpc-js, and
 * the lean gRPC client (`--grpc-client lean`) never loads it either.
 */

import { assertNever, familyOf } from "../contract/index.ts";
import type { BenchClient, ClientOptions } from "../contract/index.ts";

/** Which client speaks the gRPC arms: the real library (the default, and the headline arm) or the lean one. */
export const GRPC_CLIENTS = ["grpc-js", "lean"] as const;
export type GrpcClientChoice = (typeof GRPC_CLIENTS)[number];

export async function createClient(opts: ClientOptions, grpcClient: GrpcClientChoice = "grpc-js"): Promise<BenchClient> {
  const family = familyOf(opts.protocol);
  switch (family) {
    case "http1":
      return (await import("./library/http1/client.ts")).createClient(opts);
    case "http2":
      return (await import("./library/http2/client.ts")).createClient(opts);
    case "grpc":
      switch (grpcClient) {
        case "grpc-js":
          return (await import("./library/grpc/client.ts")).createClient(opts);
        case "lean":
          return (await import("./library/grpc/lean-client.ts")).createLeanClient(opts);
        default:
          return assertNever(grpcClient);
      }
    default:
      return assertNever(family);
  }
}
