import { describe, expect, it } from "vitest";
import { countPcapPackets, createPcapCounter, PcapFormatError } from "../../bench/verify/pcap.ts";
import { droppedByKernel } from "../../bench/verify/capture.ts";
import { compareCounts } from "../../bench/run/measure.ts";

/** Builds a pcap file: µs (0xa1b2c3d4) or ns (0xa1b23c4d) magic, little or big endian, Ethernet link type. */
function pcap(packets: { sec: number; frac: number; len: number }[], options: { nano?: boolean; big?: boolean } = {}): Uint8Array {
  const size = 24 + packets.reduce((n, p) => n + 16 + p.len, 0);
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  const le = options.big !== true;
  view.setUint32(0, options.nano === true ? 0xa1b23c4d : 0xa1b2c3d4, le);
  view.setUint16(4, 2, le);
  view.setUint16(6, 4, le);
  view.setUint32(16, 262144, le);
  view.setUint32(20, 1, le);
  let o = 24;
  for (const p of packets) {
    view.setUint32(o, p.sec, le);
    view.setUint32(o + 4, p.frac, le);
    view.setUint32(o + 8, p.len, le);
    view.setUint32(o + 12, p.len, le);
    o += 16 + p.len;
  }
  return buf;
}

const SEC = 1_764_000_000;

describe("pcap packet count", () => {
  const packets = [
    { sec: SEC, frac: 999_999, len: 60 }, // before the window
    { sec: SEC + 1, frac: 0, len: 66 }, // exactly at its start: counted
    { sec: SEC + 1, frac: 500_000, len: 1514 },
    { sec: SEC + 2, frac: 0, len: 54 }, // exactly at its end: not counted
  ];
  const from = (SEC + 1) * 1e6;
  const to = (SEC + 2) * 1e6;

  it("counts packets in [from, to) with microsecond timestamps", () => {
    expect(countPcapPackets(pcap(packets), from, to)).toEqual({ total: 4, inWindow: 2, linkType: 1, truncated: false });
  });

  it("reads nanosecond and big-endian files the same way", () => {
    const nano = packets.map((p) => ({ ...p, frac: p.frac * 1000 }));
    expect(countPcapPackets(pcap(nano, { nano: true }), from, to).inWindow).toBe(2);
    expect(countPcapPackets(pcap(packets, { big: true }), from, to).inWindow).toBe(2);
  });

  it("stops at a record cut short and says the file was truncated", () => {
    const whole = pcap(packets);
    const cut = countPcapPackets(whole.subarray(0, whole.length - 10), from, to);
    expect(cut).toEqual({ total: 3, inWindow: 2, linkType: 1, truncated: true });
  });

  it("counts the same when the file arrives in pieces split anywhere, holding no more than a header", () => {
    const whole = pcap(packets);
    const cut = whole.subarray(0, whole.length - 10);
    for (const file of [whole, cut]) {
      const expected = countPcapPackets(file, from, to);
      for (let a = 0; a <= file.length; a++) {
        for (const b of [a, Math.min(file.length, a + 1), Math.min(file.length, a + 17), file.length]) {
          const counter = createPcapCounter(from, to);
          for (const piece of [file.subarray(0, a), file.subarray(a, b), file.subarray(b)]) counter.push(piece);
          expect(counter.finish(), `split at ${a} and ${b}`).toEqual(expected);
        }
      }
    }
  });

  it("refuses what is not a pcap file", () => {
    expect(() => countPcapPackets(new Uint8Array(30), 0, 1)).toThrow(PcapFormatError);
    expect(() => countPcapPackets(new Uint8Array(10), 0, 1)).toThrow(/too short/);
  });

  it("reads tcpdump's dropped-by-kernel line", () => {
    expect(droppedByKernel(["tcpdump: listening on eth0", "10021 packets captured", "10021 packets received by filter", "0 packets dropped by kernel"])).toBe(0);
    expect(droppedByKernel(["3 packets dropped by kernel"])).toBe(3);
    expect(droppedByKernel(["nothing here"])).toBeNull();
  });

  it("agrees within 0.1% and not beyond", () => {
    expect(compareCounts(10_010, 10_000)).toEqual({ differencePct: 0.1, agrees: true });
    expect(compareCounts(10_011, 10_000)).toEqual({ differencePct: 0.11, agrees: false });
    expect(compareCounts(5, null)).toEqual({ differencePct: null, agrees: null });
    expect(compareCounts(0, 0)).toEqual({ differencePct: null, agrees: true });
  });
});
