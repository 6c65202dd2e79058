/**
 * The command line of `npm run bench`: argv parsed against the option table's flags, then the config file read and
 * everything resolved. Every mistake is a one-line UsageError naming the flag and the fix.
 */
import { parseArgs } from "node:util";
import type { BenchConfig } from "../config/config.ts";
import { readConfigFile } from "../config/config-file.ts";
import { OPTIONS } from "../config/options.ts";
import { resolveConfig } from "../config/resolve.ts";
import { isUsageError, UsageError } from "../support/errors.ts";
import { joinNegativeValues } from "../support/tool-cli.ts";

type ParseOptions = Record<string, { type: "string" | "boolean"; short?: string }>;

/** A boolean option is a switch; every other option takes a value. --help is the CLI's own. */
const PARSE_OPTIONS: ParseOptions = {
  ...Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: o.kind === "boolean" ? "boolean" : "string" }])),
  help: { type: "boolean", short: "h" },
};

const VALUE_FLAGS: readonly string[] = OPTIONS.filter((o) => o.kind !== "boolean").map((o) => o.flag);

/** A flag given twice: parseArgs would keep the last silently, so a typo in a long command line would go unseen. */
function repeatedFlag(tokens: readonly { kind: string; name?: string }[]): string | null {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== "option" || t.name === undefined) continue;
    if (seen.has(t.name)) return t.name;
    seen.add(t.name);
  }
  return null;
}

function parseFlags(argv: readonly string[]): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals, tokens } = parseArgs({ args: joinNegativeValues(argv, VALUE_FLAGS), options: PARSE_OPTIONS, strict: true, allowPositionals: true, tokens: true });
    if (positionals.length > 0) throw new UsageError("WC_BAD_FLAG", `unexpected argument "${positionals[0]}"; flags start with --, see --help`);
    const twice = repeatedFlag(tokens);
    if (twice !== null) throw new UsageError("WC_BAD_FLAG", `--${twice} is given twice; give it once`);
    return values;
  } catch (error) {
    if (isUsageError(error)) throw error;
    const message = (error as Error).message;
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "a flag";
    if ((error as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError("WC_BAD_FLAG", `unknown flag ${flag}; see npm run bench -- --help`);
    }
    throw new UsageError("WC_BAD_FLAG", `${flag} needs a value, e.g. ${flag} 1000; see --help`);
  }
}

/** The resolved config, or "help" when --help (or -h) is given: then nothing else is read or checked. */
export function configFromArgv(argv: readonly string[]): BenchConfig | "help" {
  const flags = parseFlags(argv);
  if (flags.help === true) return "help";
  const configFile = typeof flags.config === "string" ? flags.config : null;
  return resolveConfig({ flags, file: configFile === null ? null : readConfigFile(configFile), configFile });
}
