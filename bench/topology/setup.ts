/**
 * The iproute2/ethtool steps that build run namespaces. Each creation is recorded in the run's resources right
 * after it succeeds, so a failure or a signal at any point removes exactly what exists.
 */
import { type CommandResult, CommandError, run } from "./exec.ts";
import { type OffloadState, offloadStateOf, parseEthtoolFeatures } from "./ethtool.ts";
import { formatCpuMask, parseCpuMask } from "./cpu-mask.ts";
import type { RunResources } from "./resources.ts";

export interface SetupContext {
  readonly resources: RunResources;
  readonly timeoutMs: number;
}

async function cmd(ctx: SetupContext, file: string, args: readonly string[]): Promise<CommandResult> {
  const result = await run(file, args, ctx.timeoutMs, (child) => ctx.resources.track(child));
  ctx.resources.throwIfAborted();
  return result;
}

/** `ip netns add`, then IPv6 off (before any device arrives, via `default`) and `lo` up. */
export async function addNamespace(ctx: SetupContext, name: string): Promise<void> {
  await cmd(ctx, "ip", ["netns", "add", name]);
  ctx.resources.add({ kind: "namespace", name });
  // Router solicitations, DAD and MLD reports would add packets to the measured interfaces (net/ipv6/addrconf.c).
  await cmd(ctx, "ip", [
    "netns", "exec", name, "sysctl", "-qw",
    "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
  ]);
  await cmd(ctx, "ip", ["-n", name, "link", "set", "dev", "lo", "up"]);
}

export interface VethEnd {
  /** Temporary unique name in the host namespace. */
  readonly hostName: string;
  readonly namespace: string;
  /** Final name inside `namespace`. */
  readonly name: string;
}

/** Creates the pair under temporary host names, moves each end into its namespace and renames it there. */
export async function addVethPair(ctx: SetupContext, a: VethEnd, b: VethEnd, mtu: number): Promise<void> {
  const m = String(mtu);
  await cmd(ctx, "ip", ["link", "add", a.hostName, "mtu", m, "type", "veth", "peer", "name", b.hostName, "mtu", m]);
  ctx.resources.add({ kind: "host-link", name: a.hostName });
  ctx.resources.add({ kind: "host-link", name: b.hostName });
  for (const end of [a, b]) {
    await cmd(ctx, "ip", ["link", "set", "dev", end.hostName, "netns", end.namespace]);
    await cmd(ctx, "ip", ["-n", end.namespace, "link", "set", "dev", end.hostName, "name", end.name]);
  }
}

export async function addBridge(ctx: SetupContext, namespace: string, name: string, ports: readonly string[], mtu: number): Promise<void> {
  // STP stays off (the default), so ports forward as soon as they are up (net/bridge/br_stp.c).
  await cmd(ctx, "ip", ["-n", namespace, "link", "add", name, "mtu", String(mtu), "type", "bridge"]);
  for (const port of ports) {
    await cmd(ctx, "ip", ["-n", namespace, "link", "set", "dev", port, "master", name]);
    await cmd(ctx, "ip", ["-n", namespace, "link", "set", "dev", port, "up"]);
  }
  await cmd(ctx, "ip", ["-n", namespace, "link", "set", "dev", name, "up"]);
}

export async function addAddressAndUp(ctx: SetupContext, namespace: string, dev: string, cidr: string): Promise<void> {
  await cmd(ctx, "ip", ["-n", namespace, "addr", "add", cidr, "dev", dev]);
  await cmd(ctx, "ip", ["-n", namespace, "link", "set", "dev", dev, "up"]);
}

export async function addStaticNeighbor(ctx: SetupContext, namespace: string, dev: string, address: string, mac: string): Promise<void> {
  await cmd(ctx, "ip", ["-n", namespace, "neigh", "replace", address, "lladdr", mac, "dev", dev, "nud", "permanent"]);
}

export interface LinkDetails {
  readonly ifindex: number;
  readonly mtu: number;
  readonly mac: string | null;
  readonly address: string | null;
  readonly prefixLength: number | null;
}

interface IpAddrJson {
  ifindex?: number;
  mtu?: number;
  address?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** Parses one device of `ip -j addr show dev DEV`. Pure. */
export function parseIpAddrJson(text: string): LinkDetails {
  const devices = JSON.parse(text) as IpAddrJson[];
  const d = devices[0];
  if (d === undefined || typeof d.ifindex !== "number" || typeof d.mtu !== "number") {
    throw new SyntaxError("`ip -j addr` printed no device");
  }
  const inet = (d.addr_info ?? []).find((a) => a.family === "inet");
  return {
    ifindex: d.ifindex,
    mtu: d.mtu,
    mac: d.address ?? null,
    address: inet?.local ?? null,
    prefixLength: inet?.prefixlen ?? null,
  };
}

export async function linkDetails(ctx: SetupContext, namespace: string | null, dev: string): Promise<LinkDetails> {
  const ns = namespace === null ? [] : ["-n", namespace];
  return parseIpAddrJson((await cmd(ctx, "ip", [...ns, "-j", "addr", "show", "dev", dev])).stdout);
}

function inNamespace(namespace: string | null, argv: readonly string[]): [string, string[]] {
  return namespace === null ? [argv[0] as string, argv.slice(1)] : ["ip", ["netns", "exec", namespace, ...argv]];
}

export async function turnOffloadsOff(ctx: SetupContext, namespace: string, dev: string): Promise<void> {
  await cmd(ctx, ...inNamespace(namespace, ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"]));
}

/** The one warning a topology gives when `readOffloads` found no ethtool. */
export const ETHTOOL_MISSING = "offloads not recorded: ethtool is missing (Debian package ethtool; npm run setup installs it)";

/** `ethtool -k` as reported now; null when ethtool is not installed. */
export async function readOffloads(ctx: SetupContext, namespace: string | null, dev: string): Promise<OffloadState | null> {
  try {
    return offloadStateOf(parseEthtoolFeatures((await cmd(ctx, ...inNamespace(namespace, ["ethtool", "-k", dev]))).stdout));
  } catch (err) {
    if (err instanceof CommandError && /ENOENT|No such file|not found/.test(err.message)) return null;
    throw err;
  }
}

/**
 * Writes the CPU's mask to every rx queue's `rps_cpus` of `dev` and returns rx-0's value as read back. `ip netns
 * exec` remounts /sys for the namespace, which is what makes /sys/class/net show its devices
 * (docs/kernel-notes.md § "Reading the counters of another namespace"); the shell text is fixed apart from the mask,
 * which is checked to be hex.
 */
export async function steerRps(ctx: SetupContext, namespace: string, dev: string, cpu: number): Promise<string> {
  const mask = formatCpuMask([cpu]);
  if (!/^[0-9a-f,]+$/.test(mask) || !/^[A-Za-z0-9_.-]+$/.test(dev)) throw new Error(`bad rps mask or device: ${mask} ${dev}`);
  const script =
    `for q in /sys/class/net/${dev}/queues/rx-*; do echo ${mask} > "$q/rps_cpus" || exit 1; done; ` +
    `cat /sys/class/net/${dev}/queues/rx-0/rps_cpus`;
  const readBack = (await cmd(ctx, "ip", ["netns", "exec", namespace, "sh", "-c", script])).stdout.trim();
  const cpus = parseCpuMask(readBack);
  if (cpus.length !== 1 || cpus[0] !== cpu) {
    throw new Error(`rps_cpus of ${dev} in ${namespace} reads back ${readBack}, not CPU ${cpu} (${mask})`);
  }
  return readBack;
}
