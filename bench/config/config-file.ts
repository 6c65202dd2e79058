/**
 * The JSON config file (`--config FILE`): its keys are the option table's keys (the flags in camelCase, the server
 * settings nested under "server"), each typed by its option's kind; an unknown key is an error. Reading is the only
 * I/O; the values are checked against their bounds when the config is resolved, as flags are.
 */
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { assertNever } from "../../contract/index.ts";
import { UsageError } from "../support/errors.ts";
import type { Option } from "./option-types.ts";
import { OPTIONS } from "./options.ts";
import { serversKeySchema } from "./user-servers.ts";

/** A config file that passed the schema: option keys only, each value of its option's JSON type. */
export type ConfigFile = { readonly [key: string]: unknown };

/** The JSON a key takes; bounds are checked on resolution, so a file and a flag get the same message. */
function valueSchema(o: Option): z.ZodType {
  switch (o.kind) {
    case "integer":
    case "number":
    case "cpu":
    case "sweep-rate":
      return z.number();
    case "duration":
      // A number counts seconds; text is a duration as on the command line.
      return z.union([z.number(), z.string()]);
    case "choice":
    case "text":
    case "rate":
    case "netem":
    case "file":
      return z.string();
    case "boolean":
      return z.boolean();
    case "list":
      return z.union([z.array(z.string()), z.string()]);
    default:
      return assertNever(o);
  }
}

// The order "allowed keys are …" has always named the keys in, and so the order the schema reports the first of
// several bad values in. Kept so those messages stay the same; keys added later follow, in table order.
const FIRST_KEY_ORDER = [
  "protocols", "rps", "pps", "duration", "warmup", "requestBytes", "responseBytes", "connections", "streams", "grpcClient", "prime",
  "repeat", "out", "maxInFlight", "timeout", "topology", "port", "rxSteering", "offloads", "mtu", "rateLimit", "netem", "serverCpu",
  "clientCpu", "sampleHz", "baseline", "verify", "sweep", "by", "from", "to", "steps", "spacing", "sloP99", "maxTime", "server",
];

function rank(key: string): number {
  const i = FIRST_KEY_ORDER.indexOf(key);
  return i === -1 ? FIRST_KEY_ORDER.length : i;
}

/** The schema's shape: one entry per key; dotted keys (`server.streamMessages`) make a strict section. */
function configFileShape(): Record<string, z.ZodType> {
  const shape = new Map<string, z.ZodType>();
  const sections = new Map<string, Map<string, z.ZodType>>();
  for (const o of OPTIONS) {
    if (o.key === null) continue;
    const dot = o.key.indexOf(".");
    if (dot === -1) {
      shape.set(o.key, valueSchema(o).optional());
      continue;
    }
    const section = sections.get(o.key.slice(0, dot)) ?? new Map<string, z.ZodType>();
    section.set(o.key.slice(dot + 1), valueSchema(o).optional());
    sections.set(o.key.slice(0, dot), section);
  }
  for (const [name, fields] of sections) shape.set(name, z.strictObject(Object.fromEntries(fields)).optional());
  // Not an option: the user's own servers, each entry checked with its name by bench/config/user-servers.ts.
  shape.set("servers", serversKeySchema);
  return Object.fromEntries([...shape].sort(([a], [b]) => rank(a) - rank(b)));
}

export const configFileSchema = z.strictObject(configFileShape());

// Issue 11 asks for a size cap on --config: this is where the file is read.
/** A config file is a few hundred bytes; past this it is not one (a 3 GiB file read for 10 s before its refusal). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new UsageError("WC_BAD_CONFIG", `--config ${path}: ${size} bytes, more than a config file's ${MAX_CONFIG_BYTES}; pass the JSON config file`);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new UsageError("WC_BAD_CONFIG", `--config ${path}: cannot read it (${code}); pass the path of an existing JSON file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError("WC_BAD_CONFIG", `--config ${path}: not valid JSON (${(error as Error).message}); fix the file's syntax`);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(top level)";
    const what =
      issue?.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}; allowed keys are ${Object.keys(configFileSchema.shape).join(", ")}`
        : `${where}: ${issue?.message ?? "invalid"}`;
    throw new UsageError("WC_BAD_CONFIG", `--config ${path}: ${what}`);
  }
  return parsed.data;
}
