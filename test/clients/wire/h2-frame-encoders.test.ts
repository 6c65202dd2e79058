import { describe, expect, it } from "vitest";
import {
  CONNECTION_PREFACE,
  encodeFrame,
  encodeGoaway,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSettingsAck,
  encodeWindowUpdate,
  ErrorCode,
  errorCodeName,
  Flag,
  FrameType,
  Http2ConnectionError,
  Setting,
  writeFrameHeader,
} from "../../../clients/wire/http2/frames.ts";

const hexOf = (buf: Uint8Array): string => Buffer.from(buf).toString("hex");

describe("the frame encoders", () => {
  it("write the connection preface of RFC 9113 §3.4", () => {
    expect(hexOf(CONNECTION_PREFACE)).toBe("505249202a20485454502f322e300d0a0d0a534d0d0a0d0a");
  });

  it("write a 9-byte frame header: 24-bit length, type, flags, 31-bit stream id", () => {
    const buf = new Uint8Array(12).fill(0xee);
    expect(writeFrameHeader(buf, 1, 0x123456, FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 0x7fffffff)).toBe(10);
    expect(hexOf(buf)).toBe("ee" + "123456" + "01" + "05" + "7fffffff" + "eeee");
    writeFrameHeader(buf, 0, 0, FrameType.DATA, 0, 0xffffffff);
    expect(hexOf(buf.subarray(5, 9))).toBe("7fffffff"); // the reserved bit is always sent as 0
  });

  it("write SETTINGS with each parameter as a 16-bit id and 32-bit value, and an empty ACK", () => {
    const settings = encodeSettings([
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, 2 ** 30 - 1],
      [Setting.MAX_CONCURRENT_STREAMS, 0xffffffff],
    ]);
    expect(hexOf(settings)).toBe("000012 04 00 00000000 0002 00000000 0004 3fffffff 0003 ffffffff".replaceAll(" ", ""));
    expect(hexOf(encodeSettingsAck())).toBe("000000040100000000");
  });

  it("write PING, WINDOW_UPDATE, RST_STREAM and GOAWAY as RFC 9113 §6 lays them out", () => {
    expect(hexOf(encodePing(Buffer.from("0102030405060708", "hex"), true))).toBe("000008060100000000" + "0102030405060708");
    expect(hexOf(encodeWindowUpdate(0, 2 ** 30 - 65_536))).toBe("000004080000000000" + "3fff0000");
    expect(hexOf(encodeWindowUpdate(3, 1))).toBe("000004080000000003" + "00000001");
    expect(hexOf(encodeRstStream(5, ErrorCode.CANCEL))).toBe("000004030000000005" + "00000008");
    expect(hexOf(encodeGoaway(7, ErrorCode.PROTOCOL_ERROR, "bad"))).toBe("00000b070000000000" + "00000007" + "00000001" + "626164");
    expect(hexOf(encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, Buffer.from("hi")))).toBe("000002000100000001" + "6869");
  });

  it("name error codes, and show unknown ones as numbers", () => {
    expect(errorCodeName(ErrorCode.FLOW_CONTROL_ERROR)).toBe("FLOW_CONTROL_ERROR");
    expect(errorCodeName(0xff)).toBe("error code 0xff");
    const err = new Http2ConnectionError(ErrorCode.COMPRESSION_ERROR, "bad index");
    expect(err.message).toBe("COMPRESSION_ERROR: bad index");
    expect(err.code).toBe(9);
  });
});
