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

export const PROTOBUF_CONTENT_TYPE = "application/x-protobuf";

export class PayloadDecodeError extends Error {
  override readonly name = "PayloadDecodeError";
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function writeVarint(buf: Uint8Array, offset: number, value: number): number {
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

function readVarint(buf: Uint8Array, offset: number): [value: number, next: number] {
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
}

/**
 * Decodes a payload. The body is a view into `buf` (no copy). Unknown fields are an error: both ends are ours,
 * and anything else on the wire means framing went wrong.
 */
export function decodePayload(buf: Uint8Array): Payload {
  let seq = 0;
  let body: Uint8Array = new Uint8Array(0);
  let o = 0;
  while (o < buf.length) {
    const tag = buf[o++];
    if (tag === 0x08) {
      [seq, o] = readVarint(buf, o);
    } else if (tag === 0x12) {
      let len: number;
      [len, o] = readVarint(buf, o);
      if (o + len > buf.length) throw new PayloadDecodeError(`body length ${len} runs past the end of a ${buf.length}-byte message`);
      body = buf.subarray(o, o + len);
      o += len;
    } else {
      throw new PayloadDecodeError(`unexpected tag 0x${(tag ?? 0).toString(16)} at offset ${o - 1}`);
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
