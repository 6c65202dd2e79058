/**
 * One entry for every arm's client. Families are imported on demand, so an HTTP generator never loads grpc-js.
 */

import { assertNever, familyOf } from "../bench/protocol.ts";
import type { BenchClient, ClientOptions } from "../bench/protocol.ts";

export async function createClient(opts: ClientOptions): Promise<BenchClient> {
  const family = familyOf(opts.protocol);
  switch (family) {
    case "http1":
      return (await import("./http1/client.ts")).createClient(opts);
    case "http2":
      return (await import("./http2/client.ts")).createClient(opts);
    case "grpc":
      return (await import("./grpc/client.ts")).createClient(opts);
    default:
      return assertNever(family);
  }
}
