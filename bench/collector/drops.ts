import type { NetnsDelta } from "./delta-types.ts";
import type { SnmpTable } from "./parse-net-snmp.ts";
import type { Reading } from "./reading.ts";

/**
 * Where a namespace's kernel threw packets or connections away for lack of room — the counters a load sweep
 * watches past saturation (net/ipv4/proc.c `snmp4_net_list`, `snmp4_udp_list`). Each is null when this kernel
 * does not print it or the namespace was not read; the reason is in `CostFigures.missing`.
 */
export interface DropCounts {
  /** TcpExt ListenOverflows: a SYN or a handshake's final ACK found the listener's accept queue full. */
  readonly listenOverflows: number | null;
  /** TcpExt ListenDrops: every drop at a listener, overflows included (so never add the two). */
  readonly listenDrops: number | null;
  /** TcpExt TCPReqQFullDrop: a SYN dropped because the request queue was full and syncookies were off. */
  readonly tcpReqQFullDrop: number | null;
  /** TcpExt TCPBacklogDrop: a segment dropped because the socket's backlog was full while its owner held it. */
  readonly tcpBacklogDrop: number | null;
  /** TcpExt TCPRcvQDrop: an in-order segment dropped for want of receive-buffer memory (4.19+). */
  readonly tcpRcvQDrop: number | null;
  /** TcpExt TCPOFODrop: an out-of-order segment dropped for want of receive-buffer memory. */
  readonly tcpOfoDrop: number | null;
  /** TcpExt TCPZeroWindowDrop: a segment dropped because the receive window was zero (5.x+). */
  readonly tcpZeroWindowDrop: number | null;
  /** Udp RcvbufErrors: a datagram dropped because the socket's receive buffer was full. */
  readonly udpRcvbufErrors: number | null;
  /** Udp InErrors: every UDP receive drop, RcvbufErrors and checksum errors included. */
  readonly udpInErrors: number | null;
}

export const DROP_FIELDS: readonly (readonly [keyof DropCounts, "snmp" | "netstat", string, string])[] = [
  ["listenOverflows", "netstat", "TcpExt", "ListenOverflows"],
  ["listenDrops", "netstat", "TcpExt", "ListenDrops"],
  ["tcpReqQFullDrop", "netstat", "TcpExt", "TCPReqQFullDrop"],
  ["tcpBacklogDrop", "netstat", "TcpExt", "TCPBacklogDrop"],
  ["tcpRcvQDrop", "netstat", "TcpExt", "TCPRcvQDrop"],
  ["tcpOfoDrop", "netstat", "TcpExt", "TCPOFODrop"],
  ["tcpZeroWindowDrop", "netstat", "TcpExt", "TCPZeroWindowDrop"],
  ["udpRcvbufErrors", "snmp", "Udp", "RcvbufErrors"],
  ["udpInErrors", "snmp", "Udp", "InErrors"],
];

/**
 * A namespace's drop counters over the window — pure. `onMissing(field, reason)` hears why each null is null.
 */
export function dropCounts(netns: NetnsDelta, onMissing: (field: keyof DropCounts, reason: string) => void): DropCounts {
  const out = {} as Record<keyof DropCounts, number | null>;
  for (const [field, file, section, name] of DROP_FIELDS) {
    const table: Reading<SnmpTable> = netns[file];
    if (!table.ok) {
      out[field] = null;
      onMissing(field, `${netns.source}/${file}: ${table.reason}`);
      continue;
    }
    const value = table.value[section]?.[name];
    if (value === undefined) {
      out[field] = null;
      onMissing(field, `${netns.source}/${file} has no ${section}: ${name} (not printed by this kernel)`);
    } else {
      out[field] = value;
    }
  }
  return out;
}
