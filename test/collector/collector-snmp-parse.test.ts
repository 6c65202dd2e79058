import { describe, expect, it } from "vitest";
import { parseNetSnmp } from "../../bench/collector/parse-net-snmp.ts";
import { ProcParseError } from "../../bench/collector/reading.ts";
import { fixture } from "./fixture.ts";

describe("parseNetSnmp", () => {
  it("reads /proc/net/snmp with Tcp: MaxConn as a signed -1", () => {
    const snmp = parseNetSnmp(fixture("6.18/net-snmp"));
    expect(Object.keys(snmp)).toEqual(["Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"]);
    expect(snmp.Tcp).toEqual({
      RtoAlgorithm: 1,
      RtoMin: 200,
      RtoMax: 120000,
      MaxConn: -1,
      ActiveOpens: 69,
      PassiveOpens: 3,
      AttemptFails: 0,
      EstabResets: 0,
      CurrEstab: 0,
      InSegs: 6769,
      OutSegs: 4155,
      RetransSegs: 0,
      InErrs: 0,
      OutRsts: 114,
      InCsumErrors: 0,
    });
    expect(snmp.Ip?.OutTransmits).toBe(4210);
    expect(snmp.IcmpMsg).toEqual({ InType3: 1 });
    expect(snmp.Udp).toMatchObject({ InDatagrams: 65, OutDatagrams: 66, MemErrors: 0 });
  });

  it("reads a namespace's snmp after traffic: 25 segments in, 23 out, 5 UDP datagrams to a closed port", () => {
    const snmp = parseNetSnmp(fixture("6.18/netns-srv-net-snmp"));
    expect(snmp.Tcp).toMatchObject({ PassiveOpens: 1, ActiveOpens: 0, InSegs: 25, OutSegs: 23, RetransSegs: 0 });
    expect(snmp.Udp).toMatchObject({ InDatagrams: 0, NoPorts: 5 });
    expect(snmp.Icmp).toMatchObject({ OutMsgs: 5, OutDestUnreachs: 5 });
    expect(snmp.IcmpMsg).toEqual({ OutType3: 5 });
  });

  it("reads /proc/net/netstat in the same paired-line format, TcpExt, IpExt and MPTcpExt", () => {
    const netstat = parseNetSnmp(fixture("6.18/net-netstat"));
    expect(Object.keys(netstat)).toEqual(["TcpExt", "IpExt", "MPTcpExt"]);
    expect(netstat.TcpExt).toMatchObject({
      ListenOverflows: 0,
      ListenDrops: 0,
      TCPBacklogDrop: 0,
      TCPHPHits: 74,
      TCPPureAcks: 182,
      TCPOrigDataSent: 538,
    });
    expect(Object.keys(netstat.TcpExt ?? {})).toHaveLength(135);
    expect(netstat.IpExt).toMatchObject({ InOctets: 248779241, OutOctets: 414003, InNoECTPkts: 6835 });
  });

  it("reads a namespace's netstat", () => {
    const netstat = parseNetSnmp(fixture("6.18/netns-srv-net-netstat"));
    expect(netstat.TcpExt).toMatchObject({ TCPPureAcks: 2, TCPOrigDataSent: 21, TCPHPHits: 18, DelayedACKs: 0 });
    expect(netstat.IpExt).toMatchObject({ InOctets: 2763, OutOctets: 4039, InNoECTPkts: 30 });
  });

  it("reads a 4.4 netstat that lacks the newer TcpExt fields", () => {
    const netstat = parseNetSnmp(fixture("4.4/net-netstat"));
    expect(Object.keys(netstat)).toEqual(["TcpExt", "IpExt"]);
    expect(Object.keys(netstat.TcpExt ?? {})).toHaveLength(112);
    expect(netstat.TcpExt).toMatchObject({ ListenOverflows: 17, ListenDrops: 17, TCPBacklogDrop: 4, TCPPrequeued: 0 });
    expect(netstat.TcpExt?.TCPDelivered).toBeUndefined();
    expect(netstat.IpExt?.InOctets).toBe(9876543210);
  });

  it("reads a 4.4 snmp whose Ip, Icmp and Udp lists are shorter", () => {
    const snmp = parseNetSnmp(fixture("4.4/net-snmp"));
    expect(snmp.Ip?.OutTransmits).toBeUndefined();
    expect(snmp.Udp?.MemErrors).toBeUndefined();
    expect(snmp.Tcp).toMatchObject({ MaxConn: -1, PassiveOpens: 31877, InSegs: 2488120, OutSegs: 2300455, RetransSegs: 917 });
    expect(snmp.IcmpMsg).toEqual({ InType3: 41, InType8: 4, OutType0: 4, OutType3: 48 });
  });

  it("rejects a header whose value line has a different number of fields", () => {
    expect(() => parseNetSnmp("Tcp: A B C\nTcp: 1 2\n")).toThrow(ProcParseError);
    expect(() => parseNetSnmp("Tcp: A B C\n")).toThrow(/header without values/);
  });
});
