/**
 * Where a namespace's kernel threw packets or connections away for lack of room — the counters a load sweep
 * watches past saturation (net/ipv4/proc.c `snmp4_net_list`, `snmp4_udp_list`) — for the server's namespace (where
 * saturation shows first) and the load generator's. Each counter is null when this kernel does not print it; a
 * namespace not read is null as a whole. The reasons are in `CostFigures.missing`.
 */
import type { NetnsDelta } from "./delta-types.ts";
import type { Figure } from "./figure-kinds.ts";
import { figureKinds, type ValueOf } from "./figure-groups.ts";
import { type FigureInput, fromWindow } from "./figure-input.ts";

const inNamespace = figureKinds<NetnsDelta>();

function dropCounter(file: "snmp" | "netstat", section: string, name: string): Figure<NetnsDelta> {
  return inNamespace.counter({
    unit: "drops",
    scope: "namespace",
    source: `<netns>/net/${file} ${section}: ${name}`,
    compute: (netns) => {
      const table = netns[file];
      if (!table.ok) throw new Error(`${netns.source}/${file}: ${table.reason}`);
      const value = table.value[section]?.[name];
      if (value === undefined) throw new Error(`${netns.source}/${file} has no ${section}: ${name} (not printed by this kernel)`);
      return value;
    },
  });
}

const DROP_COUNTERS = {
  /** TcpExt ListenOverflows: a SYN or a handshake's final ACK found the listener's accept queue full. */
  listenOverflows: dropCounter("netstat", "TcpExt", "ListenOverflows"),
  /** TcpExt ListenDrops: every drop at a listener, overflows included (so never add the two). */
  listenDrops: dropCounter("netstat", "TcpExt", "ListenDrops"),
  /** TcpExt TCPReqQFullDrop: a SYN dropped because the request queue was full and syncookies were off. */
  tcpReqQFullDrop: dropCounter("netstat", "TcpExt", "TCPReqQFullDrop"),
  /** TcpExt TCPBacklogDrop: a segment dropped because the socket's backlog was full while its owner held it. */
  tcpBacklogDrop: dropCounter("netstat", "TcpExt", "TCPBacklogDrop"),
  /** TcpExt TCPRcvQDrop: an in-order segment dropped for want of receive-buffer memory (4.19+). */
  tcpRcvQDrop: dropCounter("netstat", "TcpExt", "TCPRcvQDrop"),
  /** TcpExt TCPOFODrop: an out-of-order segment dropped for want of receive-buffer memory. */
  tcpOfoDrop: dropCounter("netstat", "TcpExt", "TCPOFODrop"),
  /** TcpExt TCPZeroWindowDrop: a segment dropped because the receive window was zero (5.x+). */
  tcpZeroWindowDrop: dropCounter("netstat", "TcpExt", "TCPZeroWindowDrop"),
  /** Udp RcvbufErrors: a datagram dropped because the socket's receive buffer was full. */
  udpRcvbufErrors: dropCounter("snmp", "Udp", "RcvbufErrors"),
  /** Udp InErrors: every UDP receive drop, RcvbufErrors and checksum errors included. */
  udpInErrors: dropCounter("snmp", "Udp", "InErrors"),
};

/** Listen-queue, backlog and receive-buffer drops, per namespace. Absent in results written before it existed. */
export const DROPS = fromWindow.optionalGroup({
  server: inNamespace.section((x: FigureInput) => x.proc.server, DROP_COUNTERS),
  client: inNamespace.section((x: FigureInput) => {
    if (x.proc.client === null) throw new Error("no client namespace was read");
    return x.proc.client;
  }, DROP_COUNTERS),
});

/** One namespace's drop counters over the window. */
export type DropCounts = NonNullable<ValueOf<typeof DROPS>["server"]>;
