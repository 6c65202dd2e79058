/**
 * The per-connection in-flight cap every multiplexed client shares (h2c/h2, both gRPC clients): each connection
 * ("slot") carries at most `streams` requests at once; more wait in one client-side FIFO and go out on the
 * least-loaded slot as requests finish. One copy of this logic rather than one per client, so the arms queue and
 * refuse alike.
 */

import { Fifo } from "./outstanding.ts";
import type { Tracked } from "./outstanding.ts";

export interface Slot {
  /** Requests this slot carries now: counted up by `SlotQueue` before `start`, down by `release`. */
  active: number;
}

export class SlotQueue<S extends Slot, R extends Tracked> {
  readonly slots: readonly S[];
  readonly #streams: number;
  readonly #start: (slot: S, req: R) => void;
  readonly #queue = new Fifo<R>();
  #closed = false;
  /** Set while `#pump` runs, so a `release` from a `start` that failed synchronously does not recurse. */
  #pumping = false;

  /**
   * `start(slot, req)` puts `req` on the wire on `slot`, whose `active` already counts it; when it cannot, it
   * settles `req` and calls `release(slot, 1)`.
   */
  constructor(slots: readonly S[], streams: number, start: (slot: S, req: R) => void) {
    if (slots.length === 0) throw new RangeError("a SlotQueue needs at least one slot");
    this.slots = slots;
    this.#streams = streams;
    this.#start = start;
  }

  /** Requests waiting for a slot (settled ones included until their turn skips them). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Starts `req` at once when nobody waits and the least-loaded slot has room; queues it otherwise. */
  submit(req: R): void {
    if (this.#closed) return;
    const slot = this.#leastLoaded();
    if (this.#queue.length === 0 && slot.active < this.#streams) this.#begin(slot, req);
    else this.#queue.push(req);
  }

  /** Starts `req` on this very slot, cap or not (warm-up: one request on every connection). */
  startOn(slot: S, req: R): void {
    this.#begin(slot, req);
  }

  /** `count` requests left `slot` (answered, failed or expired): start waiting ones while some slot has room. */
  release(slot: S, count: number): void {
    slot.active -= count;
    this.#pump();
  }

  /** Drops every waiting request (the caller fails them through `Outstanding`) and starts nothing more. */
  close(): void {
    this.#closed = true;
    this.#queue.clear();
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const slot = this.#leastLoaded();
        if (slot.active >= this.#streams) return;
        const req = this.#queue.shift();
        // A request that expired while it waited was settled already: skip it.
        if (req !== undefined && req.done !== null) this.#begin(slot, req);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #begin(slot: S, req: R): void {
    slot.active++;
    this.#start(slot, req);
  }

  #leastLoaded(): S {
    const slots = this.slots;
    let best = slots[0] as S;
    for (let i = 1; i < slots.length; i++) {
      const slot = slots[i] as S;
      if (slot.active < best.active) best = slot;
    }
    return best;
  }
}
