import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RequestFailure, SendCallback } from "../../contract/index.ts";
import { Outstanding } from "../../clients/common/outstanding.ts";
import type { Tracked } from "../../clients/common/outstanding.ts";

interface Item extends Tracked {
  readonly name: string;
  readonly outcomes: (RequestFailure | null)[];
}

function item(name: string): Item {
  const outcomes: (RequestFailure | null)[] = [];
  const done: SendCallback = (outcome) => outcomes.push(outcome);
  return { name, outcomes, deadlineMs: 0, done, olderOutstanding: null, newerOutstanding: null };
}

const RESET: RequestFailure = { kind: "reset", message: "client closed" };

describe("Outstanding", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0, toFake: ["setInterval", "clearInterval", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("settles each request exactly once, in any order", () => {
    const outstanding = new Outstanding<Item>(1_000, () => {});
    const [a, b, c] = [item("a"), item("b"), item("c")];
    for (const x of [a, b, c]) outstanding.add(x);
    expect(outstanding.size).toBe(3);

    expect(outstanding.settle(b, null)).toBe(true);
    expect(outstanding.settle(b, RESET)).toBe(false);
    expect(b.outcomes).toEqual([null]);
    expect(outstanding.size).toBe(2);

    expect(outstanding.failAll(RESET).map((x) => x.name)).toEqual(["a", "c"]);
    expect([a.outcomes, c.outcomes]).toEqual([[RESET], [RESET]]);
    expect(outstanding.size).toBe(0);
    outstanding.stop();
  });

  it("unlinks a settled request, so a dead request never points at a live one", () => {
    const outstanding = new Outstanding<Item>(1_000, () => {});
    const [a, b, c] = [item("a"), item("b"), item("c")];
    for (const x of [a, b, c]) outstanding.add(x);

    outstanding.settle(b, null);
    expect([b.olderOutstanding, b.newerOutstanding]).toEqual([null, null]);
    expect(a.newerOutstanding).toBe(c);
    expect(c.olderOutstanding).toBe(a);

    outstanding.settle(a, null);
    outstanding.settle(c, null);
    for (const x of [a, c]) expect([x.olderOutstanding, x.newerOutstanding]).toEqual([null, null]);
    expect(outstanding.failAll(RESET)).toEqual([]);
    outstanding.stop();
  });

  it("fails expired requests with timeout, oldest first, and cancels each after failing it", () => {
    const expired: string[] = [];
    const outstanding = new Outstanding<Item>(100, (x) => expired.push(`${x.name}:${x.outcomes[0]?.kind}`));
    const [a, b, c] = [item("a"), item("b"), item("c")];
    outstanding.add(a);
    vi.advanceTimersByTime(30);
    outstanding.add(b);
    vi.advanceTimersByTime(30);
    outstanding.add(c);
    outstanding.settle(a, null);

    outstanding.sweep(130);
    expect(expired).toEqual(["b:timeout"]);
    expect(b.outcomes).toEqual([{ kind: "timeout", message: "no answer within 100 ms" }]);
    expect(outstanding.size).toBe(1);

    outstanding.sweep(160);
    expect(expired).toEqual(["b:timeout", "c:timeout"]);
    expect(outstanding.size).toBe(0);
    outstanding.stop();
  });

  it("runs the sweep on its own timer", () => {
    const expired: string[] = [];
    const outstanding = new Outstanding<Item>(80, (x) => expired.push(x.name));
    const a = item("a");
    outstanding.add(a);
    vi.advanceTimersByTime(79);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(20); // the sweep runs every 10 ms for an 80 ms timeout
    expect(expired).toEqual(["a"]);
    outstanding.stop();
  });
});
