import { describe, expect, it } from "vitest";
import type { SendCallback } from "../../contract/index.ts";
import type { Tracked } from "../../clients/common/outstanding.ts";
import { SlotQueue } from "../../clients/common/slot-queue.ts";

interface Conn {
  readonly name: string;
  active: number;
}

interface Req extends Tracked {
  readonly id: number;
}

function req(id: number): Req {
  const done: SendCallback = () => {};
  return { id, deadlineMs: 0, done, olderOutstanding: null, newerOutstanding: null };
}

function setup(connections: number, streams: number, start?: (slot: Conn, r: Req, q: SlotQueue<Conn, Req>) => void) {
  const slots: Conn[] = Array.from({ length: connections }, (_, i) => ({ name: `c${i}`, active: 0 }));
  const started: string[] = [];
  const queue: SlotQueue<Conn, Req> = new SlotQueue<Conn, Req>(slots, streams, (slot, r) => {
    started.push(`${r.id}@${slot.name}`);
    start?.(slot, r, queue);
  });
  return { slots, started, queue };
}

describe("SlotQueue", () => {
  it("spreads requests over the least-loaded connection, up to streams each, and queues the rest in order", () => {
    const { slots, started, queue } = setup(2, 2, undefined);
    for (let i = 0; i < 6; i++) queue.submit(req(i));
    expect(started).toEqual(["0@c0", "1@c1", "2@c0", "3@c1"]);
    expect(slots.map((s) => s.active)).toEqual([2, 2]);
    expect(queue.queued).toBe(2);

    queue.release(slots[1] as Conn, 1);
    expect(started.slice(4)).toEqual(["4@c1"]);
    expect(queue.queued).toBe(1);
    queue.release(slots[0] as Conn, 2);
    expect(started.slice(5)).toEqual(["5@c0"]);
    expect(slots.map((s) => s.active)).toEqual([1, 2]);
    expect(queue.queued).toBe(0);
  });

  it("does not jump the queue: a new request waits behind queued ones even when a slot is free", () => {
    const { slots, started, queue } = setup(1, 1);
    queue.submit(req(0));
    queue.submit(req(1));
    (slots[0] as Conn).active = 0; // freed without a release: the queue has not pumped yet
    queue.submit(req(2));
    expect(started).toEqual(["0@c0"]);
    queue.release(slots[0] as Conn, 0);
    expect(started).toEqual(["0@c0", "1@c0"]);
  });

  it("skips requests settled while they waited", () => {
    const { slots, started, queue } = setup(1, 1);
    const expired = req(1);
    for (const r of [req(0), expired, req(2)]) queue.submit(r);
    expired.done = null;
    queue.release(slots[0] as Conn, 1);
    expect(started).toEqual(["0@c0", "2@c0"]);
  });

  it("fails through a whole queue of synchronous start failures from one loop, not nested calls", () => {
    let failing = false;
    const { slots, started, queue } = setup(1, 1, (slot, _r, q) => {
      if (failing) q.release(slot, 1);
    });
    for (let i = 0; i < 50_001; i++) queue.submit(req(i));
    expect(queue.queued).toBe(50_000);
    failing = true;
    // Each failed start releases its slot; unguarded, that would pump 50,000 calls deep and overflow the stack.
    queue.release(slots[0] as Conn, 1);
    expect(started.length).toBe(50_001);
    expect((slots[0] as Conn).active).toBe(0);
    expect(queue.queued).toBe(0);
  });

  it("starts on a named slot past the cap, and starts nothing after close", () => {
    const { slots, started, queue } = setup(2, 1);
    queue.startOn(slots[1] as Conn, req(0));
    queue.startOn(slots[1] as Conn, req(1));
    expect(slots.map((s) => s.active)).toEqual([0, 2]);
    queue.submit(req(2));
    queue.submit(req(3));
    queue.close();
    queue.submit(req(4));
    queue.release(slots[0] as Conn, 1);
    expect(started).toEqual(["0@c1", "1@c1", "2@c0"]);
    expect(queue.queued).toBe(0);
  });
});
