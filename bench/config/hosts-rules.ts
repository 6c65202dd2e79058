/**
 * What a run across hosts — simulated (`--topology hosts`) or real (`--agents`) — runs, and what it does not yet:
 * the driver and its agents carry the arms' own servers and generators, cleartext, measured by /proc ticks.
 * Everything else is refused here, before anything is made, in one line naming the flag — never silently run on one
 * host instead.
 */
import { isIP } from "node:net";
import { usesTls } from "../../contract/index.ts";
import type { BenchConfig } from "./config.ts";
import { UsageError } from "../support/errors.ts";

/** One host of `--agents`: its name in the run ("server", "client", "client-2", …) and its agent's address. */
export interface AgentSpec {
  readonly name: string;
  readonly role: "server" | "client";
  readonly address: string;
}

const AGENTS_EXAMPLE = "e.g. --agents server=10.0.0.1:7000,client=10.0.0.2:7000";
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `server=ADDR:PORT,client=ADDR:PORT[,client=…]`, one server and at least one client, or a UsageError. Pure. */
export function parseAgents(text: string): AgentSpec[] {
  const specs: AgentSpec[] = [];
  let clients = 0;
  for (const part of text.split(",")) {
    const m = /^(server|client)=((?:\[[^\]]+\]|[^:[\]]+):(\d{1,5}))$/.exec(part.trim());
    const host = m?.[2]?.replace(/:\d+$/, "").replace(/^\[|\]$/g, "") ?? "";
    // An IP address, or a DNS name (RFC 1123): a Kubernetes Service's, for agents rendered by npm run k8s.
    const named = isIP(host) !== 0 || DNS_NAME.test(host);
    if (m === null || !named || Number(m[3]) < 1 || Number(m[3]) > 65_535) {
      throw new UsageError("WC_BAD_VALUE", `--agents: ${JSON.stringify(part)} is not server=ADDR:PORT or client=ADDR:PORT with an IP address or a DNS name; ${AGENTS_EXAMPLE}`);
    }
    const role = m[1] as "server" | "client";
    if (role === "client") clients++;
    specs.push({ name: role === "server" ? "server" : clients === 1 ? "client" : `client-${clients}`, role, address: m[2] as string });
  }
  if (specs.filter((s) => s.role === "server").length !== 1 || clients === 0) {
    throw new UsageError("WC_BAD_VALUE", `--agents ${text}: name one server and at least one client; ${AGENTS_EXAMPLE}`);
  }
  return specs;
}

export function checkHosts(config: BenchConfig): void {
  const across = config.topology === "hosts" || config.agents !== null;
  if (config.topology !== "hosts" && config.clientHosts !== 1) throw new UsageError("WC_BAD_FLAG", "--client-hosts is for --topology hosts; add --topology hosts or drop --client-hosts");
  if (config.agents === null && config.tokenFile !== null) throw new UsageError("WC_BAD_FLAG", "--token-file is for --agents; add --agents or drop --token-file");
  if (!across) return;
  const what = config.agents === null ? "--topology hosts" : "--agents";
  if (config.agents !== null) {
    parseAgents(config.agents);
    if (config.topology !== "auto") throw new UsageError("WC_BAD_FLAG", `--agents runs on the hosts it names, not in a --topology; drop --topology ${config.topology}`);
    if (config.tokenFile === null) throw new UsageError("WC_BAD_FLAG", "--agents needs --token-file FILE, holding the token the agents were started with");
  }
  const refuse = (thing: string, fix: string): never => {
    throw new UsageError("WC_UNSUPPORTED", `${what}: ${thing} not run across hosts yet; ${fix}`);
  };
  const clients = config.agents === null ? config.clientHosts : parseAgents(config.agents).filter((a) => a.role === "client").length;
  const lowest = config.sweep?.from ?? config.rps;
  if (config.pps === null && lowest < clients) {
    throw new UsageError("WC_BAD_VALUE", `${config.sweep === null ? "--rps" : "--from"} ${lowest}: less than one request per second for each of the ${clients} client hosts; raise it or use fewer client hosts`);
  }
  const tls = config.protocols.filter(usesTls);
  if (tls.length > 0) refuse(`TLS arms (${tls.join(", ")}) are`, "drop them from --protocols");
  if ((config.servers ?? []).length > 0) refuse("a config file's servers (and --server-command) are", "measure your own server on one host");
  if (config.driver === "h2load") refuse("--driver h2load is", "drop --driver h2load");
  if (config.verify) refuse("--verify (tcpdump) is", "drop --verify");
  if (config.pps !== null || config.sweep?.by === "pps") refuse("a load by packets per second (--pps, --by pps) is", "give --rps");
  if (config.kernelTime === "ebpf") refuse("the eBPF kernel time is", "use --kernel-time tick (or auto, which says so)");
  if (config.rateLimitBitsPerSecond !== null || config.netem !== null) refuse("--rate-limit and --netem are", "drop them");
}
