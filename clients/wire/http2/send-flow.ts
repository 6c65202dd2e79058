/**
 * The send side of a connection's flow control (RFC 9113 §5.2, §6.9): DATA goes out while the connection's and the
 * stream's windows allow, in frames of at most the server's SETTINGS_MAX_FRAME_SIZE; what does not fit waits on its
 * stream, and the stream waits in a list until a WINDOW_UPDATE (or a larger SETTINGS_INITIAL_WINDOW_SIZE) lets it
 * go on. The arithmetic is flow-control.ts's.
 */

import { Fifo } from "../../common/outstanding.ts";
import { sendableBytes, windowAfterInitialChange, windowAfterUpdate } from "./flow-control.ts";
import type { FrameWriter } from "./frame-writer.ts";
import { DEFAULT_INITIAL_WINDOW, DEFAULT_MAX_FRAME_SIZE, Flag, FrameType } from "./frames.ts";
import type { Http2Stream } from "./stream.ts";

export class SendFlow {
  /** The connection's send window: 65,535 at first, changed only by WINDOW_UPDATE on stream 0 (§6.9.2). */
  window = DEFAULT_INITIAL_WINDOW;
  /** The server's SETTINGS_MAX_FRAME_SIZE and SETTINGS_INITIAL_WINDOW_SIZE (§6.5.2). */
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  #initialWindow = DEFAULT_INITIAL_WINDOW;
  readonly #out: FrameWriter;
  readonly #blocked = new Fifo<Http2Stream>();

  constructor(out: FrameWriter) {
    this.#out = out;
  }

  /** A stream opened: its window is the server's initial window. */
  open(stream: Http2Stream): void {
    stream.sendWindow = this.#initialWindow;
  }

  /** §6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE shifts every open stream's window by the difference. */
  setInitialWindow(value: number, open: readonly Http2Stream[]): void {
    for (const stream of open) stream.sendWindow = windowAfterInitialChange(stream.sendWindow, this.#initialWindow, value, stream.streamId);
    this.#initialWindow = value;
  }

  /**
   * Writes a DATA frame header for a `length`-byte payload and returns where the payload goes in the writer's
   * `buf`; the caller writes it there at once. -1 when it cannot go now (stream not open, data already waiting,
   * a window or the frame size too small): then the caller hands the bytes to `queue`.
   */
  dataSpace(stream: Http2Stream, length: number, endStream: boolean): number {
    if (stream.streamState !== "open" || stream.pendingData !== null) return -1;
    if (length > this.window || length > stream.sendWindow || length > this.maxFrameSize) return -1;
    const at = this.#out.frame(length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, stream.streamId);
    this.window -= length;
    stream.sendWindow -= length;
    if (endStream) stream.localEnded = true;
    return at;
  }

  /** Sends `data` on `stream` as the windows allow; kept until the stream opens if it is still queued. */
  queue(stream: Http2Stream, data: Buffer, endStream: boolean): void {
    if (stream.streamState === "closed") return;
    (stream.pendingData ??= []).push(data);
    if (endStream) stream.pendingEnd = true;
    this.pump(stream);
  }

  /** Sends a stream's waiting DATA while both windows allow, END_STREAM with its last byte. */
  pump(stream: Http2Stream): void {
    const chunks = stream.pendingData;
    if (chunks === null || stream.streamState !== "open") return;
    while (chunks.length > 0) {
      const head = chunks[0] as Buffer;
      const n = sendableBytes(this.window, stream.sendWindow, this.maxFrameSize, head.length);
      if (n === 0 && head.length > 0) {
        if (!stream.blocked) {
          stream.blocked = true;
          this.#blocked.push(stream);
        }
        return;
      }
      const end = n === head.length && chunks.length === 1 && stream.pendingEnd;
      const at = this.#out.frame(n, FrameType.DATA, end ? Flag.END_STREAM : 0, stream.streamId);
      head.copy(this.#out.buf, at, 0, n);
      this.window -= n;
      stream.sendWindow -= n;
      if (n === head.length) chunks.shift();
      else chunks[0] = head.subarray(n);
      if (end) stream.localEnded = true;
    }
    stream.pendingData = null;
    stream.pendingEnd = false;
  }

  /** WINDOW_UPDATE on stream 0: more room for every stream waiting. */
  connectionUpdate(increment: number): void {
    this.window = windowAfterUpdate(this.window, increment, 0);
    this.pumpBlocked();
  }

  /** WINDOW_UPDATE on an open stream. */
  streamUpdate(stream: Http2Stream, increment: number): void {
    stream.sendWindow = windowAfterUpdate(stream.sendWindow, increment, stream.streamId);
    this.pump(stream);
  }

  /** Gives every waiting stream a turn (each waits again if it still cannot send). */
  pumpBlocked(): void {
    for (let n = this.#blocked.length; n > 0 && this.window > 0; n--) {
      const stream = this.#blocked.shift() as Http2Stream;
      stream.blocked = false;
      this.pump(stream);
    }
  }

  clear(): void {
    this.#blocked.clear();
  }
}
