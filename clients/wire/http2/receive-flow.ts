/**
 * The receive side of a connection's flow control (RFC 9113 §5.2, §6.9): the windows we advertise — one value for
 * every stream (SETTINGS_INITIAL_WINDOW_SIZE) and for the connection (a WINDOW_UPDATE after the preface, since
 * SETTINGS do not change the connection's 65,535: §6.9.2) — what DATA consumes of them, and the credit given back once
 * half of one is consumed (flow-control.ts). DATA for a stream already closed still counts for the connection.
 */

import { creditDue, ReceiveWindow, windowAfterReceive } from "./flow-control.ts";
import type { FrameWriter } from "./frame-writer.ts";
import { CONNECTION_PREFACE, DEFAULT_INITIAL_WINDOW, encodeSettings, Setting } from "./frames.ts";
import type { Http2Stream } from "./stream.ts";

export class ReceiveFlow {
  readonly #out: FrameWriter;
  readonly #windowBytes: number;
  readonly #connection: ReceiveWindow;

  constructor(out: FrameWriter, windowBytes: number) {
    this.#out = out;
    this.#windowBytes = windowBytes;
    this.#connection = new ReceiveWindow(Math.max(DEFAULT_INITIAL_WINDOW, windowBytes));
  }

  /**
   * The client's first bytes (§3.4): the preface, then our SETTINGS — no push (ENABLE_PUSH 0, and 0 streams the
   * server may open: §6.5.2) and the stream window — then the connection window's WINDOW_UPDATE.
   */
  writePreface(): void {
    this.#out.bytes(CONNECTION_PREFACE);
    this.#out.bytes(
      encodeSettings([
        [Setting.ENABLE_PUSH, 0],
        [Setting.MAX_CONCURRENT_STREAMS, 0],
        [Setting.INITIAL_WINDOW_SIZE, this.#windowBytes],
      ]),
    );
    if (this.#windowBytes > DEFAULT_INITIAL_WINDOW) this.#out.windowUpdate(0, this.#windowBytes - DEFAULT_INITIAL_WINDOW);
  }

  /** A stream opened with our advertised window. */
  open(stream: Http2Stream): void {
    stream.receiveWindow = this.#windowBytes;
  }

  /**
   * `flowBytes` of DATA (padding included, §6.9.1) on `stream`, or on a stream already closed (undefined); throws
   * FLOW_CONTROL_ERROR past a window. A stream that goes on gets credit once half its window is used; short ones
   * never get that far.
   */
  receive(stream: Http2Stream | undefined, streamId: number, flowBytes: number, endStream: boolean): void {
    this.#connection.receive(flowBytes);
    if (stream !== undefined) {
      stream.receiveWindow = windowAfterReceive(stream.receiveWindow, flowBytes, streamId);
      const credit = endStream ? 0 : creditDue(stream.receiveWindow, this.#windowBytes);
      if (credit > 0) {
        stream.receiveWindow += credit;
        this.#out.windowUpdate(streamId, credit);
      }
    }
    const credit = this.#connection.takeCredit();
    if (credit > 0) this.#out.windowUpdate(0, credit);
  }
}
