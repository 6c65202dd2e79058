/**
 * HTTP/2 flow-control arithmetic (RFC 9113 §5.2, §6.9), pure: the session keeps the numbers, these say what they
 * become and when that is an error.
 *
 * Send side: DATA may go out while both the connection's and the stream's window are positive, at most the smaller
 * of them and the server's SETTINGS_MAX_FRAME_SIZE per frame; WINDOW_UPDATE adds to a window, and a change of
 * SETTINGS_INITIAL_WINDOW_SIZE shifts every open stream's window by the difference, possibly below zero (§6.9.2).
 * Receive side: we advertise large windows (as h2load does) and give credit back in batches, once half a window
 * has been consumed, rather than a WINDOW_UPDATE per DATA frame.
 */

import { ErrorCode, Http2ConnectionError, MAX_WINDOW_BYTES } from "./frames.ts";

/**
 * The receive window we advertise, for every stream (SETTINGS_INITIAL_WINDOW_SIZE) and for the connection (a
 * WINDOW_UPDATE right after the preface, since the connection's starts at 65,535: §6.9.2): h2load's default,
 * 2^30 − 1, so answers never wait for credit and updates are rare.
 */
export const RECEIVE_WINDOW_BYTES = 2 ** 30 - 1;

/** Bytes of DATA that may go out now: bounded by both windows (which may be negative) and the frame size. */
export function sendableBytes(connectionWindow: number, streamWindow: number, maxFrameSize: number, wanted: number): number {
  return Math.max(0, Math.min(connectionWindow, streamWindow, maxFrameSize, wanted));
}

/**
 * §6.9.1: a window after a WINDOW_UPDATE of `increment`; a window above 2^31 − 1 is a FLOW_CONTROL_ERROR (for the
 * connection, or for a stream, which this client treats the same: frames.ts).
 */
export function windowAfterUpdate(window: number, increment: number, streamId: number): number {
  const next = window + increment;
  if (next > MAX_WINDOW_BYTES) {
    throw new Http2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `WINDOW_UPDATE of ${increment} takes stream ${streamId}'s window to ${next}, above 2^31-1 (§6.9.1)`);
  }
  return next;
}

/**
 * §6.9.2: a stream's send window after the server changed SETTINGS_INITIAL_WINDOW_SIZE from `before` to `after`;
 * it may become negative (then nothing is sent until WINDOW_UPDATEs bring it above zero), and above 2^31 − 1 is a
 * FLOW_CONTROL_ERROR.
 */
export function windowAfterInitialChange(window: number, before: number, after: number, streamId: number): number {
  const next = window + (after - before);
  if (next > MAX_WINDOW_BYTES) {
    throw new Http2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${after} takes stream ${streamId}'s window to ${next} (§6.9.2)`);
  }
  return next;
}

/**
 * §6.9.1: the receive window left after `bytes` of DATA (padding included); a peer that sends more than the window
 * allows has broken flow control.
 */
export function windowAfterReceive(window: number, bytes: number, streamId: number): number {
  if (bytes > window) {
    throw new Http2ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `${bytes} bytes of DATA on stream ${streamId} with ${window} bytes of window left (§6.9.1)`);
  }
  return window - bytes;
}

/** The WINDOW_UPDATE increment owed for a receive window of `window` out of `full`: 0 until half is consumed. */
export function creditDue(window: number, full: number): number {
  const consumed = full - window;
  return consumed >= full / 2 ? consumed : 0;
}

/** The connection's receive window: DATA on any stream (or on one already closed) consumes it. */
export class ReceiveWindow {
  readonly #full: number;
  #window: number;

  constructor(full: number) {
    this.#full = full;
    this.#window = full;
  }

  get window(): number {
    return this.#window;
  }

  /** Consumes `bytes`; throws FLOW_CONTROL_ERROR past the window. */
  receive(bytes: number): void {
    this.#window = windowAfterReceive(this.#window, bytes, 0);
  }

  /** The increment to send now (and counted as sent), or 0 while less than half the window is consumed. */
  takeCredit(): number {
    const due = creditDue(this.#window, this.#full);
    this.#window += due;
    return due;
  }
}
