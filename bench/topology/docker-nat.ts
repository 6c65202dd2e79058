/**
 * The docker topology's NAT and forwarding rules, as Docker's bridge driver writes them — pure; docker-setup.ts
 * loads them.
 *
 * Docker (libnetwork `drivers/bridge`, iptables and nftables firewallers) puts, per bridge and published port:
 * a nat PREROUTING/OUTPUT jump for destinations of type LOCAL into a chain holding one DNAT per published port;
 * a POSTROUTING MASQUERADE for the bridge subnet leaving by any other interface; and a filter FORWARD with policy
 * DROP that accepts established traffic to the bridge, new traffic to a published container port, and everything
 * from the bridge. With the userland proxy off (`--userland-proxy=false`), the DNAT also applies to traffic that
 * arrives *from* the bridge (no `-i docker0 -j RETURN`), and bridge ports are in hairpin mode: that is what lets
 * one container reach another through the host's published port without docker-proxy in between.
 *
 * The reply of such a connection goes from the server container to the client container on the same bridge, so
 * it is bridged, not routed: only br_netfilter (`net.bridge.bridge-nf-call-iptables = 1`, which dockerd turns on)
 * passes it through conntrack, which rewrites its source back to the published address. Without it the client
 * gets a reply from an address it never talked to and the connection never opens (tried: the connect hangs).
 * The request, too, is bridged once DNATed (br_netfilter's "bridged DNAT"), so neither direction is routed.
 */
import type { NatBackend, PublishedPort } from "./types.ts";

export const NFT_TABLE_NAME = "wirecost_docker";
export const NFT_TABLE = `ip ${NFT_TABLE_NAME}`;
/** The iptables nat chain holding the DNATs, as Docker's `DOCKER` chain. */
export const IPTABLES_CHAIN = "WIRECOST-DOCKER";

export interface NatPlan {
  /** The bridge device, e.g. "docker0". */
  readonly bridge: string;
  /** The container subnet, e.g. "198.18.7.0/24". */
  readonly subnet: string;
  readonly serverContainer: string;
  readonly published: readonly PublishedPort[];
}

/** `-p 1-65535:1-65535` for TCP and UDP: servers listen on port 0, so every port keeps its number. */
export function defaultPublishedPorts(): PublishedPort[] {
  return [
    { protocol: "tcp", hostPorts: [1, 65535], containerPort: null },
    { protocol: "udp", hostPorts: [1, 65535], containerPort: null },
  ];
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Throws a RangeError naming the mapping that is wrong. */
export function validatePublishedPorts(ports: readonly PublishedPort[]): void {
  if (ports.length === 0) throw new RangeError("publish at least one port (or leave the default: every TCP and UDP port)");
  for (const p of ports) {
    const [first, last] = p.hostPorts;
    const what = `published port ${JSON.stringify(p)}`;
    if (p.protocol !== "tcp" && p.protocol !== "udp") throw new RangeError(`${what}: protocol must be tcp or udp`);
    if (!isPort(first) || !isPort(last) || first > last) throw new RangeError(`${what}: host ports must be 1–65535, first ≤ last`);
    if (p.containerPort !== null && (!isPort(p.containerPort) || first !== last)) {
      throw new RangeError(`${what}: a container port needs a single host port (Docker maps ranges port for port)`);
    }
  }
}

/** Docker's own notation: `-p 8080:80/tcp`, `-p 1-65535:1-65535/udp`. */
export function formatPublishedPort(p: PublishedPort): string {
  const [first, last] = p.hostPorts;
  const host = first === last ? String(first) : `${first}-${last}`;
  return `-p ${host}:${p.containerPort === null ? host : String(p.containerPort)}/${p.protocol}`;
}

export interface NftRules {
  /** Input for `nft -f -`: one transaction, so a failure loads nothing. */
  readonly script: string;
  /** The same commands, one per entry, for the record. */
  readonly rules: readonly string[];
  /** Argv (without the namespace wrapper) that removes everything loaded. */
  readonly undo: readonly (readonly string[])[];
}

/**
 * The ruleset for nft. Chain priorities are numbers: nft 1.0.6 accepts the name `dstnat` for prerouting only.
 * Every rule counts (`counter`), so tests and reports can show which rule the traffic took.
 */
export function nftRules(plan: NatPlan): NftRules {
  const t = NFT_TABLE;
  const br = JSON.stringify(plan.bridge);
  const dnat = plan.published.map((p) => {
    const [first, last] = p.hostPorts;
    const ports = first === last ? String(first) : `${first}-${last}`;
    const to = p.containerPort === null ? plan.serverContainer : `${plan.serverContainer}:${p.containerPort}`;
    return `add rule ${t} published meta l4proto ${p.protocol} th dport ${ports} counter dnat to ${to}`;
  });
  const accept = plan.published.map((p) => {
    const [first, last] = p.hostPorts;
    const port = p.containerPort ?? (first === last ? first : null);
    const ports = port !== null ? String(port) : `${first}-${last}`;
    return `add rule ${t} forward iifname != ${br} oifname ${br} ip daddr ${plan.serverContainer} meta l4proto ${p.protocol} th dport ${ports} counter accept`;
  });
  const rules = [
    `add table ${t}`,
    `add chain ${t} published`,
    ...dnat,
    `add chain ${t} prerouting { type nat hook prerouting priority -100; policy accept; }`,
    `add rule ${t} prerouting fib daddr type local counter jump published`,
    `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
    `add rule ${t} output ip daddr != 127.0.0.0/8 fib daddr type local counter jump published`,
    `add chain ${t} postrouting { type nat hook postrouting priority 100; policy accept; }`,
    `add rule ${t} postrouting ip saddr ${plan.subnet} oifname != ${br} counter masquerade`,
    `add chain ${t} forward { type filter hook forward priority 0; policy drop; }`,
    `add rule ${t} forward oifname ${br} ct state established,related counter accept`,
    ...accept,
    `add rule ${t} forward iifname ${br} counter accept`,
  ];
  return { script: `${rules.join("\n")}\n`, rules, undo: [["nft", "delete", "table", "ip", NFT_TABLE_NAME]] };
}

export interface IptablesRules {
  /** Argv after the binary, in order. */
  readonly apply: readonly (readonly string[])[];
  readonly rules: readonly string[];
  /** Argv (binary included) undoing `apply`, last-first. */
  readonly undo: readonly (readonly string[])[];
}

/** The same rules for `iptables` (`iptables-nft` or `iptables-legacy`, whichever `binary` is). */
export function iptablesRules(plan: NatPlan, binary: string): IptablesRules {
  const chain = IPTABLES_CHAIN;
  const apply: string[][] = [
    ["-t", "nat", "-N", chain],
    ["-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", chain],
    ["-t", "nat", "-A", "OUTPUT", "!", "-d", "127.0.0.0/8", "-m", "addrtype", "--dst-type", "LOCAL", "-j", chain],
    ["-t", "nat", "-A", "POSTROUTING", "-s", plan.subnet, "!", "-o", plan.bridge, "-j", "MASQUERADE"],
  ];
  for (const p of plan.published) {
    const [first, last] = p.hostPorts;
    const ports = first === last ? String(first) : `${first}:${last}`;
    const to = p.containerPort === null ? plan.serverContainer : `${plan.serverContainer}:${p.containerPort}`;
    apply.push(["-t", "nat", "-A", chain, "-p", p.protocol, "-m", p.protocol, "--dport", ports, "-j", "DNAT", "--to-destination", to]);
  }
  apply.push(
    ["-t", "filter", "-P", "FORWARD", "DROP"],
    ["-t", "filter", "-A", "FORWARD", "-o", plan.bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
  );
  for (const p of plan.published) {
    const [first, last] = p.hostPorts;
    const port = p.containerPort ?? (first === last ? first : null);
    const ports = port !== null ? String(port) : `${first}:${last}`;
    apply.push([
      "-t", "filter", "-A", "FORWARD", "-d", plan.serverContainer, "!", "-i", plan.bridge, "-o", plan.bridge,
      "-p", p.protocol, "-m", p.protocol, "--dport", ports, "-j", "ACCEPT",
    ]);
  }
  apply.push(["-t", "filter", "-A", "FORWARD", "-i", plan.bridge, "-j", "ACCEPT"]);
  const undo = [...apply].reverse().map((argv) => {
    const op = argv[2];
    if (op === "-A") return [binary, argv[0] as string, argv[1] as string, "-D", ...argv.slice(3)];
    if (op === "-N") return [binary, argv[0] as string, argv[1] as string, "-X", ...argv.slice(3)];
    return [binary, "-t", "filter", "-P", "FORWARD", "ACCEPT"];
  });
  return { apply, rules: apply.map((argv) => [binary, ...argv].join(" ")), undo };
}

/** The binary that runs a backend's rules. */
export function natBinary(backend: NatBackend): string {
  switch (backend) {
    case "nftables":
      return "nft";
    case "iptables-nft":
    case "iptables-legacy":
      return "iptables";
    default: {
      const never: never = backend;
      throw new Error(`unknown NAT backend ${String(never)}`);
    }
  }
}

/** `iptables --version` → its flavour: "iptables v1.8.9 (nf_tables)" or "(legacy)"; null when unrecognised. */
export function iptablesFlavour(versionLine: string): NatBackend | null {
  if (/\(nf_tables\)/.test(versionLine)) return "iptables-nft";
  if (/\(legacy\)/.test(versionLine)) return "iptables-legacy";
  // iptables before 1.8 printed no flavour: it was legacy.
  return /^iptables v1\.[0-7]\./.test(versionLine.trim()) ? "iptables-legacy" : null;
}
