/**
 * Groups of figure descriptors: `group` fills one nested object of `CostFigures` from its children, in the order they
 * are written; `section` does the same from an input of its own that it selects first (one namespace's counters, the
 * kernel threads), and is null with the reason when that input is not there. The value types are mapped from the
 * children, so `CostFigures` is the descriptors' shape, with no second declaration to keep in step.
 */
import {
  breakdown,
  type Breakdown,
  type BreakdownItem,
  childPath,
  counter,
  type Figure,
  type FigureSpec,
  type Described,
  errorReason,
  fact,
  type Fact,
  type NodeBase,
  type Notes,
  part,
  type Part,
  optionalRatio,
  ratio,
  type Scaling,
} from "./figure-kinds.ts";

/** Any node whose input is `In`, whatever its value (see `NodeBase.scale`). */
export type AnyNode<In> = NodeBase<In, unknown, boolean> & Described;

export type Children<In> = { readonly [key: string]: AnyNode<In> };

/** The value a node computes. */
export type ValueOf<N> = N extends NodeBase<never, infer V, boolean> ? V : never;

type Flat<T> = { [K in keyof T]: T[K] };

/** The object a group fills: one key per child, optional where the child is (absent in older results). */
export type GroupValue<C> = Flat<
  { readonly [K in keyof C as C[K] extends { readonly optional: true } ? never : K]: ValueOf<C[K]> } & {
    readonly [K in keyof C as C[K] extends { readonly optional: true } ? K : never]?: ValueOf<C[K]>;
  }
>;

export interface Group<In, C extends Children<In>, Optional extends boolean> extends NodeBase<In, GroupValue<C>, Optional> {
  readonly kind: "group";
  readonly children: C;
}

export interface Section<In, C, Optional extends boolean> extends NodeBase<In, GroupValue<C> | null, Optional> {
  readonly kind: "section";
  readonly children: C;
}

/**
 * The one type assertion of the figure machinery. `values` holds, under each child's key, the value that child's
 * own `compute` or `scale` returned, in the children's order — which is `GroupValue<C>` by construction; TypeScript
 * cannot follow a loop over keys into a mapped type (test/collector/collector-figure-*.test.ts check the shapes).
 */
function assemble<C>(values: ReadonlyMap<string, unknown>): GroupValue<C> {
  return Object.fromEntries(values) as GroupValue<C>;
}

function computeChildren<In, C extends Children<In>>(children: C, input: In, path: string, notes: Notes): GroupValue<C> {
  const values = new Map<string, unknown>();
  for (const [key, child] of Object.entries(children)) values.set(key, child.compute(input, childPath(path, key), notes));
  return assemble<C>(values);
}

function scaleChildren<In, C extends Children<In>>(children: C, value: GroupValue<C>, path: string, by: Scaling, notes: Notes): GroupValue<C> {
  const current = new Map<string, unknown>(Object.entries(value));
  const values = new Map<string, unknown>();
  for (const [key, child] of Object.entries(children)) {
    // A child absent from the value is an optional one an older result lacks: it stays absent.
    if (current.get(key) !== undefined) values.set(key, child.scale(current.get(key), childPath(path, key), by, notes));
  }
  return assemble<C>(values);
}

/** Every kind of node, with the input type fixed, so descriptors need no annotations. */
export interface FigureKinds<In> {
  counter(spec: FigureSpec<In>): Figure<In>;
  ratio(spec: FigureSpec<In>): Figure<In>;
  /** A ratio absent from results written before it existed. */
  optionalRatio(spec: FigureSpec<In>): Figure<In, true>;
  part(spec: Omit<FigureSpec<In>, "csv">): Part<In>;
  fact<T>(spec: { readonly source: string; readonly compute: (input: In) => T }): Fact<In, T>;
  breakdown<E, V>(spec: {
    readonly entries: (input: In) => Readonly<Record<string, E>>;
    readonly item: BreakdownItem<E, V>;
  }): Breakdown<In, V>;
  group<C extends Children<In>>(children: C): Group<In, C, false>;
  /** A group absent from results written before it existed. */
  optionalGroup<C extends Children<In>>(children: C): Group<In, C, true>;
  /**
   * A group of these nodes, computed from `select(parent)`: one namespace's counters out of the window's. When
   * `select` throws, the group is null with the reason under its path; `note(key, reason)` records why a part of the
   * selected input was left out, under `<path>.<key>`. Annotate `select`'s parameter: it names the parent input.
   */
  section<Parent, C extends Children<In>>(
    select: (parent: Parent, note: (key: string, reason: string) => void) => In,
    children: C,
  ): Section<Parent, C, false>;
  optionalSection<Parent, C extends Children<In>>(
    select: (parent: Parent, note: (key: string, reason: string) => void) => In,
    children: C,
  ): Section<Parent, C, true>;
}

function makeGroup<In, C extends Children<In>, O extends boolean>(children: C, optional: O): Group<In, C, O> {
  return {
    kind: "group",
    optional,
    children,
    compute: (input, path, notes) => computeChildren<In, C>(children, input, path, notes),
    scale: (value, path, by, notes) => scaleChildren<In, C>(children, value, path, by, notes),
  };
}

function makeSection<Parent, In, C extends Children<In>, O extends boolean>(
  select: (parent: Parent, note: (key: string, reason: string) => void) => In,
  children: C,
  optional: O,
): Section<Parent, C, O> {
  return {
    kind: "section",
    optional,
    children,
    compute: (input, path, notes) => {
      let sub: In;
      try {
        sub = select(input, (key, reason) => notes.add(childPath(path, key), reason));
      } catch (error) {
        notes.add(path, errorReason(error));
        return null;
      }
      return computeChildren<In, C>(children, sub, path, notes);
    },
    scale: (value, path, by, notes) => (value === null ? null : scaleChildren<In, C>(children, value, path, by, notes)),
  };
}

export function figureKinds<In>(): FigureKinds<In> {
  return {
    counter: (spec) => counter(spec),
    ratio: (spec) => ratio(spec),
    optionalRatio: (spec) => optionalRatio(spec),
    part: (spec) => part(spec),
    fact: (spec) => fact(spec),
    breakdown: (spec) => breakdown(spec),
    group: (children) => makeGroup(children, false),
    optionalGroup: (children) => makeGroup(children, true),
    section: (select, children) => makeSection(select, children, false),
    optionalSection: (select, children) => makeSection(select, children, true),
  };
}
