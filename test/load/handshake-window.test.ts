/** A load's TLS handshakes are counted over its window by the rule its answers are: start ≤ t < end. */
import { describe, expect, it } from "vitest";
import { createHandshakeWindow } from "../../bench/load/handshake-window.ts";

describe("the handshake window", () => {
  it("counts the handshakes from its start, inclusive, to its end, exclusive, full and resumed apart", () => {
    // The load starts at 1000 with a 500 ms warm-up and a 200 ms window; the loop says "measure" at 1503 for 1500.
    const w = createHandshakeWindow(1500, 200);
    w.record(1000, false);
    w.record(1499.9, true);
    w.record(1500, true);
    w.record(1502, false);
    w.open(1500);
    w.record(1504, true);
    w.record(1699.9, true);
    w.record(1700, true);
    w.record(1800, false);
    expect(w.counts()).toEqual({ full: 1, resumed: 3 });
  });

  it("judges what came before it opened against the start the loop names, which may be past the earliest", () => {
    const w = createHandshakeWindow(1500, 200);
    w.record(1501, true);
    w.record(1502, false);
    w.open(1502);
    expect(w.counts()).toEqual({ full: 1, resumed: 0 });
  });

  it("counts nothing before it opens", () => {
    const w = createHandshakeWindow(0, 1000);
    w.record(10, false);
    expect(w.counts()).toEqual({ full: 0, resumed: 0 });
  });
});
