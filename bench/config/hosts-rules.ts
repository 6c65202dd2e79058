/**
 * What `--topology hosts` (bench/hosts/) runs and what it does not yet: the driver and its agents carry the arms'
 * own servers and generators, cleartext, measured by /proc ticks. Everything else is refused here, before anything
 * is made, in one line naming the flag — never silently run on one host instead.
 */
import { usesTls } from "../../contract/index.ts";
import type { BenchConfig } from "./config.ts";
import { UsageError } from "../support/errors.ts";

export function checkHosts(config: BenchConfig): void {
  if (config.topology !== "hosts") {
    if (config.clientHosts !== 1) throw new UsageError("WC_BAD_FLAG", "--client-hosts is for --topology hosts; add --topology hosts or drop --client-hosts");
    return;
  }
  const refuse = (what: string, fix: string): never => {
    throw new UsageError("WC_UNSUPPORTED", `--topology hosts: ${what} not run across hosts yet; ${fix}`);
  };
  const tls = config.protocols.filter(usesTls);
  if (tls.length > 0) refuse(`TLS arms (${tls.join(", ")}) are`, "drop them from --protocols");
  if ((config.servers ?? []).length > 0) refuse("a config file's servers (and --server-command) are", "measure your own server on one host");
  if (config.driver === "h2load") refuse("--driver h2load is", "drop --driver h2load");
  if (config.verify) refuse("--verify (tcpdump) is", "drop --verify");
  if (config.pps !== null || config.sweep?.by === "pps") refuse("a load by packets per second (--pps, --by pps) is", "give --rps");
  if (config.kernelTime === "ebpf") refuse("the eBPF kernel time is", "use --kernel-time tick (or auto, which says so)");
  if (config.rateLimitBitsPerSecond !== null || config.netem !== null) refuse("--rate-limit and --netem are", "drop them");
}
