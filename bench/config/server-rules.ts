/**
 * What the arms served by another server than ours (contract/arms.ts `server`: nginx) need: the server installed
 * (checked by the CLI before anything is created, as h2load is), and no TLS flag, which nginx's config does not take
 * yet (bench/run/nginx.ts leaves nginx its own TLS 1.2–1.3 defaults).
 */
import { armOf } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { hasCommand } from "../support/tools.ts";
import { UsageError } from "../support/errors.ts";
import type { BenchConfig } from "./config.ts";

const NGINX_PACKAGE = "nginx-light";

function nginxArms(protocols: readonly Protocol[]): Protocol[] {
  return protocols.filter((p) => armOf(p).server === "nginx");
}

/** Throws a one-line UsageError naming the package when an nginx arm is asked for and nginx is not installed. */
export function checkServersInstalled(config: Pick<BenchConfig, "protocols">, has: (command: string) => boolean = hasCommand): void {
  const arms = nginxArms(config.protocols);
  if (arms.length > 0 && !has("nginx")) {
    throw new UsageError("WC_MISSING_TOOL", `--protocols ${arms.join(",")} needs nginx, which is not installed; apt-get install ${NGINX_PACKAGE}, or npm run setup`);
  }
}

/** Throws a one-line UsageError when a TLS flag is set beside an nginx TLS arm, which would not be given it. */
export function checkServerTls(config: Pick<BenchConfig, "protocols" | "tlsVersion" | "tlsCiphers" | "tlsGroups">): void {
  const tlsArms = nginxArms(config.protocols).filter((p) => armOf(p).tls);
  const set = config.tlsVersion !== "auto" || config.tlsCiphers !== null || (config.tlsGroups ?? null) !== null;
  if (tlsArms.length > 0 && set) {
    throw new UsageError(
      "WC_UNSUPPORTED",
      `--tls-version, --tls-ciphers and --tls-groups are not passed on to nginx (${tlsArms.join(",")}), which keeps its own TLS defaults; drop them, or run the nginx arms on their own`,
    );
  }
}
