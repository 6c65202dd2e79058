/**
 * HTTP/2 frames as bytes (RFC 9113 §4 and §6): the numbers of the protocol, the connection error, and encoders for
 * what a client sends. Pure: every encoder writes into a buffer it is given (the session's per-turn batch) or returns
 * a new one; frame-decoder.ts reads what the server sends.
 */

/** §4.1: every frame starts with a 9-octet header: length (24 bits), type, flags, R + stream id (31 bits). */
export const FRAME_HEADER_BYTES = 9;

/** §6: the frame types. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** §6: flag bits; ACK and END_STREAM share a bit on different frame types. */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** §7: error codes, in RST_STREAM and GOAWAY. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

const ERROR_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** An error code's name for messages; codes outside §7 are shown as numbers (§7: unknown codes are not errors). */
export function errorCodeName(code: number): string {
  return ERROR_NAMES.get(code) ?? `error code 0x${code.toString(16)}`;
}

/** §6.5.2: the defined SETTINGS parameters. */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** §6.5.2 initial values and bounds. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const MAX_FRAME_SIZE_LIMIT = 2 ** 24 - 1;
export const DEFAULT_INITIAL_WINDOW = 65_535;
export const MAX_WINDOW_BYTES = 2 ** 31 - 1;
export const DEFAULT_HEADER_TABLE_SIZE = 4_096;
/** §5.1.1: stream ids are 31 bits. */
export const MAX_STREAM_ID = 2 ** 31 - 1;

/** §3.4: what a client sends first, before its SETTINGS. */
export const CONNECTION_PREFACE: Buffer = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * A connection error (§5.4.1): the connection is unusable, and the code goes into our GOAWAY. Every framing, HPACK
 * and flow-control error this client detects is one, even where RFC 9113 allows a stream error, as §5.4.1 permits
 * ("an endpoint MAY choose to treat a stream error as a connection error"): a benchmark's server that breaks the
 * protocol has failed the run's premise. (A malformed answer inside a valid stream — trailers without END_STREAM,
 * an undecodable message — fails only its request.)
 */
export class Http2ConnectionError extends Error {
  override readonly name = "Http2ConnectionError";
  readonly code: number;

  constructor(code: number, message: string) {
    super(`${errorCodeName(code)}: ${message}`);
    this.code = code;
  }
}

export type SettingsEntry = readonly [id: number, value: number];

/** Writes a frame header at `offset`; returns the offset after it. The reserved bit is sent as 0 (§4.1). */
export function writeFrameHeader(buf: Uint8Array, offset: number, length: number, type: number, flags: number, streamId: number): number {
  buf[offset] = length >>> 16;
  buf[offset + 1] = (length >>> 8) & 0xff;
  buf[offset + 2] = length & 0xff;
  buf[offset + 3] = type;
  buf[offset + 4] = flags;
  writeUint31(buf, offset + 5, streamId);
  return offset + FRAME_HEADER_BYTES;
}

/** A 31-bit value with the reserved high bit clear. */
export function writeUint31(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = (value >>> 24) & 0x7f;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

function writeUint32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

/** One whole frame in a new buffer: for the frames a connection sends rarely, and for tests. */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(out, 0, payload.length, type, flags, streamId);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** §6.5.1: each parameter is a 16-bit id and a 32-bit value. */
export function encodeSettings(entries: readonly SettingsEntry[]): Buffer {
  const payload = Buffer.allocUnsafe(entries.length * 6);
  entries.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    writeUint32(payload, i * 6 + 2, value);
  });
  return encodeFrame(FrameType.SETTINGS, 0, 0, payload);
}

/** §6.5: an ACK carries no payload. */
export function encodeSettingsAck(): Buffer {
  return encodeFrame(FrameType.SETTINGS, Flag.ACK, 0);
}

/** §6.7: 8 opaque octets; an ACK echoes the PING's. */
export function encodePing(opaque: Uint8Array, ack: boolean): Buffer {
  return encodeFrame(FrameType.PING, ack ? Flag.ACK : 0, 0, opaque);
}

/** §6.9: a 31-bit increment, 1 to 2^31-1. */
export function encodeWindowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  writeUint31(payload, 0, increment);
  return encodeFrame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

/** §6.4 */
export function encodeRstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  writeUint32(payload, 0, code);
  return encodeFrame(FrameType.RST_STREAM, 0, streamId, payload);
}

/** §6.8: last stream id, error code, and opaque debug data. */
export function encodeGoaway(lastStreamId: number, code: number, debug: string = ""): Buffer {
  const text = Buffer.from(debug, "utf8");
  const payload = Buffer.allocUnsafe(8 + text.length);
  writeUint31(payload, 0, lastStreamId);
  writeUint32(payload, 4, code);
  payload.set(text, 8);
  return encodeFrame(FrameType.GOAWAY, 0, 0, payload);
}
