/**
 * The server namespace's own traffic: interface packets and bytes, by direction, and TCP segments, retransmissions
 * and connection opens. Per namespace, so another process's traffic on the host is not in them.
 */
import { fromWindow, oneWay, serverInterfaces, tcp } from "./figure-input.ts";

const NET_DEV = "<server netns>/net/dev of the server interfaces";
const SNMP = "<server netns>/net/snmp";

/** Interface packets at the server's interfaces: rx + tx (rx only on `lo`, which counts each packet both ways). */
export const PACKETS = fromWindow.counter({
  unit: "packets",
  scope: "namespace",
  source: `${NET_DEV}: rx_packets + tx_packets`,
  compute: (x) => serverInterfaces(x, "Packets"),
  csv: { column: 25, name: "packets_per_req", description: "server interface packets, rx + tx (rx only on lo)" },
});

/** Interface bytes, same rule (veth in NAPI mode leaves the 14-byte Ethernet header out). */
export const BYTES = fromWindow.counter({
  unit: "bytes",
  scope: "namespace",
  source: `${NET_DEV}: rx_bytes + tx_bytes`,
  compute: (x) => serverInterfaces(x, "Bytes"),
  csv: { column: 26, name: "bytes_per_req", description: "server interface bytes, same rule" },
});

/**
 * The same, by direction at the server interface (rx: requests arriving; tx: responses leaving), and TCP `InSegs` /
 * `OutSegs`. On `lo` every packet is rx, so tx is null there. Optional: results before it lack it.
 */
export const DIRECTION = fromWindow.optionalGroup({
  packetsRx: fromWindow.counter({ unit: "packets", scope: "namespace", source: `${NET_DEV}: rx_packets`, compute: (x) => oneWay(x, "rx", "Packets") }),
  packetsTx: fromWindow.counter({ unit: "packets", scope: "namespace", source: `${NET_DEV}: tx_packets`, compute: (x) => oneWay(x, "tx", "Packets") }),
  bytesRx: fromWindow.counter({ unit: "bytes", scope: "namespace", source: `${NET_DEV}: rx_bytes`, compute: (x) => oneWay(x, "rx", "Bytes") }),
  bytesTx: fromWindow.counter({ unit: "bytes", scope: "namespace", source: `${NET_DEV}: tx_bytes`, compute: (x) => oneWay(x, "tx", "Bytes") }),
  tcpInSegs: fromWindow.counter({ unit: "segments", scope: "namespace", source: `${SNMP} Tcp: InSegs`, compute: (x) => tcp(x.proc.server, "InSegs") }),
  tcpOutSegs: fromWindow.counter({ unit: "segments", scope: "namespace", source: `${SNMP} Tcp: OutSegs`, compute: (x) => tcp(x.proc.server, "OutSegs") }),
});

/** `Tcp: InSegs + OutSegs` in the server namespace. */
export const TCP_SEGMENTS = fromWindow.counter({
  unit: "segments",
  scope: "namespace",
  source: `${SNMP} Tcp: InSegs + OutSegs`,
  compute: (x) => tcp(x.proc.server, "InSegs") + tcp(x.proc.server, "OutSegs"),
  csv: { column: 27, name: "tcp_segments_per_req", description: "server namespace Tcp InSegs + OutSegs" },
});

export const RETRANS_SEGMENTS = fromWindow.counter({
  unit: "segments",
  scope: "namespace",
  source: `${SNMP} Tcp: RetransSegs`,
  compute: (x) => tcp(x.proc.server, "RetransSegs"),
  csv: { column: 28, name: "retrans_segments_per_req", description: "server namespace Tcp RetransSegs" },
});

/** Server `Tcp: PassiveOpens`, or client `Tcp: ActiveOpens` (see `CostOptions.connectionOpensFrom`). */
export const CONNECTION_OPENS = fromWindow.counter({
  unit: "connections",
  scope: "namespace",
  source: `${SNMP} Tcp: PassiveOpens (or the client namespace's ActiveOpens)`,
  compute: (x) => {
    if (x.options.connectionOpensFrom !== "client-active") return tcp(x.proc.server, "PassiveOpens");
    if (x.proc.client === null) throw new Error("no client namespace was read");
    return tcp(x.proc.client, "ActiveOpens");
  },
  csv: { column: 29, name: "connection_opens_per_req", description: "server Tcp PassiveOpens" },
});
