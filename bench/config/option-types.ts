/**
 * The shape of a row of the option table (bench/config/options.ts). The kind says how the text of a flag, or the
 * value of a config-file key, becomes the value of a BenchConfig field; the other columns are the kind's bounds,
 * its default and the fix an error names.
 */
import type { ServerSettings } from "../../contract/index.ts";
import type { BenchConfig, SweepConfig } from "./config.ts";

/** The BenchConfig field an option resolves to; the sweep's and the server's are nested. */
export type ConfigField = keyof BenchConfig | `sweep.${keyof SweepConfig}` | `server.${keyof ServerSettings}`;

/** Options that --help shows as one entry: their usages joined by `join`, then `text`. */
export interface HelpGroup {
  readonly name: string;
  /** " " for a synopsis (`--sweep --from N --to N`), ", " for a list of alternatives. */
  readonly join: string;
  readonly text: readonly string[];
}

interface Row {
  /** The flag without its dashes: `rps` for `--rps`. */
  readonly flag: string;
  /** The config-file key: the flag in camelCase, `server.…` nested in "server"; null for a flag only. */
  readonly key: string | null;
  readonly field: ConfigField;
  /** How --help names it: the flag and its value's name, e.g. `--rps N`. `{default}` shows the default. */
  readonly usage: string;
  /** The --help explanation, one string per line; `{default}` shows the default. A group's rows have none. */
  readonly help?: readonly string[];
  readonly group?: HelpGroup;
}

/** A whole number from min to max. A null default leaves the field null when the option is not given. */
export interface IntegerOption extends Row {
  readonly kind: "integer";
  readonly min: number;
  readonly max: number;
  readonly default: number | null;
  readonly fix: string;
}

/** A number above 0 and at most max. */
export interface NumberOption extends Row {
  readonly kind: "number";
  /** The least value taken: a rate below 1 a second would leave most windows empty. */
  readonly min: number;
  readonly max: number;
  readonly default: number | null;
  readonly fix: string;
}

/** `5s`, `500ms`, `2m` or a bare number of seconds, from minMs to maxMs; the field holds ms, or µs by `unit`. */
export interface DurationOption extends Row {
  readonly kind: "duration";
  readonly minMs: number;
  readonly maxMs: number;
  readonly unit: "ms" | "us";
  /** In the field's unit. */
  readonly default: number;
  readonly fix: string;
}

/** One of `choices`; the error says `choose one of …` unless `fix` says otherwise. */
export interface ChoiceOption extends Row {
  readonly kind: "choice";
  readonly choices: readonly string[];
  readonly default: string;
  readonly fix?: string;
}

/** A comma list (or, in the config file, an array) of `choices`, duplicates dropped, order kept. */
export interface ListOption extends Row {
  readonly kind: "list";
  /** What one entry is called in errors: `unknown protocol "quic"`. */
  readonly item: string;
  readonly choices: readonly string[];
  readonly default: readonly string[];
}

/** A flag without a value; true in the config file turns it on as well. */
export interface BooleanOption extends Row {
  readonly kind: "boolean";
  readonly default: false;
}

/** Any text, taken as given. A null default leaves the field null when the option is not given. */
export interface TextOption extends Row {
  readonly kind: "text";
  readonly default: string | null;
}

/** A rate as tc writes it (`100mbit`), in bits per second. */
export interface RateOption extends Row {
  readonly kind: "rate";
  readonly default: null;
  readonly fix: string;
}

/** tc netem arguments, checked token by token (bench/topology/netem.ts names the fix). */
export interface NetemOption extends Row {
  readonly kind: "netem";
  readonly default: null;
}

/** A CPU number of this machine, from 0 to the last. */
export interface CpuOption extends Row {
  readonly kind: "cpu";
  readonly default: null;
}

/** The path of the config file itself: a flag only. */
export interface FileOption extends Row {
  readonly kind: "file";
  readonly default: null;
}

/**
 * A sweep's first or last rate: a number above 0 whose bound and unit follow `--by` (bench/config/sweep-rules.ts);
 * `{unit}` in the fix names the unit. No default: a sweep needs both.
 */
export interface SweepRateOption extends Row {
  readonly kind: "sweep-rate";
  readonly default: null;
  readonly fix: string;
}

export type Option =
  | IntegerOption
  | NumberOption
  | DurationOption
  | ChoiceOption
  | ListOption
  | BooleanOption
  | TextOption
  | RateOption
  | NetemOption
  | CpuOption
  | FileOption
  | SweepRateOption;

/** The value an option resolves to, by its kind (and, for the numbers, whether its default is null). */
export type ValueOf<O extends Option> = O extends IntegerOption | NumberOption
  ? null extends O["default"]
    ? number | null
    : number
  : O extends DurationOption | SweepRateOption
    ? number
    : O extends ChoiceOption
      ? O["choices"][number]
      : O extends ListOption
        ? readonly O["choices"][number][]
        : O extends BooleanOption
          ? boolean
          : O extends TextOption
            ? null extends O["default"]
              ? string | null
              : string
            : O extends RateOption | CpuOption
              ? number | null
              : O extends NetemOption
                ? readonly string[] | null
                : O extends FileOption
                  ? string | null
                  : never;
