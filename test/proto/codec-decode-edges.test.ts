/**
 * decodePayload's edge handling, pinned exactly: the fast varint path and the shared empty body must accept and
 * reject precisely what the straightforward decoder did (kept below as `referenceDecode`, the codec before the fast
 * path) — same values, same error messages.
 */
import { describe, expect, it } from "vitest";
import protobuf from "protobufjs";
import { fileURLToPath } from "node:url";
import { decodePayload, encodePayload, makeBody, PayloadDecodeError } from "../../proto/codec.ts";

const protoPath = fileURLToPath(new URL("../../proto/bench.proto", import.meta.url));
const Payload = protobuf.loadSync(protoPath).lookupType("wirecost.Payload");

/** The decoder as it was before the fast path: tuple-returning varints, float arithmetic throughout. */
function referenceDecode(buf: Uint8Array): { seq: number; body: Uint8Array } {
  const readVarint = (offset: number): [number, number] => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = buf[offset++];
      if (b === undefined) throw new PayloadDecodeError("truncated varint");
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return [value, offset];
      scale *= 128;
    }
    throw new PayloadDecodeError("varint longer than 8 bytes");
  };
  let seq = 0;
  let body: Uint8Array = new Uint8Array(0);
  let o = 0;
  while (o < buf.length) {
    const tag = buf[o++];
    if (tag === 0x08) {
      [seq, o] = readVarint(o);
    } else if (tag === 0x12) {
      let len: number;
      [len, o] = readVarint(o);
      if (o + len > buf.length) throw new PayloadDecodeError(`body length ${len} runs past the end of a ${buf.length}-byte message`);
      body = buf.subarray(o, o + len);
      o += len;
    } else {
      throw new PayloadDecodeError(`unexpected tag 0x${(tag ?? 0).toString(16)} at offset ${o - 1}`);
    }
  }
  return { seq, body };
}

type Outcome = { seq: number; body: number[] } | { error: string };

function outcome(decode: (buf: Uint8Array) => { seq: number; body: Uint8Array }, buf: Uint8Array): Outcome {
  try {
    const { seq, body } = decode(buf);
    return { seq, body: [...body] };
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadDecodeError);
    return { error: (err as Error).message };
  }
}

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("payload decode edges", () => {
  it.each([
    ["a truncated seq varint", bytes(0x08), "truncated varint"],
    ["a seq varint cut after a continuation byte", bytes(0x08, 0x80), "truncated varint"],
    ["a seq varint cut after four continuation bytes", bytes(0x08, 0xff, 0xff, 0xff, 0xff), "truncated varint"],
    ["a seq varint cut after seven continuation bytes", bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "truncated varint"],
    ["a seq varint of nine bytes", bytes(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), "varint longer than 8 bytes"],
    ["a truncated length varint", bytes(0x08, 0x01, 0x12, 0x80), "truncated varint"],
    ["a body length one past the end", bytes(0x12, 0x03, 0x00, 0x01), "body length 3 runs past the end of a 4-byte message"],
    ["a two-byte body length past the end", bytes(0x12, 0x80, 0x01, 0x00), "body length 128 runs past the end of a 4-byte message"],
    ["a five-byte body length past the end", bytes(0x12, 0x80, 0x80, 0x80, 0x80, 0x01), "body length 268435456 runs past the end of a 6-byte message"],
    ["seq with the length-delimited wire type", bytes(0x0a, 0x00), "unexpected tag 0xa at offset 0"],
    ["seq with the fixed64 wire type", bytes(0x09, 0, 0, 0, 0, 0, 0, 0, 0), "unexpected tag 0x9 at offset 0"],
    ["body with the varint wire type", bytes(0x08, 0x01, 0x10, 0x05), "unexpected tag 0x10 at offset 2"],
    ["an unknown field 3 (not skipped: both ends are ours)", bytes(0x08, 0x01, 0x18, 0x01), "unexpected tag 0x18 at offset 2"],
    ["an unknown length-delimited field 4", bytes(0x22, 0x00), "unexpected tag 0x22 at offset 0"],
    ["a non-minimal two-byte tag for field 1", bytes(0x88, 0x00, 0x01), "unexpected tag 0x88 at offset 0"],
  ])("rejects %s with the same message as before", (_what, input, message) => {
    expect(() => decodePayload(input)).toThrow(PayloadDecodeError);
    expect(outcome(decodePayload, input)).toEqual({ error: message });
    expect(outcome(referenceDecode, input)).toEqual({ error: message });
  });

  it.each([
    ["an empty message", bytes(), { seq: 0, body: [] }],
    ["seq alone", bytes(0x08, 0x96, 0x01), { seq: 150, body: [] }],
    ["a body alone", bytes(0x12, 0x02, 0x07, 0x08), { seq: 0, body: [7, 8] }],
    ["the fields in reverse order", bytes(0x12, 0x01, 0x09, 0x08, 0x05), { seq: 5, body: [9] }],
    ["a repeated seq (the last wins)", bytes(0x08, 0x01, 0x08, 0x02), { seq: 2, body: [] }],
    ["a repeated body (the last wins)", bytes(0x12, 0x01, 0x01, 0x12, 0x02, 0x02, 0x03), { seq: 0, body: [2, 3] }],
    ["a non-minimal varint seq", bytes(0x08, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00), { seq: 1, body: [] }],
    ["a four-byte seq at the int32 path's limit (2^28 − 1)", bytes(0x08, 0xff, 0xff, 0xff, 0x7f), { seq: 2 ** 28 - 1, body: [] }],
    ["a five-byte seq (2^28)", bytes(0x08, 0x80, 0x80, 0x80, 0x80, 0x01), { seq: 2 ** 28, body: [] }],
    ["a five-byte seq above 2^31 (no int32 sign)", bytes(0x08, 0x80, 0x80, 0x80, 0x80, 0x08), { seq: 2 ** 31, body: [] }],
    ["an eight-byte seq past 2^53, rounded as before", bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), { seq: 2 ** 56 - 1, body: [] }],
  ])("decodes %s exactly as before", (_what, input, expected) => {
    expect(outcome(decodePayload, input)).toEqual(expected);
    expect(outcome(referenceDecode, input)).toEqual(expected);
  });

  it("returns a zero-length view of the input for an empty body field, and a zero-length body when the field is absent", () => {
    const encoded = encodePayload(7, new Uint8Array(0));
    const present = decodePayload(encoded);
    expect(present.body.length).toBe(0);
    expect(present.body.buffer).toBe(encoded.buffer);
    const absent = decodePayload(bytes(0x08, 0x07));
    expect(absent.body.length).toBe(0);
    expect(decodePayload(bytes()).body.length).toBe(0);
  });

  it.each([0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER])(
    "decodes protobufjs's encoding of seq %d",
    (seq) => {
      for (const size of [0, 16, 128, 1024, 16_384]) {
        const body = makeBody(size);
        const theirs = Payload.encode(Payload.create({ seq, body })).finish();
        const decoded = decodePayload(theirs);
        expect(decoded.seq).toBe(seq);
        expect(Buffer.from(decoded.body).equals(Buffer.from(body))).toBe(true);
      }
    },
  );

  it("agrees with the reference decoder on every prefix and on every single-byte corruption of real messages", () => {
    let checked = 0;
    for (const [seq, size] of [[0, 0], [300, 2], [123_456_789, 16], [2 ** 32 + 5, 200], [Number.MAX_SAFE_INTEGER, 3]] as const) {
      const message = encodePayload(seq, makeBody(size));
      for (let cut = 0; cut <= message.length; cut++) {
        const prefix = message.subarray(0, cut);
        expect(outcome(decodePayload, prefix), `seq ${seq} size ${size} cut ${cut}`).toEqual(outcome(referenceDecode, prefix));
        checked++;
      }
      // Corrupt each of the framing bytes (tags, varints, length) to a spread of values.
      const framing = message.length - size;
      for (let at = 0; at < framing; at++) {
        for (const value of [0x00, 0x01, 0x08, 0x0a, 0x12, 0x7f, 0x80, 0xff]) {
          const corrupt = Uint8Array.from(message);
          corrupt[at] = value;
          expect(outcome(decodePayload, corrupt), `seq ${seq} size ${size} byte ${at} = ${value}`).toEqual(outcome(referenceDecode, corrupt));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
