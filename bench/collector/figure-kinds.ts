/**
 * The kinds of figure descriptor. A descriptor says what a figure is (unit, scope, source), how it is computed from
 * the window's counters and how it becomes per request; the shape of `CostFigures` is the shape of the descriptor
 * tree (cost-figures.ts), so result.json's nesting and key order are the order the descriptors are written in.
 *
 * Each constructor returns a node that carries its own `compute` and `scale` closures, so a node whose children read
 * another input than its parent (a namespace's drop counters, one CPU's times) keeps that input's type to itself.
 * The groups that join them are in figure-groups.ts.
 */

/**
 * Whose activity a figure counts. `global` figures (/proc/stat, /proc/softirqs, …) see the whole host, so a window
 * the contamination guard flagged holds other traffic in them (docs/kernel-notes.md § "The contamination guard");
 * `namespace` and `process` figures are the run's own.
 */
export type FigureScope = "namespace" | "process" | "global";

export type FigureUnit = "packets" | "bytes" | "segments" | "connections" | "runs" | "interrupts" | "switches" | "drops" | "µs" | "ns" | "%";

/** A report.csv column. `column` is its 1-based position: the columns and their order are a public interface. */
export interface CsvPresentation {
  readonly column: number;
  readonly name: string;
  readonly description: string;
}

/** Why figures are null, keyed by path ("cpuUs.serverRun"); `CostFigures.missing` in result.json. */
export interface Notes {
  add(path: string, reason: string): void;
  /** For breakdowns (per CPU, per line): result.json has always listed their reasons before the other figures'. */
  addFirst(path: string, reason: string): void;
  missing(): Record<string, string>;
}

export function createNotes(initial: Readonly<Record<string, string>> = {}): Notes {
  const first = new Map<string, string>();
  const rest = new Map<string, string>(Object.entries(initial));
  return {
    add: (path, reason) => void rest.set(path, reason),
    addFirst: (path, reason) => void first.set(path, reason),
    missing: () => Object.fromEntries([...first, ...rest]),
  };
}

/** How a window's figure becomes a per-request one: `apply` divides; null means there is none, for `reason`. */
export interface Scaling {
  readonly apply: (value: number) => number | null;
  readonly reason: string;
}

export function errorReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function childPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/**
 * What every node does. `compute` is a property (its input is checked strictly); `scale` is a method, so a node of
 * any value type can sit among a group's children, which each get back the value they computed.
 */
export interface NodeBase<In, V, Optional extends boolean> {
  /** Absent from results written before the figure existed (the key is optional in `CostFigures`). */
  readonly optional: Optional;
  readonly compute: (input: In, path: string, notes: Notes) => V;
  scale(value: V, path: string, by: Scaling, notes: Notes): V;
}

/**
 * A number figure, or null with the reason. Per request, a `counter` (an increase over the window) is divided by the
 * requests; a `ratio` (already per packet, a percentage) is kept as it is.
 */
export interface Figure<In, Optional extends boolean = false> extends NodeBase<In, number | null, Optional> {
  readonly kind: "figure";
  readonly unit: FigureUnit;
  readonly scope: FigureScope;
  /** Where the kernel keeps it, for people: the /proc file and field. */
  readonly source: string;
  readonly perRequest: "divide" | "keep";
  readonly csv: CsvPresentation | undefined;
}

export interface FigureSpec<In> {
  readonly unit: FigureUnit;
  readonly scope: FigureScope;
  readonly source: string;
  /** The window's value. An exception makes the figure null, its message the reason under `missing`. */
  readonly compute: (input: In) => number;
  readonly csv?: CsvPresentation;
}

function figure<In, O extends boolean>(spec: FigureSpec<In>, perRequest: "divide" | "keep", optional: O): Figure<In, O> {
  return {
    kind: "figure",
    optional,
    unit: spec.unit,
    scope: spec.scope,
    source: spec.source,
    perRequest,
    csv: spec.csv,
    compute: (input, path, notes) => {
      try {
        return spec.compute(input);
      } catch (error) {
        notes.add(path, errorReason(error));
        return null;
      }
    },
    scale(value, path, by, notes) {
      if (value === null || perRequest === "keep") return value;
      const scaled = by.apply(value);
      if (scaled === null) notes.add(path, by.reason);
      return scaled;
    },
  };
}

export function counter<In>(spec: FigureSpec<In>): Figure<In> {
  return figure(spec, "divide", false);
}

export function ratio<In>(spec: FigureSpec<In>): Figure<In> {
  return figure(spec, "keep", false);
}

/** A ratio absent from results written before it existed. */
export function optionalRatio<In>(spec: FigureSpec<In>): Figure<In, true> {
  return figure(spec, "keep", true);
}

/** Something that describes the window rather than counts in it (which CPUs were summed): kept as it is. */
export interface Fact<In, T> extends NodeBase<In, T, false> {
  readonly kind: "fact";
  readonly source: string;
  readonly perRequest: "keep";
}

export function fact<In, T>(spec: { readonly source: string; readonly compute: (input: In) => T }): Fact<In, T> {
  return {
    kind: "fact",
    optional: false,
    source: spec.source,
    perRequest: "keep",
    compute: (input) => spec.compute(input),
    scale: (value) => value,
  };
}

/**
 * A figure of one breakdown entry (one CPU's user time): a number. It has no null — a part that cannot be computed
 * throws, and the breakdown leaves its whole entry out.
 */
export interface Part<In> extends NodeBase<In, number, false> {
  readonly kind: "part";
  readonly unit: FigureUnit;
  readonly scope: FigureScope;
  readonly source: string;
  readonly perRequest: "divide";
}

/** Thrown by a part a scaling makes null: the breakdown leaves the entry out without a reason. */
class NoValue extends Error {}

export function part<In>(spec: Omit<FigureSpec<In>, "csv">): Part<In> {
  return {
    kind: "part",
    optional: false,
    unit: spec.unit,
    scope: spec.scope,
    source: spec.source,
    perRequest: "divide",
    compute: (input) => spec.compute(input),
    scale(value, _path, by) {
      const scaled = by.apply(value);
      if (scaled === null) throw new NoValue();
      return scaled;
    },
  };
}

/** What a breakdown entry may be: one part, or a group of parts. */
export type BreakdownItem<E, V> = NodeBase<E, V, false> & Described & EntryShape;

/**
 * A breakdown entry is one part, or a group of parts — or of figures, where a member may be null on its own (one
 * CPU's attribution when the tick method cannot split a field) without dropping the entry.
 */
type EntryShape =
  | { readonly kind: "part" }
  | { readonly kind: "group"; readonly children: { readonly [key: string]: { readonly kind: "part" } | { readonly kind: "figure" } } };

/**
 * A record of like figures keyed by CPU, interrupt line or thread. An entry a part of which cannot be computed is left
 * out, with that part's reason under `<path>.<key>`; one that a scaling makes null is left out silently. When
 * `entries` throws, the record is empty and the reason is under `<path>`.
 */
export interface Breakdown<In, V> extends NodeBase<In, Readonly<Record<string, V>>, false> {
  readonly kind: "breakdown";
  readonly item: Described;
}

export function breakdown<In, E, V>(spec: {
  readonly entries: (input: In) => Readonly<Record<string, E>>;
  readonly item: BreakdownItem<E, V>;
}): Breakdown<In, V> {
  const { item } = spec;
  return {
    kind: "breakdown",
    optional: false,
    item,
    compute: (input, path, notes) => {
      const out: Record<string, V> = {};
      let entries: Readonly<Record<string, E>>;
      try {
        entries = spec.entries(input);
      } catch (error) {
        notes.addFirst(path, errorReason(error));
        return out;
      }
      for (const [key, entry] of Object.entries(entries)) {
        try {
          out[key] = item.compute(entry, childPath(path, key), notes);
        } catch (error) {
          notes.addFirst(childPath(path, key), errorReason(error));
        }
      }
      return out;
    },
    scale(values, path, by, notes) {
      const out: Record<string, V> = {};
      for (const [key, value] of Object.entries(values)) {
        try {
          out[key] = item.scale(value, childPath(path, key), by, notes);
        } catch (error) {
          if (!(error instanceof NoValue)) throw error;
        }
      }
      return out;
    },
  };
}

/** The descriptive side of a node, for walking the tree without computing: paths, CSV columns, tests. */
export type Described =
  | {
      readonly kind: "figure";
      readonly unit: FigureUnit;
      readonly scope: FigureScope;
      readonly source: string;
      readonly perRequest: "divide" | "keep";
      readonly csv: CsvPresentation | undefined;
    }
  | { readonly kind: "part"; readonly unit: FigureUnit; readonly scope: FigureScope; readonly source: string; readonly perRequest: "divide" }
  | { readonly kind: "fact"; readonly source: string; readonly perRequest: "keep" }
  | { readonly kind: "breakdown"; readonly item: Described }
  | { readonly kind: "group" | "section"; readonly optional: boolean; readonly children: { readonly [key: string]: Described } };

