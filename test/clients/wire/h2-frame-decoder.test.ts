import { describe, expect, it } from "vitest";
import { FrameDecoder } from "../../../clients/wire/http2/frame-decoder.ts";
import type { FrameSink } from "../../../clients/wire/http2/frame-decoder.ts";
import { errorCodeName, Http2ConnectionError } from "../../../clients/wire/http2/frames.ts";

const hex = (s: string): Buffer => Buffer.from(s.replaceAll(" ", ""), "hex");

/** A sink that writes every call down as one line (views are read at once, as the session must). */
function recorder(): { sink: FrameSink; events: string[] } {
  const events: string[] = [];
  const sink: FrameSink = {
    data: (id, data, end, flow) => events.push(`data ${id} ${data.toString("hex")} end=${end} flow=${flow}`),
    headers: (id, block, end) => events.push(`headers ${id} ${block.toString("hex")} end=${end}`),
    rstStream: (id, code) => events.push(`rstStream ${id} ${code}`),
    settings: (entries) => events.push(`settings ${entries.map(([id, v]) => `${id}=${v}`).join(" ")}`),
    settingsAck: () => events.push("settingsAck"),
    ping: (opaque, ack) => events.push(`ping ${opaque.toString("hex")} ack=${ack}`),
    goaway: (last, code, debug) => events.push(`goaway ${last} ${code} ${debug.toString("hex")}`),
    windowUpdate: (id, inc) => events.push(`windowUpdate ${id} ${inc}`),
  };
  return { sink, events };
}

function decode(chunks: readonly Buffer[], decoder = new FrameDecoder()): string[] {
  const { sink, events } = recorder();
  for (const chunk of chunks) decoder.push(chunk, sink);
  return events;
}

/** The error code name a byte sequence fails with, or "no error". */
function errorOf(bytes: Buffer): string {
  try {
    decode([bytes]);
  } catch (err) {
    if (err instanceof Http2ConnectionError) return errorCodeName(err.code);
    throw err;
  }
  return "no error";
}

/** One of every frame a server may send, several with padding, priority fields, reserved bits and CONTINUATION. */
const SEQUENCE = [
  "000012 04 00 00000000 0003 00000064 0004 0000ffff 0009 00000001", // SETTINGS, an unknown id 9 left out
  "000001 01 04 00000001 88", // HEADERS, END_HEADERS
  "000006 00 09 00000001 02 616263 0000", // DATA, PADDED + END_STREAM: pad length 2
  "000008 06 00 00000000 0102030405060708", // PING
  "000004 08 00 00000000 80001000", // WINDOW_UPDATE with the reserved bit set: ignored (§6.9)
  "000009 01 29 00000003 01 0000000010 8286 00", // HEADERS, PRIORITY + PADDED + END_STREAM, no END_HEADERS
  "000001 09 00 00000003 84", // CONTINUATION
  "000001 09 04 00000003 87", // CONTINUATION, END_HEADERS
  "000003 fa ff 00000005 aabbcc", // an unknown type: ignored (§5.5)
  "000005 02 00 00000005 8000000310", // PRIORITY: ignored
  "000004 03 00 00000005 00000008", // RST_STREAM CANCEL
  "000002 00 00 80000007 6869", // DATA, the stream id's reserved bit set: ignored (§4.1)
  "00000b 07 00 00000000 00000007 00000000 627965", // GOAWAY, debug "bye"
  "000000 04 01 00000000", // SETTINGS ACK
].join("");

const EVENTS = [
  "settings 3=100 4=65535",
  "headers 1 88 end=false",
  "data 1 616263 end=true flow=6",
  "ping 0102030405060708 ack=false",
  "windowUpdate 0 4096",
  "headers 3 82868487 end=true",
  "rstStream 5 8",
  "data 7 6869 end=false flow=2",
  "goaway 7 0 627965",
  "settingsAck",
];

describe("FrameDecoder", () => {
  it("reads a sequence of frames coalesced in one chunk", () => {
    expect(decode([hex(SEQUENCE)])).toEqual(EVENTS);
  });

  it("reads the same frames split into two chunks at every offset", () => {
    const bytes = hex(SEQUENCE);
    for (let i = 0; i <= bytes.length; i++) {
      expect(decode([bytes.subarray(0, i), bytes.subarray(i)]), `split at ${i}`).toEqual(EVENTS);
    }
  });

  it("reads the same frames split into three chunks at every pair of offsets", () => {
    const bytes = hex(SEQUENCE);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const events = decode([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
        if (events.join("\n") !== EVENTS.join("\n")) expect(events, `split at ${i} and ${j}`).toEqual(EVENTS);
      }
    }
  });

  it("reads the same frames fed one byte at a time, holding the unfinished frame's bytes", () => {
    const bytes = hex(SEQUENCE);
    const decoder = new FrameDecoder();
    const { sink, events } = recorder();
    for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1), sink);
    expect(events).toEqual(EVENTS);
    expect(decoder.buffered).toBe(0);
    decoder.push(hex("000004 08 00"), sink);
    expect(decoder.buffered).toBe(5);
  });

  it("hands on a DATA payload inside one chunk as a view of that chunk, not a copy", () => {
    const chunk = hex("000003 00 01 00000001 616263");
    let seen: Buffer | null = null;
    const { sink } = recorder();
    new FrameDecoder().push(chunk, { ...sink, data: (_id, data) => (seen = data) });
    expect(seen!.buffer).toBe(chunk.buffer);
    expect(seen!.byteOffset).toBe(chunk.byteOffset + 9);
  });

  it("hands on nothing after stop(), even the rest of the chunk being read", () => {
    const decoder = new FrameDecoder();
    const events: string[] = [];
    const { sink } = recorder();
    decoder.push(hex("000008 06 00 00000000 0000000000000001 000008 06 00 00000000 0000000000000002"), {
      ...sink,
      ping: (opaque) => {
        events.push(opaque.toString("hex"));
        decoder.stop();
      },
    });
    expect(events).toEqual(["0000000000000001"]);
  });

  it("accepts a frame of exactly SETTINGS_MAX_FRAME_SIZE and refuses a larger one as soon as its header arrives", () => {
    const max = Buffer.concat([hex("004000 00 00 00000001"), Buffer.alloc(16_384)]);
    expect(decode([max])).toEqual([`data 1 ${"00".repeat(16_384)} end=false flow=16384`]);
    expect(errorOf(hex("004001 00 00 00000001"))).toBe("FRAME_SIZE_ERROR");
    expect(decode([Buffer.concat([hex("004001 00 00 00000001"), Buffer.alloc(16_385)])], new FrameDecoder(16_385))).toHaveLength(1);
  });

  it("reads padded frames whose padding leaves no data, and refuses padding that leaves less than nothing", () => {
    expect(decode([hex("000003 00 08 00000001 02 0000")])).toEqual(["data 1  end=false flow=3"]);
    expect(errorOf(hex("000003 00 08 00000001 03 0000"))).toBe("PROTOCOL_ERROR"); // pad length = payload length (§6.1)
    expect(errorOf(hex("000000 00 08 00000001"))).toBe("FRAME_SIZE_ERROR"); // no room for the pad length
    expect(decode([hex("000004 01 0c 00000001 02 88 0000")])).toEqual(["headers 1 88 end=false"]);
    expect(decode([hex("000004 01 0c 00000001 03 88 0000")])).toEqual(["headers 1  end=false"]); // an empty fragment
    expect(errorOf(hex("000004 01 0c 00000001 04 88 0000"))).toBe("PROTOCOL_ERROR"); // §6.2
    expect(errorOf(hex("000007 01 2c 00000001 02 0000000010 88"))).toBe("PROTOCOL_ERROR"); // priority fields leave 1 byte
    expect(errorOf(hex("000004 01 24 00000001 00000000"))).toBe("FRAME_SIZE_ERROR"); // too short for priority fields
  });

  it("refuses a header block interrupted by another frame, or continued on another stream", () => {
    expect(errorOf(hex("000001 01 00 00000001 82  000008 06 00 00000000 0000000000000000"))).toBe("PROTOCOL_ERROR");
    expect(errorOf(hex("000001 01 00 00000001 82  000001 09 04 00000003 84"))).toBe("PROTOCOL_ERROR");
    expect(errorOf(hex("000001 01 00 00000001 82  000001 01 04 00000001 84"))).toBe("PROTOCOL_ERROR");
    expect(errorOf(hex("000001 01 00 00000001 82  000003 fa 00 00000000 aabbcc"))).toBe("PROTOCOL_ERROR"); // §6.10: any other type
    expect(errorOf(hex("000001 09 04 00000001 84"))).toBe("PROTOCOL_ERROR"); // CONTINUATION with no block open
  });

  it("refuses a header block that grows past 256 KiB of CONTINUATION frames", () => {
    const fragment = Buffer.concat([hex("004000 09 00 00000001"), Buffer.alloc(16_384)]);
    const frames = [hex("000000 01 00 00000001"), ...Array.from({ length: 16 }, () => fragment)];
    expect(decode([Buffer.concat(frames)])).toEqual([]);
    expect(errorOf(Buffer.concat([...frames, fragment]))).toBe("ENHANCE_YOUR_CALM");
  });

  it("checks each frame type's length and stream as RFC 9113 §6 pins them", () => {
    expect(errorOf(hex("000006 04 01 00000000 000100001000"))).toBe("FRAME_SIZE_ERROR"); // SETTINGS ACK with a payload
    expect(errorOf(hex("000005 04 00 00000000 0001000010"))).toBe("FRAME_SIZE_ERROR"); // SETTINGS, not 6n bytes
    expect(errorOf(hex("000000 04 00 00000001"))).toBe("PROTOCOL_ERROR"); // SETTINGS on a stream
    expect(errorOf(hex("000003 08 00 00000000 000001"))).toBe("FRAME_SIZE_ERROR"); // WINDOW_UPDATE of 3 bytes
    expect(errorOf(hex("000004 08 00 00000001 80000000"))).toBe("PROTOCOL_ERROR"); // increment 0 (reserved bit only)
    expect(errorOf(hex("000004 08 00 00000000 00000000"))).toBe("PROTOCOL_ERROR");
    expect(errorOf(hex("000007 06 00 00000000 00000000000000"))).toBe("FRAME_SIZE_ERROR"); // PING of 7 bytes
    expect(errorOf(hex("000008 06 00 00000001 0000000000000000"))).toBe("PROTOCOL_ERROR"); // PING on a stream
    expect(errorOf(hex("000007 07 00 00000000 00000000000000"))).toBe("FRAME_SIZE_ERROR"); // GOAWAY of 7 bytes
    expect(errorOf(hex("000008 07 00 00000003 0000000000000000"))).toBe("PROTOCOL_ERROR"); // GOAWAY on a stream
    expect(errorOf(hex("000005 03 00 00000001 0000000000"))).toBe("FRAME_SIZE_ERROR"); // RST_STREAM of 5 bytes
    expect(errorOf(hex("000004 03 00 00000000 00000008"))).toBe("PROTOCOL_ERROR"); // RST_STREAM on stream 0
    expect(errorOf(hex("000004 02 00 00000001 00000000"))).toBe("FRAME_SIZE_ERROR"); // PRIORITY of 4 bytes
    expect(errorOf(hex("000005 02 00 00000000 0000000010"))).toBe("PROTOCOL_ERROR"); // PRIORITY on stream 0
    expect(errorOf(hex("000001 00 00 00000000 61"))).toBe("PROTOCOL_ERROR"); // DATA on stream 0
    expect(errorOf(hex("000001 01 04 00000000 88"))).toBe("PROTOCOL_ERROR"); // HEADERS on stream 0
  });

  it("refuses a PUSH_PROMISE, which the client's SETTINGS disabled", () => {
    expect(errorOf(hex("000005 05 04 00000001 00000002 88"))).toBe("PROTOCOL_ERROR");
  });

  it("refuses SETTINGS values outside their bounds (§6.5.2)", () => {
    expect(errorOf(hex("000006 04 00 00000000 0002 00000001"))).toBe("PROTOCOL_ERROR"); // ENABLE_PUSH 1 from a server
    expect(errorOf(hex("000006 04 00 00000000 0002 00000002"))).toBe("PROTOCOL_ERROR");
    expect(errorOf(hex("000006 04 00 00000000 0004 80000000"))).toBe("FLOW_CONTROL_ERROR"); // INITIAL_WINDOW_SIZE 2^31
    expect(errorOf(hex("000006 04 00 00000000 0005 00003fff"))).toBe("PROTOCOL_ERROR"); // MAX_FRAME_SIZE 16383
    expect(errorOf(hex("000006 04 00 00000000 0005 01000000"))).toBe("PROTOCOL_ERROR"); // MAX_FRAME_SIZE 2^24
    expect(decode([hex("00001e 04 00 00000000 0002 00000000 0004 7fffffff 0005 00ffffff 0001 00000000 0006 00000400")])).toEqual([
      "settings 2=0 4=2147483647 5=16777215 1=0 6=1024",
    ]);
  });
});
