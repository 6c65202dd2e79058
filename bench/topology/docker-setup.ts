/**
 * The docker topology's host side, inside its "host" namespace: forwarding, br_netfilter, hairpin ports and the
 * NAT rules of docker-nat.ts. Every rule set is recorded as an undo step before it is loaded, so a failure or a
 * signal half-way removes whatever part of it exists.
 */
import * as fs from "node:fs";
import { CommandError, commandExists, run } from "./exec.ts";
import { type NatPlan, NFT_TABLE, iptablesFlavour, iptablesRules, natBinary, nftRules } from "./docker-nat.ts";
import type { RunResources } from "./resources.ts";
import { type DockerInfo, type NatBackend, type NatBackendChoice, TopologyError } from "./types.ts";

interface Ctx {
  readonly resources: RunResources;
  readonly timeoutMs: number;
}

async function cmd(ctx: Ctx, file: string, args: readonly string[], input?: string): Promise<string> {
  const result = await run(file, args, ctx.timeoutMs, (child) => ctx.resources.track(child), input);
  ctx.resources.throwIfAborted();
  return result.stdout;
}

export const NAT_TOOLS_FIX =
  "install nftables (apt-get install nftables) or iptables (apt-get install iptables), or use --topology bridge";

async function versionOf(file: string): Promise<string | null> {
  try {
    return (await run(file, ["--version"])).stdout.trim().split("\n")[0] ?? "";
  } catch (err) {
    if (err instanceof CommandError && err.exitCode === null) return null;
    throw err;
  }
}

/** Which tool loads the NAT: `nft` when present ("auto"), else `iptables` (nf_tables or legacy flavour). */
export async function detectNatBackend(choice: NatBackendChoice): Promise<{ backend: NatBackend; version: string }> {
  if (choice !== "iptables") {
    const nft = await versionOf("nft");
    if (nft !== null) return { backend: "nftables", version: nft };
    if (choice === "nftables") {
      throw new TopologyError("TOPOLOGY_UNSUPPORTED", "--topology docker with nftables needs the nft command: install nftables (apt-get install nftables)");
    }
  }
  const iptables = await versionOf("iptables");
  if (iptables === null) {
    throw new TopologyError("TOPOLOGY_UNSUPPORTED", `--topology docker needs nft or iptables for its NAT and neither is installed: ${NAT_TOOLS_FIX}`);
  }
  const backend = iptablesFlavour(iptables);
  if (backend === null) throw new TopologyError("TOPOLOGY_UNSUPPORTED", `--topology docker: unrecognised \`iptables --version\`: ${iptables}`);
  return { backend, version: iptables };
}

export interface DockerHostPlan extends NatPlan {
  readonly namespace: string;
  readonly ports: readonly string[];
  readonly backend: { readonly backend: NatBackend; readonly version: string };
}

export type DockerHostSetup = Pick<DockerInfo, "nat" | "bridgeNfCallIptables" | "hairpin">;

export async function setUpDockerHost(ctx: Ctx, plan: DockerHostPlan): Promise<DockerHostSetup> {
  const ns = plan.namespace;
  const inNs = (argv: readonly string[]): string[] => ["netns", "exec", ns, ...argv];
  // Per-namespace sysctls: the containers and the real host keep ip_forward as they are.
  try {
    await cmd(ctx, "ip", inNs(["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.bridge.bridge-nf-call-iptables=1"]));
  } catch (err) {
    if (err instanceof CommandError && /bridge-nf-call-iptables/.test(err.stderr)) {
      throw new TopologyError(
        "TOPOLOGY_UNSUPPORTED",
        "--topology docker needs br_netfilter (CONFIG_BRIDGE_NETFILTER; modprobe br_netfilter) so bridged replies pass conntrack, as dockerd requires",
        { cause: err },
      );
    }
    throw err;
  }
  const bridgeNfCallIptables = Number((await cmd(ctx, "ip", inNs(["cat", "/proc/sys/net/bridge/bridge-nf-call-iptables"]))).trim());
  for (const port of plan.ports) {
    await cmd(ctx, "ip", ["-n", ns, "link", "set", "dev", port, "type", "bridge_slave", "hairpin", "on"]);
  }
  const { backend, version } = plan.backend;
  let rules: readonly string[];
  let table: string | null = null;
  if (backend === "nftables") {
    const nft = nftRules(plan);
    ctx.resources.add({ kind: "netfilter", namespace: ns, commands: nft.undo });
    await cmd(ctx, "ip", inNs(["nft", "-f", "-"]), nft.script);
    rules = nft.rules;
    table = NFT_TABLE;
  } else {
    const binary = natBinary(backend);
    const ipt = iptablesRules(plan, binary);
    ctx.resources.add({ kind: "netfilter", namespace: ns, commands: ipt.undo });
    for (const argv of ipt.apply) await cmd(ctx, "ip", inNs([binary, ...argv]));
    rules = ipt.rules;
  }
  return { nat: { backend, version, table, rules }, bridgeNfCallIptables, hairpin: true };
}

/** `net.ipv4.ip_forward` of a namespace, as read back. */
export async function readIpForward(ctx: Ctx, namespace: string): Promise<number> {
  return Number((await cmd(ctx, "ip", ["netns", "exec", namespace, "cat", "/proc/sys/net/ipv4/ip_forward"])).trim());
}

/** Whether the host namespace has conntrack, read through its anchor's /proc (per namespace). */
export async function readConntrack(ctx: Ctx, namespace: string, anchorPid: number): Promise<DockerInfo["conntrack"]> {
  let max: number | null = null;
  try {
    max = Number((await cmd(ctx, "ip", ["netns", "exec", namespace, "cat", "/proc/sys/net/netfilter/nf_conntrack_max"])).trim());
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
  }
  const procFile = `/proc/${anchorPid}/net/nf_conntrack`;
  let present = true;
  try {
    fs.accessSync(procFile, fs.constants.R_OK);
  } catch {
    present = false;
  }
  return { present, procFile: present ? procFile : null, max, tool: commandExists("conntrack", ["--version"]) };
}
