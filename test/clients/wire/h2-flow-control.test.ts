import { describe, expect, it } from "vitest";
import {
  creditDue,
  ReceiveWindow,
  RECEIVE_WINDOW_BYTES,
  sendableBytes,
  windowAfterInitialChange,
  windowAfterReceive,
  windowAfterUpdate,
} from "../../../clients/wire/http2/flow-control.ts";
import { errorCodeName, Http2ConnectionError, MAX_WINDOW_BYTES } from "../../../clients/wire/http2/frames.ts";

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof Http2ConnectionError) return errorCodeName(err.code);
    throw err;
  }
  return "no error";
}

describe("the send windows", () => {
  it("let out the least of both windows, the frame size and what is wanted, and nothing below zero", () => {
    expect(sendableBytes(65_535, 65_535, 16_384, 100)).toBe(100);
    expect(sendableBytes(65_535, 65_535, 16_384, 100_000)).toBe(16_384);
    expect(sendableBytes(50, 65_535, 16_384, 100)).toBe(50);
    expect(sendableBytes(65_535, 20, 16_384, 100)).toBe(20);
    expect(sendableBytes(0, 65_535, 16_384, 100)).toBe(0);
    expect(sendableBytes(65_535, -1_000, 16_384, 100)).toBe(0);
  });

  it("reopen an exhausted window by WINDOW_UPDATE, up to 2^31-1 and no further", () => {
    let window = 65_535;
    const frames: number[] = [];
    for (let n = sendableBytes(window, 1_000_000, 16_384, 100_000); n > 0; n = sendableBytes(window, 1_000_000, 16_384, 100_000)) {
      frames.push(n);
      window -= n;
    }
    expect([frames, window]).toEqual([[16_384, 16_384, 16_384, 16_383], 0]);
    window = windowAfterUpdate(window, 100, 0);
    expect(sendableBytes(window, 1_000_000, 16_384, 100_000)).toBe(100);
    expect(windowAfterUpdate(MAX_WINDOW_BYTES - 10, 10, 0)).toBe(MAX_WINDOW_BYTES);
    expect(errorOf(() => windowAfterUpdate(MAX_WINDOW_BYTES - 10, 11, 0))).toBe("FLOW_CONTROL_ERROR");
    expect(errorOf(() => windowAfterUpdate(1, MAX_WINDOW_BYTES, 3))).toBe("FLOW_CONTROL_ERROR");
  });

  it("shift by a SETTINGS_INITIAL_WINDOW_SIZE change, below zero after a decrease (§6.9.2)", () => {
    const used = 60_000;
    const negative = windowAfterInitialChange(65_535 - used, 65_535, 16_384, 1);
    expect(negative).toBe(16_384 - used);
    expect(sendableBytes(1_000_000, negative, 16_384, 100)).toBe(0);
    const afterUpdate = windowAfterUpdate(negative, used - 16_384 + 100, 1);
    expect(sendableBytes(1_000_000, afterUpdate, 16_384, 500)).toBe(100);
    expect(windowAfterInitialChange(100, 65_535, 1_000_000, 1)).toBe(100 + 1_000_000 - 65_535);
    expect(errorOf(() => windowAfterInitialChange(65_535, 65_535, MAX_WINDOW_BYTES, 1))).toBe("no error");
    expect(errorOf(() => windowAfterInitialChange(65_536, 65_535, MAX_WINDOW_BYTES, 1))).toBe("FLOW_CONTROL_ERROR");
  });
});

describe("the receive windows", () => {
  it("refuse DATA beyond the window, padding included", () => {
    expect(windowAfterReceive(100, 100, 1)).toBe(0);
    expect(errorOf(() => windowAfterReceive(100, 101, 1))).toBe("FLOW_CONTROL_ERROR");
  });

  it("owe credit only once half the window is consumed, and then all of it", () => {
    expect(creditDue(1000, 1000)).toBe(0);
    expect(creditDue(501, 1000)).toBe(0);
    expect(creditDue(500, 1000)).toBe(500);
    expect(creditDue(0, 1000)).toBe(1000);
  });

  it("batch the connection's WINDOW_UPDATEs: none for a few answers, one for half the window", () => {
    const window = new ReceiveWindow(RECEIVE_WINDOW_BYTES);
    for (let i = 0; i < 1_000; i++) window.receive(1_007);
    expect(window.takeCredit()).toBe(0);
    window.receive(Math.ceil(RECEIVE_WINDOW_BYTES / 2));
    const credit = window.takeCredit();
    expect(credit).toBe(1_007_000 + Math.ceil(RECEIVE_WINDOW_BYTES / 2));
    expect(window.window).toBe(RECEIVE_WINDOW_BYTES);
    expect(window.takeCredit()).toBe(0);
    expect(RECEIVE_WINDOW_BYTES).toBe(1_073_741_823);
  });

  it("fail the connection when the server overruns it", () => {
    const window = new ReceiveWindow(1_000);
    window.receive(999);
    expect(errorOf(() => window.receive(2))).toBe("FLOW_CONTROL_ERROR");
  });
});
