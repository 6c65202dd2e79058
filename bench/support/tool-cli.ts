/**
 * What the tool CLIs (report, compare, plan, bench:codec, bench:generator, cleanup, setup) share: strict flag
 * parsing whose every mistake is a one-line UsageError naming the flag and the fix, and the `main` wrapper that turns
 * errors into exit codes (2 for usage, 1 otherwise) without a stack trace. Only the bin files call process.exit.
 */
import { parseArgs } from "node:util";
import { isUsageError, USAGE_EXIT_CODE, UsageError } from "./errors.ts";

export interface ToolIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ToolArgsSpec {
  /** `npm run <tool>`, for messages. */
  readonly tool: string;
  readonly strings?: readonly string[];
  readonly booleans?: readonly string[];
  /** Names of the positional arguments, all required, e.g. ["<run dir>"]. */
  readonly positionals: readonly string[];
  /** The short usage after `npm run <tool> --`; default: the positionals. */
  readonly usage?: string;
}

export interface ToolArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** `--rps -5` would read -5 as a flag; join such values to their flag so the range check can name them. */
export function joinNegativeValues(argv: readonly string[], strings: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const next = argv[i + 1];
    if (arg.startsWith("--") && strings.includes(arg.slice(2)) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseToolArgs(argv: readonly string[], spec: ToolArgsSpec): ToolArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const name of spec.strings ?? []) options[name] = { type: "string" };
  for (const name of spec.booleans ?? []) options[name] = { type: "boolean" };
  const hint = `see npm run ${spec.tool} -- --help`;
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, spec.strings ?? []), options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = (error as Error).message;
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "a flag";
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError("WC_BAD_FLAG", `unknown flag ${flag}; ${hint}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && spec.booleans?.includes(flag.replace(/^-+/, "").split("=")[0] ?? "")) {
      throw new UsageError("WC_BAD_FLAG", `${flag} takes no value; ${hint}`);
    }
    throw new UsageError("WC_BAD_FLAG", `${flag} needs a value; ${hint}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  if (!help && parsed.positionals.length !== spec.positionals.length) {
    const wanted = spec.usage ?? spec.positionals.join(" ");
    const got = parsed.positionals.length;
    const unexpected = `unexpected argument "${parsed.positionals[spec.positionals.length]}"`;
    throw new UsageError(
      "WC_BAD_FLAG",
      got < spec.positionals.length
        ? `missing ${spec.positionals.slice(got).join(" ")}: usage npm run ${spec.tool} -- ${wanted}`
        : wanted === ""
          ? `${unexpected}; npm run ${spec.tool} takes flags only, ${hint}`
          : `${unexpected}; usage npm run ${spec.tool} -- ${wanted}`,
    );
  }
  return { values, positionals: parsed.positionals, help };
}

/** Runs a CLI body: usage errors print one line and give 2, anything else prints its message and gives 1. */
export async function runTool(io: Pick<ToolIo, "stderr">, tool: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr.write(`wirecost ${tool}: ${error.message.split("\n")[0]}\n`);
      return USAGE_EXIT_CODE;
    }
    io.stderr.write(`wirecost ${tool}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** A positive number flag, or a UsageError naming it. */
export function positiveNumber(flag: string, text: string | boolean | undefined, fallback?: number): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = typeof text === "string" && /^\s*\d+(\.\d+)?(e\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError("WC_BAD_VALUE", `--${flag} ${text === undefined ? "is required" : `${String(text)}: not a positive number`}; e.g. --${flag} ${fallback ?? 50000}`);
  }
  return value;
}
