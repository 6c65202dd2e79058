import { describe, expect, it } from "vitest";
import { StreamTable } from "../../../clients/wire/http2/stream-table.ts";

const stream = (streamId: number) => ({ streamId });

describe("StreamTable", () => {
  it("finds consecutive odd stream ids without growing while they span less than its capacity", () => {
    const table = new StreamTable<{ streamId: number }>(8);
    const items = [1, 3, 5, 7, 9, 11, 13, 15].map(stream);
    for (const item of items) table.add(item);
    expect([table.size, table.capacity]).toEqual([8, 8]);
    for (const item of items) expect(table.get(item.streamId)).toBe(item);
    expect(table.get(17)).toBeUndefined(); // same slot as 1, another id
    table.delete(items[0]!);
    table.add(stream(17));
    expect([table.size, table.capacity, table.get(1), table.get(17)?.streamId]).toEqual([8, 8, undefined, 17]);
  });

  it("doubles when a long-open stream holds the slot a new one needs, and keeps every stream", () => {
    const table = new StreamTable<{ streamId: number }>(4);
    const slow = stream(1);
    table.add(slow);
    for (let id = 3; id <= 9; id += 2) {
      table.add(stream(id));
      if (id < 9) table.delete(table.get(id)!);
    }
    expect(table.capacity).toBe(8); // 9 would share 1's slot in 4
    expect([table.get(1), table.get(9)?.streamId, table.size]).toEqual([slow, 9, 2]);
    expect(table.values().map((s) => s.streamId).sort((a, b) => a - b)).toEqual([1, 9]);
  });

  it("ignores the delete of an item it does not hold, and empties on clear", () => {
    const table = new StreamTable<{ streamId: number }>();
    const a = stream(1);
    table.add(a);
    table.delete(stream(1));
    expect(table.size).toBe(1);
    table.clear();
    expect([table.size, table.get(1)]).toEqual([0, undefined]);
  });
});
