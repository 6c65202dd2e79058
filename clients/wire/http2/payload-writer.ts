/**
 * Writes a request's `wirecost.Payload` (proto/codec.ts: `0x08 <varint seq> 0x12 <varint len> <body>`) straight into
 * the session's outgoing batch, behind an optional gRPC length prefix, so a request allocates no Buffer for its body.
 * The bytes are `encodePayload`'s (pinned by test/clients/wire/h2-payload-writer.test.ts).
 */

/** gRPC's Length-Prefixed-Message: a compressed flag and a 4-byte big-endian length (grpc/doc/PROTOCOL-HTTP2.md). */
export const GRPC_PREFIX_BYTES = 5;

function varintBytes(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** The encoded payload's length for `seq` and a body of `bodyBytes`. */
export function payloadBytes(seq: number, bodyBytes: number): number {
  return 2 + varintBytes(seq) + varintBytes(bodyBytes) + bodyBytes;
}

function writeVarint(buf: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[offset++] = value;
  return offset;
}

/** Writes the payload at `offset`; returns the offset after it. */
export function writePayload(buf: Uint8Array, offset: number, seq: number, body: Uint8Array): number {
  buf[offset] = 0x08;
  let o = writeVarint(buf, offset + 1, seq);
  buf[o++] = 0x12;
  o = writeVarint(buf, o, body.length);
  buf.set(body, o);
  return o + body.length;
}

/** Writes an uncompressed gRPC message prefix for a `messageBytes`-byte message; returns the offset after it. */
export function writeGrpcPrefix(buf: Uint8Array, offset: number, messageBytes: number): number {
  buf[offset] = 0;
  buf[offset + 1] = messageBytes >>> 24;
  buf[offset + 2] = (messageBytes >>> 16) & 0xff;
  buf[offset + 3] = (messageBytes >>> 8) & 0xff;
  buf[offset + 4] = messageBytes & 0xff;
  return offset + GRPC_PREFIX_BYTES;
}
