/**
 * One option's value from the inputs: the flag if given, else the config file's key, else the table's default,
 * read and checked by the option's kind. Flags override the file, which overrides the defaults.
 */
import { availableParallelism } from "node:os";
import { assertNever } from "../../contract/index.ts";
import type { ConfigFile } from "./config-file.ts";
import { option } from "./options.ts";
import type { OptionOf, OptionRow } from "./options.ts";
import type { BooleanOption, Option, SweepRateOption, ValueOf } from "./option-types.ts";
import { choice, cpu, durationMs, list, netemArgs, positiveNumber, rate, wholeNumber } from "./values.ts";
import type { Source } from "./values.ts";

/** Raw values from flags (text) and from the file (numbers or text), before checking. */
export interface RawInputs {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly file: ConfigFile | null;
  /** The config file's path, which names it in errors. */
  readonly configFile: string | null;
}

function fileValue(file: ConfigFile, key: string): unknown {
  const dot = key.indexOf(".");
  if (dot === -1) return file[key];
  const section = file[key.slice(0, dot)];
  return typeof section === "object" && section !== null ? (section as ConfigFile)[key.slice(dot + 1)] : undefined;
}

/** Where the option's value comes from, named as the user wrote it; undefined when neither flag nor key is given. */
/** The highest CPU number a remote host's --server-cpu/--client-cpu may name here (Linux's NR_CPUS ceiling). */
const MAX_REMOTE_CPU = 8191;

export function sourceOf(o: Option, inputs: RawInputs): Source | undefined {
  const fromFlag = inputs.flags[o.flag];
  if (typeof fromFlag === "string") return { label: `--${o.flag}`, value: fromFlag };
  if (o.key === null || inputs.file === null) return undefined;
  const fromFile = fileValue(inputs.file, o.key);
  // The schema has checked the type: a list may be an array, every other value is a number or text.
  const value = Array.isArray(fromFile) ? fromFile.join(",") : fromFile;
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  return { label: `${inputs.configFile ?? "config"}: "${o.key}"`, value };
}

/** A boolean is on when its flag is given or its key is true. */
export function isOn(o: BooleanOption, inputs: RawInputs): boolean {
  return inputs.flags[o.flag] === true || (o.key !== null && inputs.file !== null && fileValue(inputs.file, o.key) === true);
}

function read(o: Option, inputs: RawInputs): unknown {
  if (o.kind === "boolean") return isOn(o, inputs);
  if (o.kind === "file") return inputs.configFile;
  const source = sourceOf(o, inputs);
  if (source === undefined) return o.default;
  switch (o.kind) {
    case "integer":
      return wholeNumber(source, o.min, o.max, o.fix);
    case "number":
      return positiveNumber(source, o.min, o.max, o.fix);
    case "duration": {
      const ms = durationMs(source, o.minMs, o.maxMs, o.fix);
      return o.unit === "us" ? ms * 1000 : ms;
    }
    case "choice":
      return choice(source, o.choices, o.fix);
    case "list":
      return list(source, o.item, o.choices);
    case "text":
      return String(source.value);
    case "rate":
      return rate(source, o.fix);
    case "netem":
      return netemArgs(source);
    case "cpu": {
      // With --agents the CPU is on the hosts, which may have more than this machine: each agent checks its own.
      const remote = inputs.flags["agents"] !== undefined || (inputs.file !== null && fileValue(inputs.file, "agents") !== undefined);
      return cpu(source, remote ? MAX_REMOTE_CPU : availableParallelism() - 1);
    }
    case "sweep-rate":
      // Its bound and unit follow --by: bench/config/sweep-rules.ts reads it.
      throw new Error(`--${o.flag} is read by the sweep rules`);
    default:
      return assertNever(o);
  }
}

/** Options read on their own; a sweep's rates are read by the sweep rules, which know --by. */
type ValueFlag = Exclude<OptionRow, SweepRateOption>["flag"];

/** An option's resolved value, typed by its row: `valueOf("rps", inputs)` is a number, `valueOf("mtu", …)` one or null. */
export function valueOf<F extends ValueFlag>(flag: F, inputs: RawInputs): ValueOf<OptionOf<F>> {
  return read(option(flag), inputs) as ValueOf<OptionOf<F>>;
}
