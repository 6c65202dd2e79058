import { describe, expect, it } from "vitest";
import { GRPC_PREFIX_BYTES, payloadBytes, writeGrpcPrefix, writePayload } from "../../../clients/wire/http2/payload-writer.ts";
import { frameMessage } from "../../../clients/common/grpc-frames.ts";
import { encodePayload, makeBody } from "../../../proto/codec.ts";

describe("the payload writer", () => {
  it.each([
    [0, 0],
    [1, 100],
    [127, 127],
    [128, 128],
    [2 ** 21, 16_384],
    [2 ** 42 + 7, 3],
    [Number.MAX_SAFE_INTEGER, 1],
  ])("writes encodePayload's bytes for seq %d and a %d-byte body, in place", (seq, bodyBytes) => {
    const body = makeBody(bodyBytes);
    const expected = encodePayload(seq, body);
    expect(payloadBytes(seq, bodyBytes)).toBe(expected.length);
    const buf = Buffer.alloc(expected.length + 4, 0xee);
    expect(writePayload(buf, 2, seq, body)).toBe(2 + expected.length);
    expect(buf.subarray(2, 2 + expected.length).equals(expected)).toBe(true);
    expect([buf[0], buf[1], buf.at(-2), buf.at(-1)]).toEqual([0xee, 0xee, 0xee, 0xee]);
  });

  it("writes the gRPC prefix frameMessage writes", () => {
    for (const seq of [0, 300, 2 ** 40]) {
      const message = encodePayload(seq, makeBody(1_000));
      const buf = Buffer.alloc(GRPC_PREFIX_BYTES + message.length);
      writePayload(buf, writeGrpcPrefix(buf, 0, message.length), seq, makeBody(1_000));
      expect(buf.equals(frameMessage(message))).toBe(true);
    }
    const prefix = Buffer.alloc(5);
    writeGrpcPrefix(prefix, 0, 0x01020304);
    expect(prefix.toString("hex")).toBe("0001020304");
  });
});
