/**
 * How one value, from a flag (text) or from the config file (a number or text), is read and checked for each kind
 * of option. Pure: every refusal is a UsageError naming where the value came from, the value, and the fix.
 */
import { parseDurationMs } from "../support/duration.ts";
import { UsageError } from "../support/errors.ts";
import { MIN_RATE_BITS_PER_SECOND, parseNetemSpec, parseRate } from "../topology/index.ts";

/** A value and how to name it to the user: `--rps`, or `wirecost.json: "rps"`. */
export interface Source {
  readonly label: string;
  readonly value: string | number;
}

/**
 * The one text a flag's number may be written as: digits, a decimal part and an exponent (`20000`, `0.5`, `2e4`).
 * A whole-number option then takes only whole values, and each option has its own least value, so `1e-9` and
 * `0.000000001` are the same number and get the same answer.
 */
const NUMBER_TEXT = /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i;

function numberOf(source: Source): number {
  return typeof source.value === "number" ? source.value : NUMBER_TEXT.test(source.value) ? Number(source.value) : NaN;
}

export function wholeNumber(source: Source, min: number, max: number, fix: string): number {
  const n = numberOf(source);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: must be a whole number from ${min} to ${max}; ${fix}`);
  }
  return n;
}

/** A number from `min` to `max` (both included, min above 0). */
export function positiveNumber(source: Source, min: number, max: number, fix: string): number {
  const n = numberOf(source);
  if (!(n >= min) || n > max) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: must be a number from ${min} to ${max}; ${fix}`);
  }
  return n;
}

/** Milliseconds; a number in the config file counts seconds, as a bare number on the command line does. */
export function durationMs(source: Source, minMs: number, maxMs: number, fix: string): number {
  const ms = typeof source.value === "number" ? source.value * 1000 : parseDurationMs(source.value);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: ${fix}`);
  }
  return ms;
}

export function choice<T extends string>(source: Source, choices: readonly T[], fix = `choose one of ${choices.join(", ")}`): T {
  const value = String(source.value);
  if (!(choices as readonly string[]).includes(value)) throw new UsageError("WC_BAD_VALUE", `${source.label} ${value}: ${fix}`);
  return value as T;
}

/** A comma list: blanks dropped, duplicates dropped, first mention's order kept. */
export function list<T extends string>(source: Source, item: string, choices: readonly T[]): readonly T[] {
  const names = String(source.value)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) throw new UsageError("WC_BAD_VALUE", `${source.label}: empty; name one or more of ${choices.join(",")}`);
  const unknown = names.find((n) => !(choices as readonly string[]).includes(n));
  if (unknown !== undefined) {
    throw new UsageError("WC_BAD_VALUE", `${source.label}: unknown ${item} "${unknown}"; choose from ${choices.join(",")}`);
  }
  return [...new Set(names)] as T[];
}

/** Bits per second, at least what tbf is given here (MIN_RATE_BITS_PER_SECOND). */
export function rate(source: Source, fix: string): number {
  const bits = parseRate(String(source.value));
  if (bits === null || bits <= 0) throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: ${fix}`);
  if (bits < MIN_RATE_BITS_PER_SECOND) {
    throw new UsageError("WC_BAD_VALUE", `${source.label} ${String(source.value)}: ${bits} bit/s is below the least rate, ${MIN_RATE_BITS_PER_SECOND} bit/s; give 1kbit or more`);
  }
  return bits;
}

/** The netem arguments as checked tokens; the grammar's own reason is the message. */
export function netemArgs(source: Source): readonly string[] {
  const spec = parseNetemSpec(String(source.value));
  if (!spec.ok) throw new UsageError("WC_BAD_VALUE", spec.reason);
  return spec.args;
}

/** A CPU of this machine: 0 to the last. */
export function cpu(source: Source, lastCpu: number): number {
  return wholeNumber(source, 0, lastCpu, `give a CPU number from 0 to ${lastCpu} (this machine has ${lastCpu + 1})`);
}
