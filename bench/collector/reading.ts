/**
 * A value read from the kernel, or the reason it could not be read.
 *
 * A counter that cannot be read is never reported as 0 (STYLE.md "Data first"): it travels as `value: null` with a
 * human-readable reason all the way into result.json.
 */
export type Reading<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly value: null; readonly reason: string };

export function ok<T>(value: T): Reading<T> {
  return { ok: true, value };
}

export function missing<T = never>(reason: string): Reading<T> {
  return { ok: false, value: null, reason };
}

/** Applies `fn` to a present value; a missing one keeps its reason. An exception from `fn` becomes the reason. */
export function mapReading<T, U>(reading: Reading<T>, fn: (value: T) => U): Reading<U> {
  if (!reading.ok) return reading;
  try {
    return ok(fn(reading.value));
  } catch (error) {
    return missing(describeError(error));
  }
}

/** Combines the start and end of a window: null on either side stays null, naming which side. */
export function combineReadings<T, V, U>(
  a: Reading<T>,
  b: Reading<V>,
  fn: (a: T, b: V) => U,
  labels: readonly [string, string] = ["at window start", "at window end"],
): Reading<U> {
  if (!a.ok) return missing(`${labels[0]}: ${a.reason}`);
  if (!b.ok) return missing(`${labels[1]}: ${b.reason}`);
  try {
    return ok(fn(a.value, b.value));
  } catch (error) {
    return missing(describeError(error));
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = errorCode(error);
    return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The `code` of a Node system error (`ENOENT`, `ESRCH`, …); undefined for an error without one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && error.code !== undefined ? String(error.code) : undefined;
}

/** Thrown by the parsers on text they do not recognise; the snapshot turns it into a missing reading. */
export class ProcParseError extends Error {
  override readonly name = "ProcParseError";
}

/**
 * `values[index]` where the parser has already checked the length (`noUncheckedIndexedAccess` cannot see that check):
 * a ProcParseError naming `what` should the check and the index ever disagree.
 */
export function column<T>(values: readonly T[], index: number, what: string): T {
  const value = values[index];
  if (value === undefined) throw new ProcParseError(`${what}: no column ${index + 1}`);
  return value;
}

/** The value of a reading, or an Error naming `what` and the reason (for figure computations that catch it). */
export function need<T>(reading: Reading<T>, what: string): T {
  if (!reading.ok) throw new Error(`${what}: ${reading.reason}`);
  return reading.value;
}

/** A field an older kernel does not print is null; using it is an Error naming it. */
export function printed(value: number | null, what: string): number {
  if (value === null) throw new Error(`${what}: not printed by this kernel`);
  return value;
}
