/**
 * A minimal, allocation-light codec for `wirecost.Payload` (proto/bench.proto).
 *
 * The generator must spend as little CPU as possible per request, so instead of a general protobuf library the
 * hot path uses this fixed layout: `0x08 <varint seq> 0x12 <varint len> <body>`, both fields always present. It produces the same bytes as
 * protobufjs for the same message (pinned by test/proto/codec.test.ts), so gRPC and the HTTP arms carry identical
 * payloads.
 */

export interface Payload {
  readonly seq: number;
  readonly body: Uint8Array;
}

/** Largest request or response body the harness accepts, in bytes (16 MiB). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The gRPC method and HTTP path every arm uses, so request lines and headers match in size. */
export const UNARY_PATH = "/wirecost.Bench/Unary";
export const SERVER_STREAM_PATH = "/wirecost.Bench/ServerStream";
export const BIDI_PATH = "/wirecost.Bench/Bidi";
/** Where the `ws` and `wss` arms open their WebSocket (servers/websocket). */
export const WEBSOCKET_PATH = "/wirecost.Bench/WebSocket";

export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf";

export class PayloadDecodeError extends Error {
  override readonly name = "PayloadDecodeError";
}

/** Bytes of `value` as a protobuf varint (1 for 0–127, … 8 for a safe integer up to 2^53). */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes `value` as a varint at `offset` and returns the offset just past it. */
export function writeVarint(buf: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[offset++] = value;
  return offset;
}

/** A deterministic filler: byte i is `i & 0xff`. Servers and clients can check it cheaply. */
export function makeBody(length: number): Uint8Array {
  const body = new Uint8Array(length);
  for (let i = 0; i < length; i++) body[i] = i & 0xff;
  return body;
}

/**
 * Encodes a payload. Both fields are always written, zero values included: that is what protobufjs (and so
 * grpc-js through proto-loader) does for fields that are set, and the arms must carry identical bytes.
 */
export function encodePayload(seq: number, body: Uint8Array): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`seq must be a safe non-negative integer, got ${seq}`);
  const out = Buffer.allocUnsafe(2 + varintLength(seq) + varintLength(body.length) + body.length);
  out[0] = 0x08;
  let o = writeVarint(out, 1, seq);
  out[o++] = 0x12;
  o = writeVarint(out, o, body.length);
  out.set(body, o);
  return out;
}

/** Offset just past the varint `readVarint` last read: a second return value without allocating a tuple per call. */
let varintEnd = 0;

/**
 * Reads an unsigned varint of at most 8 bytes (as before: enough for any safe integer). The first four bytes (28 bits)
 * are combined with int32 arithmetic, which is exact there and keeps the 1–4 byte lengths and sequence numbers of the
 * hot path off the float path; bytes 5–8 add in float arithmetic in the same order as always, so every value, the
 * imprecise ones above 2^53 included, comes out as it did.
 */
function readVarint(buf: Uint8Array, o: number): number {
  const end = buf.length;
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (o >= end) throw new PayloadDecodeError("truncated varint");
    const b = buf[o++] as number;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd = o;
      return value;
    }
  }
  let scale = 2 ** 28;
  for (let i = 4; i < 8; i++) {
    if (o >= end) throw new PayloadDecodeError("truncated varint");
    const b = buf[o++] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      varintEnd = o;
      return value;
    }
    scale *= 128;
  }
  throw new PayloadDecodeError("varint longer than 8 bytes");
}

/**
 * The body of a message without a body field. Shared: a zero-length view cannot be written through, and
 * `new Uint8Array(0)` per call cost more than the rest of a decode (it allocates a fresh ArrayBuffer each time).
 */
const NO_BODY = new Uint8Array(0);

/**
 * Decodes a payload. The body is a view into `buf` (no copy). Unknown fields are an error: both ends are ours,
 * and anything else on the wire means framing went wrong.
 */
export function decodePayload(buf: Uint8Array): Payload {
  const end = buf.length;
  let seq = 0;
  let body: Uint8Array = NO_BODY;
  let o = 0;
  while (o < end) {
    const tag = buf[o++] as number;
    if (tag === 0x08) {
      seq = readVarint(buf, o);
      o = varintEnd;
    } else if (tag === 0x12) {
      const len = readVarint(buf, o);
      o = varintEnd;
      if (o + len > end) throw new PayloadDecodeError(`body length ${len} runs past the end of a ${end}-byte message`);
      body = buf.subarray(o, o + len);
      o += len;
    } else {
      throw new PayloadDecodeError(`unexpected tag 0x${tag.toString(16)} at offset ${o - 1}`);
    }
  }
  return { seq, body };
}

/**
 * True when `body` is the filler `makeBody(expectedLength)` would make. Checks the length and a few sampled
 * positions rather than every byte, to keep the check cheap at 16 MiB.
 */
export function bodyLooksRight(body: Uint8Array, expectedLength: number): boolean {
  if (body.length !== expectedLength) return false;
  if (expectedLength === 0) return true;
  const probes = [0, expectedLength >> 1, expectedLength - 1];
  return probes.every((i) => body[i] === (i & 0xff));
}
