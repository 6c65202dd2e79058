/**
 * What `--ws-deflate` (config key `server.wsDeflate`) needs of the rest of the config: a WebSocket arm to
 * apply to, and a client that offers permessage-deflate — undici's WebSocket does, the wire client does not, so
 * its scenarios would run uncompressed under a flag that says otherwise.
 */
import { familyOf } from "../../contract/index.ts";
import type { BenchConfig } from "./config.ts";
import { UsageError } from "../support/errors.ts";

/** Throws a one-line UsageError when `--ws-deflate` is set where it cannot apply. */
export function checkWebSocketDeflate(config: Pick<BenchConfig, "protocols" | "client" | "server">): void {
  if (!config.server.wsDeflate) return;
  if (!config.protocols.some((p) => familyOf(p) === "websocket")) {
    throw new UsageError("WC_BAD_FLAG", "--ws-deflate only applies to the ws and wss arms; add ws or wss to --protocols, or drop --ws-deflate");
  }
  if (config.client.includes("wire")) {
    throw new UsageError("WC_BAD_FLAG", "--ws-deflate: the wire WebSocket client does not offer permessage-deflate, so it would run uncompressed; add --client library");
  }
}
