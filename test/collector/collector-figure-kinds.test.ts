/**
 * The kinds of figure descriptor on a small tree of their own: what a group, a section and a breakdown compute, where
 * each reason lands in `missing` and in which order, and how scaling treats each kind.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { figureKinds, type ValueOf } from "../../bench/collector/figure-groups.ts";
import { createNotes, type Scaling } from "../../bench/collector/figure-kinds.ts";

interface Input {
  readonly a: number;
  readonly sub: { readonly b: number } | null;
  readonly cpus: Readonly<Record<string, { readonly user: number; readonly irq: number | null }>>;
}

const top = figureKinds<Input>();
const inSub = figureKinds<{ readonly b: number }>();
const oneCpu = figureKinds<{ readonly user: number; readonly irq: number | null }>();

const about = { unit: "µs", scope: "global", source: "test" } as const;

const TREE = top.group({
  a: top.counter({ ...about, compute: (x) => x.a }),
  pct: top.ratio({ ...about, compute: (x) => (100 * x.a) / 40 }),
  broken: top.counter({
    ...about,
    compute: () => {
      throw new Error("/proc/broken: EACCES");
    },
  }),
  sub: top.optionalGroup({
    twice: top.counter({ ...about, compute: (x) => x.a * 2 }),
    cpus: top.fact({ source: "test", compute: (x) => Object.keys(x.cpus).map(Number) }),
  }),
  fromSub: inSub.section(
    (x: Input, note) => {
      if (x.sub === null) throw new Error("no sub was read");
      note("skipped", "left out on purpose");
      return x.sub;
    },
    { b: inSub.counter({ ...about, compute: (s) => s.b }) },
  ),
  perCpu: top.breakdown({
    entries: (x) => x.cpus,
    item: oneCpu.group({
      user: oneCpu.part({ ...about, compute: (t) => t.user }),
      irq: oneCpu.part({
        ...about,
        compute: (t) => {
          if (t.irq === null) throw new Error("irq: not printed by this kernel");
          return t.irq;
        },
      }),
    }),
  }),
});

const INPUT: Input = { a: 10, sub: { b: 7 }, cpus: { "0": { user: 4, irq: 1 }, "1": { user: 6, irq: null } } };

function compute(input: Input) {
  const notes = createNotes();
  return { value: TREE.compute(input, "", notes), missing: notes.missing() };
}

function scale(value: ValueOf<typeof TREE>, by: Scaling, missing: Readonly<Record<string, string>>) {
  const notes = createNotes(missing);
  return { value: TREE.scale(value, "", by, notes), missing: notes.missing() };
}

describe("a tree of figure descriptors", () => {
  it("computes each figure in the order written; one that throws is null with its message", () => {
    const { value, missing } = compute(INPUT);
    expect(JSON.stringify(value)).toBe(
      JSON.stringify({ a: 10, pct: 25, broken: null, sub: { twice: 20, cpus: [0, 1] }, fromSub: { b: 7 }, perCpu: { "0": { user: 4, irq: 1 } } }),
    );
    // Breakdown reasons first, then the rest in tree order.
    expect(Object.entries(missing)).toEqual([
      ["perCpu.1", "irq: not printed by this kernel"],
      ["broken", "/proc/broken: EACCES"],
      ["fromSub.skipped", "left out on purpose"],
    ]);
  });

  it("makes a section null, with the reason under its own path, when its input is not there", () => {
    const { value, missing } = compute({ ...INPUT, sub: null });
    expect(value.fromSub).toBeNull();
    expect(missing["fromSub"]).toBe("no sub was read");
    expect(missing["fromSub.skipped"]).toBeUndefined();
  });

  it("divides counters and breakdown parts, keeps ratios and facts, and leaves absent optional groups absent", () => {
    const { value, missing } = compute(INPUT);
    const by: Scaling = { apply: (v) => v / 4, reason: "" };
    expect(scale(value, by, missing)).toEqual({
      value: { a: 2.5, pct: 25, broken: null, sub: { twice: 5, cpus: [0, 1] }, fromSub: { b: 1.75 }, perCpu: { "0": { user: 1, irq: 0.25 } } },
      missing,
    });
    const { sub: _sub, ...older } = value;
    expect("sub" in scale(older, by, missing).value).toBe(false);
  });

  it("makes every counter null with the scaling's reason when there is no per-request figure, and empties breakdowns", () => {
    // A ratio is the same per request whatever the requests.
    const { value, missing } = compute(INPUT);
    const none = scale(value, { apply: () => null, reason: "no completed requests (0)" }, missing);
    expect(none.value).toEqual({ a: null, pct: 25, broken: null, sub: { twice: null, cpus: [0, 1] }, fromSub: { b: null }, perCpu: {} });
    expect(Object.entries(none.missing)).toEqual([
      ...Object.entries(missing),
      ["a", "no completed requests (0)"],
      ["sub.twice", "no completed requests (0)"],
      ["fromSub.b", "no completed requests (0)"],
    ]);
  });

  it("types the values from the descriptors", () => {
    type Value = ValueOf<typeof TREE>;
    expectTypeOf<Value["a"]>().toEqualTypeOf<number | null>();
    expectTypeOf<Value["pct"]>().toEqualTypeOf<number | null>();
    expectTypeOf<Value["sub"]>().toEqualTypeOf<{ readonly twice: number | null; readonly cpus: number[] } | undefined>();
    expectTypeOf<Value["fromSub"]>().toEqualTypeOf<{ readonly b: number | null } | null>();
    expectTypeOf<Value["perCpu"]>().toEqualTypeOf<Readonly<Record<string, { readonly user: number; readonly irq: number }>>>();
  });
});
