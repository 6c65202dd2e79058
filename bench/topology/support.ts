/**
 * Whether a topology kind can be built here, and if not, one reason and one fix the CLI can print (exit 2, or fall
 * back to loopback with a warning).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { NAT_TOOLS_FIX } from "./docker-setup.ts";
import { commandExists, run } from "./exec.ts";
import { namespaceName } from "./naming.ts";
import { readProcStartTime, writeStateFile } from "./state.ts";
import type { TopologyKind } from "./types.ts";
import { type UndoStep, undoAll } from "./undo.ts";

/**
 * Only what stops a kind from being built. A missing ethtool does not: the topology then records no offloads and
 * says so once, in its own warnings (create-namespaced.ts, create-topology.ts).
 */
export type TopologySupport = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly fix: string };

function no(reason: string, fix: string): TopologySupport {
  return { ok: false, reason, fix };
}

/** What the docker kind needs beyond namespaces: a NAT tool and br_netfilter (docker-nat.ts says why). */
function checkDockerSupport(): TopologySupport | null {
  const bridgeNf = "/proc/sys/net/bridge/bridge-nf-call-iptables";
  if (!commandExists("nft", ["--version"]) && !commandExists("iptables", ["--version"])) {
    return no("--topology docker needs nft or iptables for its NAT and neither is installed", NAT_TOOLS_FIX);
  }
  if (!commandExists("bridge", ["-V"])) return no("the bridge command is missing", "install iproute2 (apt-get install iproute2)");
  if (!fs.existsSync(bridgeNf)) {
    return no(
      `--topology docker needs br_netfilter (${bridgeNf} is missing), so replies between containers pass conntrack as under dockerd`,
      "modprobe br_netfilter (CONFIG_BRIDGE_NETFILTER), or use --topology bridge",
    );
  }
  return null;
}

export async function checkTopologySupport(kind: TopologyKind): Promise<TopologySupport> {
  if (process.platform !== "linux") {
    return no(`--topology ${kind} needs Linux (this is ${process.platform})`, "run wirecost on Linux");
  }
  if (!commandExists("taskset", ["-V"])) {
    return no("taskset is not installed (needed to pin server and client to CPUs)", "install util-linux (apt-get install util-linux)");
  }
  if (kind === "loopback") return { ok: true };
  const fallback = "or use --topology loopback";
  if (process.getuid?.() !== 0) {
    return no(`--topology ${kind} needs root to create network namespaces`, `run as root (sudo npm run bench …), ${fallback}`);
  }
  if (!commandExists("ip", ["-V"])) return no("the ip command is missing", `install iproute2 (apt-get install iproute2), ${fallback}`);
  const probe = await probeNamespaces(kind);
  if (probe !== null) {
    return no(`--topology ${kind}: ${probe}`, `allow network namespaces (CAP_SYS_ADMIN, a writable /run/netns; containers need --privileged), ${fallback}`);
  }
  if (kind === "docker") {
    const docker = checkDockerSupport();
    if (docker !== null) return docker;
  }
  return { ok: true };
}

/** Creates a throw-away namespace with a veth pair (and a bridge) inside; null when that works. */
async function probeNamespaces(kind: TopologyKind): Promise<string | null> {
  try {
    await withProbeNamespace(async (ns) => {
      await run("ip", ["-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"]);
      if (kind === "bridge" || kind === "docker" || kind === "hosts") await run("ip", ["-n", ns, "link", "add", "probebr", "type", "bridge"]);
    });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Runs `fn` with a throw-away namespace `wirecost-probe-<pid>-<hex>-srv`, claimed by a state file first, and
 * removes both afterwards whatever `fn` did (deleting the namespace takes every device and qdisc inside with it).
 */
export async function withProbeNamespace<T>(fn: (namespace: string) => Promise<T>): Promise<T> {
  const runId = `probe-${process.pid}-${randomBytes(3).toString("hex")}`;
  const ns = namespaceName(runId, "srv");
  const steps: UndoStep[] = [];
  try {
    writeStateFile({
      version: 1,
      runId,
      kind: "probe",
      ownerPid: process.pid,
      ownerStartTime: readProcStartTime(process.pid),
      createdAt: new Date().toISOString(),
      subnetIndex: null,
      namespaces: [ns],
      hostLinks: [],
    });
    steps.push({ kind: "state-file", runId });
    await run("ip", ["netns", "add", ns]);
    steps.push({ kind: "namespace", name: ns });
    return await fn(ns);
  } finally {
    await undoAll(steps);
  }
}
