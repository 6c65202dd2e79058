import { describe, expect, it } from "vitest";
import protobuf from "protobufjs";
import { fileURLToPath } from "node:url";
import { bodyLooksRight, decodePayload, encodePayload, makeBody, PayloadDecodeError } from "../../proto/codec.ts";

const protoPath = fileURLToPath(new URL("../../proto/bench.proto", import.meta.url));
const Payload = protobuf.loadSync(protoPath).lookupType("wirecost.Payload");

describe("payload codec", () => {
  it.each([
    [0, 0],
    [1, 128],
    [127, 1024],
    [128, 1],
    [300, 16_384],
    [2 ** 32 + 5, 70_000],
    [Number.MAX_SAFE_INTEGER, 3],
  ])("encodes seq %d with a %d-byte body to the same bytes as protobufjs", (seq, size) => {
    const body = makeBody(size);
    const ours = encodePayload(seq, body);
    const theirs = Payload.encode(Payload.create({ seq, body })).finish();
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
  });

  it("decodes what it encodes, with the body as a view of the input", () => {
    const encoded = encodePayload(123_456, makeBody(1024));
    const decoded = decodePayload(encoded);
    expect(decoded.seq).toBe(123_456);
    expect(decoded.body.buffer).toBe(encoded.buffer);
    expect(bodyLooksRight(decoded.body, 1024)).toBe(true);
  });

  it("lays out seq 300 with a 2-byte body as tag, varint, tag, length, body", () => {
    expect([...encodePayload(300, makeBody(2))]).toEqual([0x08, 0xac, 0x02, 0x12, 0x02, 0x00, 0x01]);
  });

  it("rejects truncated and foreign input", () => {
    expect(() => decodePayload(Uint8Array.from([0x08, 0x80]))).toThrow(PayloadDecodeError);
    expect(() => decodePayload(Uint8Array.from([0x12, 0x05, 0x00]))).toThrow(/runs past the end/);
    expect(() => decodePayload(Uint8Array.from([0x1a, 0x00]))).toThrow(/unexpected tag 0x1a/);
  });

  it("tells a wrong body from the right one", () => {
    const body = makeBody(1000);
    expect(bodyLooksRight(body, 999)).toBe(false);
    body[500] = 7;
    expect(bodyLooksRight(body, 1000)).toBe(false);
  });
});
