/**
 * Bookkeeping every client shares: the list of unanswered requests with one periodic timeout sweep, and a FIFO for
 * requests waiting for a free stream slot.
 *
 * The timeout is the same for every request, so deadlines grow in insertion order and the sweep stops at the first
 * request still within its time: one timer per client instead of one per request.
 *
 * The list is intrusive (links on the requests) rather than a `Set`: a churning `Set`/`Map` replaces its backing
 * table every few adds, and V8 leaves the replaced table pointing at its successor and at the entries it held
 * (OrderedHashTable::Rehash keeps them for live iterators). Once one table is promoted to the old generation (every
 * full GC promotes the live one), that chain of dead tables keeps each later table and the requests they held
 * alive through every scavenge, so scavenge pauses grow with the young generation (tens of ms at 1000 req/s).
 * Unlinked requests have both links cleared, so a dead request never keeps a newer one alive.
 */

import { failure } from "./error-kind.ts";
import type { ClientOptions, RequestFailure, SendCallback } from "../../contract/index.ts";

export interface Tracked {
  /** `performance.now()` after which the request fails with "timeout"; set by `Outstanding.add`. */
  deadlineMs: number;
  /** The caller's callback; `null` once the request is settled, so it is called exactly once. */
  done: SendCallback | null;
  /** The neighbours in `Outstanding`'s list (older, newer); `null` at the ends and once unlinked. */
  olderOutstanding: Tracked | null;
  newerOutstanding: Tracked | null;
}

/** How often the sweep runs: a fraction of the timeout, so a timeout fires at most ~12% late, within 5–100 ms. */
function sweepPeriodMs(timeoutMs: number): number {
  return Math.min(100, Math.max(5, Math.floor(timeoutMs / 8)));
}

export class Outstanding<T extends Tracked> {
  /** Oldest and newest unsettled requests; deadlines grow from `#oldest` to `#newest`. */
  #oldest: T | null = null;
  #newest: T | null = null;
  #size = 0;
  readonly #timeoutMs: number;
  readonly #timeoutFailure: RequestFailure;
  readonly #onExpire: (item: T) => void;
  readonly #timer: NodeJS.Timeout;

  /** `onExpire` runs after an expired request was failed with "timeout", to cancel it on the wire. */
  constructor(timeoutMs: number, onExpire: (item: T) => void) {
    this.#timeoutMs = timeoutMs;
    this.#timeoutFailure = failure("timeout", `no answer within ${timeoutMs} ms`);
    this.#onExpire = onExpire;
    this.#timer = setInterval(() => this.sweep(performance.now()), sweepPeriodMs(timeoutMs));
    this.#timer.unref();
  }

  get size(): number {
    return this.#size;
  }

  /** Lists an unsettled request that is not listed yet. */
  add(item: T): void {
    item.deadlineMs = performance.now() + this.#timeoutMs;
    item.olderOutstanding = this.#newest;
    item.newerOutstanding = null;
    if (this.#newest === null) this.#oldest = item;
    else this.#newest.newerOutstanding = item;
    this.#newest = item;
    this.#size++;
  }

  /** Calls the item's callback once with `outcome`; false when it was already settled. */
  settle(item: T, outcome: RequestFailure | null): boolean {
    const done = item.done;
    if (done === null) return false;
    item.done = null;
    this.#unlink(item);
    done(outcome);
    return true;
  }

  /** Fails every request whose deadline has passed. */
  sweep(nowMs: number): void {
    for (let item = this.#oldest; item !== null && item.deadlineMs <= nowMs; item = this.#oldest) {
      this.settle(item, this.#timeoutFailure);
      this.#onExpire(item);
    }
  }

  /** Fails every outstanding request with `outcome` and returns them, for the caller to cancel on the wire. */
  failAll(outcome: RequestFailure): T[] {
    const items: T[] = [];
    for (let item = this.#oldest; item !== null; item = item.newerOutstanding as T | null) items.push(item);
    for (const item of items) this.settle(item, outcome);
    return items;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #unlink(item: T): void {
    const older = item.olderOutstanding as T | null;
    const newer = item.newerOutstanding as T | null;
    if (older === null) {
      // Only the oldest has no older neighbour; anything else with neither link was never listed.
      if (this.#oldest !== item) return;
      this.#oldest = newer;
    } else {
      older.newerOutstanding = newer;
    }
    if (newer === null) this.#newest = older;
    else newer.olderOutstanding = older;
    item.olderOutstanding = null;
    item.newerOutstanding = null;
    this.#size--;
  }
}

/** An array-backed queue with O(1) amortised shift. */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

export const CLOSED_FAILURE: RequestFailure = failure("reset", "client closed");

export function checkClientOptions(opts: ClientOptions): void {
  for (const key of ["connections", "streams", "requestTimeoutMs"] as const) {
    const value = opts[key];
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${value}`);
  }
  for (const key of ["requestBytes", "responseBytes"] as const) {
    const value = opts[key];
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
}

/** The authority part of a URL; IPv6 literals need brackets. */
export function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Resolves when every request of a warm-up succeeded; rejects with the first failure. */
export function warmUpAll(count: number, sendOne: (index: number, done: SendCallback) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = count;
    if (left === 0) resolve();
    for (let i = 0; i < count; i++) {
      sendOne(i, (outcome) => {
        if (outcome !== null) {
          reject(new Error(`warm-up request failed (${outcome.kind}): ${outcome.message}`));
          return;
        }
        if (--left === 0) resolve();
      });
    }
  });
}
