/**
 * A session's open streams by id. Client stream ids are consecutive odd numbers (RFC 9113 §5.1.1), so `id >>> 1`
 * masked by a power of two is a direct slot with no collisions while the open ids span less than the capacity; a
 * collision doubles the table. Unlike a Map with one add and one delete per request, it allocates nothing in the
 * steady state (clients/common/outstanding.ts explains why churning Maps hurt scavenges).
 */

export interface HasStreamId {
  readonly streamId: number;
}

export class StreamTable<T extends HasStreamId> {
  #slots: (T | undefined)[];
  #mask: number;
  #size = 0;

  constructor(capacity: number = 64) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, capacity)));
    this.#slots = new Array<T | undefined>(size).fill(undefined);
    this.#mask = size - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Slots in the table now (grows on collision). */
  get capacity(): number {
    return this.#slots.length;
  }

  get(streamId: number): T | undefined {
    const item = this.#slots[(streamId >>> 1) & this.#mask];
    return item !== undefined && item.streamId === streamId ? item : undefined;
  }

  add(item: T): void {
    while (this.#slots[(item.streamId >>> 1) & this.#mask] !== undefined) this.#grow();
    this.#slots[(item.streamId >>> 1) & this.#mask] = item;
    this.#size++;
  }

  /** Removes `item` if it is in the table. */
  delete(item: T): void {
    const slot = (item.streamId >>> 1) & this.#mask;
    if (this.#slots[slot] !== item) return;
    this.#slots[slot] = undefined;
    this.#size--;
  }

  /** Every item, in no particular order (a copy: the caller may change the table while walking it). */
  values(): T[] {
    return this.#slots.filter((item): item is T => item !== undefined);
  }

  clear(): void {
    this.#slots.fill(undefined);
    this.#size = 0;
  }

  /** Doubles until every present item has a slot of its own. */
  #grow(): void {
    const items = this.values();
    for (let size = this.#slots.length * 2; ; size *= 2) {
      const slots = new Array<T | undefined>(size).fill(undefined);
      const mask = size - 1;
      let fits = true;
      for (const item of items) {
        const slot = (item.streamId >>> 1) & mask;
        if (slots[slot] !== undefined) {
          fits = false;
          break;
        }
        slots[slot] = item;
      }
      if (fits) {
        this.#slots = slots;
        this.#mask = mask;
        return;
      }
    }
  }
}
