import { column, ProcParseError } from "./reading.ts";

/** `section → field → value`, e.g. `table.Tcp.InSegs`, `table.TcpExt.ListenDrops`. */
export type SnmpTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * Parses `/proc/net/snmp` and `/proc/net/netstat` (and their `/proc/<pid>/net/` twins): every section is a pair of
 * lines, `Section: Name1 Name2 …` then `Section: v1 v2 …` (net/ipv4/proc.c `snmp_seq_show*`, `netstat_seq_show`).
 *
 * Values are signed: `Tcp: MaxConn` is -1 (RFC 2012's "dynamic"). Counters are `unsigned long`, i.e. 64-bit here;
 * numbers above 2^53 would lose precision in a JS number, which no counter in a benchmark window reaches.
 * Fields are taken from the header, so older kernels' shorter lists parse the same way.
 */
export function parseNetSnmp(text: string): SnmpTable {
  const out: Record<string, Record<string, number>> = {};
  const pendingHeader = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ProcParseError(`snmp: unrecognised line ${JSON.stringify(line)}`);
    const section = line.slice(0, colon);
    const tokens = line.slice(colon + 1).trim().split(/\s+/).filter((t) => t !== "");
    const header = pendingHeader.get(section);
    if (header === undefined) {
      pendingHeader.set(section, tokens);
      continue;
    }
    pendingHeader.delete(section);
    if (tokens.length !== header.length) {
      throw new ProcParseError(`snmp: ${section} has ${header.length} names but ${tokens.length} values`);
    }
    const fields: Record<string, number> = {};
    header.forEach((name, i) => {
      const token = column(tokens, i, `snmp: ${section} ${name}`);
      if (!/^-?\d+$/.test(token)) throw new ProcParseError(`snmp: ${section} ${name} is ${JSON.stringify(token)}`);
      fields[name] = Number(token);
    });
    out[section] = fields;
  }
  const unpaired = [...pendingHeader.keys()];
  if (unpaired.length > 0) throw new ProcParseError(`snmp: header without values for ${unpaired.join(", ")}`);
  return out;
}
