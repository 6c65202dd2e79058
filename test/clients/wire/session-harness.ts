/**
 * Drives an `Http2Session` with bytes, no socket: a transport that records what the session writes, a stream that
 * records what the session tells it, and a reader of the client's frames for exact assertions.
 */

import type { RequestFailure } from "../../../contract/index.ts";
import { CONNECTION_PREFACE, encodeFrame, encodeSettings, Flag, FrameType } from "../../../clients/wire/http2/frames.ts";
import type { SettingsEntry } from "../../../clients/wire/http2/frames.ts";
import { prepareRequestHeaders } from "../../../clients/wire/http2/hpack-encoder.ts";
import { Http2Session } from "../../../clients/wire/http2/session.ts";
import type { Transport } from "../../../clients/wire/http2/session.ts";
import { Http2Stream } from "../../../clients/wire/http2/stream.ts";
import type { ResponseHead } from "../../../clients/wire/http2/stream.ts";

export const hex = (s: string): Buffer => Buffer.from(s.replaceAll(/\s/g, ""), "hex");

export const HEADERS = prepareRequestHeaders([
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/x"],
  [":authority", "a"],
]);

export class RecordingTransport implements Transport {
  readonly writes: Buffer[] = [];
  closed = false;

  write(chunk: Buffer): void {
    this.writes.push(Buffer.from(chunk));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export class RecordingStream extends Http2Stream {
  readonly events: string[] = [];

  override onHeaders(head: ResponseHead, endStream: boolean): void {
    this.events.push(`headers ${head.status}${head.grpcStatus !== undefined ? ` grpc-status ${head.grpcStatus}` : ""} end=${endStream}`);
  }

  override onData(data: Buffer, endStream: boolean): void {
    this.events.push(`data ${data.toString("hex")} end=${endStream}`);
  }

  override onAbort(failure: RequestFailure): void {
    this.events.push(`abort ${failure.kind}: ${failure.message}`);
  }
}

/** A frame the client wrote, as one line: type name, flags, stream, payload hex. */
export interface WrittenFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: string;
}

const NAMES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"];

/** The frames in `bytes` (after the preface, if it starts with it), as "TYPE flags=N stream=N payload". */
export function framesOf(bytes: Buffer): string[] {
  let o = bytes.subarray(0, CONNECTION_PREFACE.length).equals(CONNECTION_PREFACE) ? CONNECTION_PREFACE.length : 0;
  const out: string[] = [];
  while (o + 9 <= bytes.length) {
    const length = bytes.readUIntBE(o, 3);
    const type = bytes[o + 3] as number;
    const flags = bytes[o + 4] as number;
    const streamId = bytes.readUInt32BE(o + 5) & 0x7fffffff;
    // A DATA payload longer than 32 bytes is shown by its length.
    const payload = type === FrameType.DATA && length > 32 ? `<${length} bytes>` : bytes.subarray(o + 9, o + 9 + length).toString("hex");
    out.push(`${NAMES[type] ?? type} flags=${flags} stream=${streamId} ${payload}`.trimEnd());
    o += 9 + length;
  }
  return out;
}

/** Lets the session's next-tick flush run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

export interface Harness {
  readonly session: Http2Session;
  readonly transport: RecordingTransport;
  /** Frames written since the last call, one line each; `writes` counts the transport writes they came in. */
  written(): Promise<{ frames: string[]; writes: number }>;
  /** Server bytes in. */
  serve(...frames: Buffer[]): void;
  closedCount(): number;
}

/**
 * A session whose preface has been written and read off; with `settings`, the server's SETTINGS are in and ACKed.
 * `receiveWindowBytes` replaces the 2^30-1 window the session advertises, so a test can fill it.
 */
export async function harness(settings: readonly SettingsEntry[] | null = [], receiveWindowBytes?: number): Promise<Harness> {
  const transport = new RecordingTransport();
  let closed = 0;
  const session = new Http2Session(transport, HEADERS, () => closed++, receiveWindowBytes);
  let seen = 0;
  const h: Harness = {
    session,
    transport,
    async written() {
      await tick();
      const chunks = transport.writes.slice(seen);
      seen = transport.writes.length;
      return { frames: chunks.flatMap((chunk) => framesOf(chunk)), writes: chunks.length };
    },
    serve: (...frames) => session.receive(Buffer.concat(frames)),
    closedCount: () => closed,
  };
  await h.written();
  if (settings !== null) {
    h.serve(encodeSettings(settings));
    await h.written();
  }
  return h;
}

/** `:status 200` from the static table (index 8). */
export const STATUS_200 = hex("88");

export function responseHeaders(streamId: number, endStream: boolean, block: Buffer = STATUS_200): Buffer {
  return encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, block);
}

export function data(streamId: number, payload: Buffer, endStream: boolean): Buffer {
  return encodeFrame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, payload);
}
