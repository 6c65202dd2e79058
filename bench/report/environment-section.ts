/**
 * "Where it ran": the machine, the software, and where each process and each piece of kernel work ran — the facts
 * a reader needs before trusting a per-request figure. Pure.
 */
import type { HarnessPlacement, HostRecord, RunResult } from "../results/schema.ts";
import type { InterfaceInfo, TopologyInfo } from "../topology/index.ts";
import type { Block } from "./doc.ts";
import { code, plain } from "../results/markdown-text.ts";
import { isCompleted } from "../results/run-view.ts";

function onOff(value: boolean | undefined | null): string {
  return value === true ? "on" : value === false ? "off" : "unknown";
}

function offloads(i: InterfaceInfo): string {
  if (i.offloads === null) return "not recorded (no ethtool)";
  return `TSO ${onOff(i.offloads.tso)}, GSO ${onOff(i.offloads.gso)}, GRO ${onOff(i.offloads.gro)}`;
}

function where(i: InterfaceInfo): string {
  return `${plain(i.role)} ${code(i.name)}${i.namespace === null ? " (host namespace)" : ` in ${code(i.namespace)}`}`;
}

/** A host of a run across hosts, as its agent described it. */
export function hostRow(h: HostRecord): string[] {
  const nics = h.nics.map((n) => {
    const irqs = n.irqs.length === 0 ? "no interrupt lines" : n.irqs.map((i) => `IRQ ${i.irq} on CPUs ${plain(i.cpus ?? "?")}`).join(", ");
    const offload = n.offloads === null ? "offloads not recorded" : `TSO ${onOff(n.offloads.tso)}, GSO ${onOff(n.offloads.gso)}, GRO ${onOff(n.offloads.gro)}`;
    return `${code(n.name)} (${n.driver === null ? "virtual" : `driver ${plain(n.driver)}`}, MTU ${n.mtu ?? "?"}, ${offload}, ${irqs})`;
  });
  const what = h.role === "server" ? "server" : "generator";
  return [
    `Host ${plain(h.name)}`,
    `${plain(h.hostname)}, ${plain(h.kernel)}, ${h.cpuCount} CPUs; agent at ${plain(h.agent)}; its ${what} on CPU ${h.cpu ?? "unpinned"}, the benchmark on ${plain(h.benchAddress)} ${nics.join("; ")}`,
  ];
}

/** Where the harness (the collector, the run's bookkeeping) ran; results before it was pinned do not say. */
export function harnessRow(h: HarnessPlacement): string[] {
  return ["Harness", h.cpu === null ? `unpinned (${plain(h.error ?? "not pinned")})` : `pinned to CPU ${h.cpu}, beside the load generator`];
}

function topologyRows(t: TopologyInfo): string[][] {
  const rows: string[][] = [];
  switch (t.kind) {
    case "loopback":
      rows.push(["Topology", `loopback: server and client share the host's \`lo\` at ${plain(t.serverAddress)}`]);
      break;
    case "netns":
    case "bridge": {
      const link = t.kind === "netns" ? "a veth pair" : `a bridge in ${code(t.namespaces.bridge ?? "?")}`;
      rows.push([
        "Topology",
        `${t.kind}: server in ${code(t.namespaces.server ?? "?")} (${plain(t.serverAddress)}), client in ${code(t.namespaces.client ?? "?")} (${plain(t.clientAddress)}), joined by ${link}; subnet ${plain(t.subnet ?? "–")}, MTU ${t.mtu}`,
      ]);
      break;
    }
    case "hosts": {
      const hosts = (t.hosts?.hosts ?? []).map((h) => `${plain(h.name)} in ${code(h.namespace)} (${plain(h.address)})`).join(", ");
      rows.push(["Topology", `hosts: namespaces as hosts on a bridge in ${code(t.namespaces.bridge ?? "?")}: ${hosts}; each with a management link of its own for its agent; subnet ${plain(t.subnet ?? "–")}, MTU ${t.mtu}`]);
      break;
    }
    default:
      rows.push(["Topology", plain(String(t.kind))]);
  }
  rows.push(["CPUs", `server pinned to CPU ${t.serverCpu}, load generator to CPU ${t.clientCpu}${t.serverCpu === t.clientCpu ? " (the same CPU)" : ""}`]);
  const steering =
    t.rxSteering.mode === "rps"
      ? `RPS: the server eth0's receive processing steered to CPU mask ${code(t.rxSteering.rpsCpus ?? "?")} (the server's CPU), at the price of an IPI per packet batch`
      : "none: on veth the receive work runs on the sending CPU, in the sender's task context";
  rows.push(["Receive steering", steering]);
  const ifaces = t.interfaces.filter((i) => i.role !== "bridge-port");
  rows.push(["Offloads", `mode ${code(t.offloadMode)}; ${ifaces.map((i) => `${where(i)}: ${offloads(i)}`).join("; ")}`]);
  rows.push(["IPv6 / ARP", `${t.ipv6 === "disabled" ? "IPv6 disabled in the run's namespaces" : "IPv6 as the host has it"}; ${t.neighbors === "static" ? "static neighbour entries (no ARP in a window)" : "the host's neighbour table"}`]);
  rows.push(["Rate limit", t.rateLimit === null ? "none" : `tbf ${t.rateLimit.rateBitsPerSecond} bit/s, burst ${t.rateLimit.burstBytes} B, latency ${t.rateLimit.latencyMs} ms`]);
  return rows;
}

export function environmentSection(result: RunResult): Block[] {
  const e = result.environment;
  const c = result.config;
  const packages = Object.entries(e.packages)
    .map(([name, version]) => `${plain(name)} ${plain(version)}`)
    .join(", ");
  const rows: string[][] = [
    ["Kernel", `${plain(e.os)} ${plain(e.kernel)}; IRQ time accounting ${onOff(e.irqTimeAccounting)}`],
    ["Machine", `${plain(e.cpuModel)}, ${e.cpuCount} CPUs`],
    ["Node.js", `${plain(e.node)} (V8 ${plain(e.v8)}, libuv ${plain(e.uv)}, nghttp2 ${plain(e.nghttp2)}, llhttp ${plain(e.llhttp)}, OpenSSL ${plain(e.openssl)})`],
    ["Packages", `${packages}; wirecost ${plain(e.wirecostVersion)}`],
  ];
  if (result.topology !== null) rows.push(...topologyRows(result.topology));
  else if (result.hosts !== undefined) rows.push(["Topology", "hosts reached through their agents (--agents)"]);
  else {
    const p = result.scenarios[0]?.placement;
    rows.push(["Topology", `${plain(p?.topology ?? "unknown")} (no topology record in the result)`]);
  }
  for (const h of result.hosts ?? []) rows.push(hostRow(h));
  if (result.harness !== undefined) rows.push(harnessRow(result.harness));
  const collector = result.scenarios.find(isCompleted)?.collector;
  rows.push([
    "Collector",
    `${c.sampleHz} Hz time series; ${c.baselineMs > 0 ? `${c.baselineMs} ms idle baseline before each scenario, subtracted from the global counters` : "no idle baseline"}${collector === undefined ? "" : `; its own overhead ${collector.overheadCpuPct.toFixed(1)}% of a core in the first completed scenario`}`,
  ]);
  const s = c.server;
  rows.push([
    "Server settings",
    `max concurrent streams ${s.maxConcurrentStreams}, initial window ${s.initialWindowSize} B, keep-alive timeout ${s.keepAliveTimeoutMs} ms, gRPC keepalive ${s.grpcKeepaliveTimeMs} ms, ${s.streamMessages} messages per server stream${s.wsDeflate === true ? ", WebSocket permessage-deflate accepted" : ""}`,
  ]);
  return [
    { kind: "heading", level: 2, text: "Where it ran" },
    { kind: "table", header: ["", ""], rows, align: ["left", "left"] },
  ];
}
