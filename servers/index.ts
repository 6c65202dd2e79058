/**
 * One entry for every arm's server: in-process (`startServer`) for tests, or the file the harness spawns as a child
 * (`serverEntry`, see servers/child.ts). Families are imported on demand, so an HTTP run never loads grpc-js.
 */

import { fileURLToPath } from "node:url";
import { armOf, assertNever, familyOf } from "../contract/index.ts";
import type { Protocol, RunningServer, ServerOptions } from "../contract/index.ts";

/** Throws for an arm that none of our servers answers (contract/arms.ts `server`). */
function ours(protocol: Protocol): void {
  const { server } = armOf(protocol);
  if (server !== "node") throw new TypeError(`${protocol} is answered by ${server}, not by servers/ (bench/run/server-process.ts starts it)`);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  ours(opts.protocol);
  const family = familyOf(opts.protocol);
  switch (family) {
    case "http1":
      return (await import("./http1/server.ts")).startServer(opts);
    case "http2":
      return (await import("./http2/server.ts")).startServer(opts);
    case "grpc":
      return (await import("./grpc/server.ts")).startServer(opts);
    case "websocket":
      return (await import("./websocket/server.ts")).startServer(opts);
    default:
      return assertNever(family);
  }
}

/** Absolute path of the server.ts that serves `protocol`, to run as `process.execPath <entry> --options <json>`. */
export function serverEntry(protocol: Protocol): string {
  ours(protocol);
  return fileURLToPath(new URL(`./${familyOf(protocol)}/server.ts`, import.meta.url));
}
