/**
 * `--protocols` names arms and, with a config file's `servers`, the user's own servers: the two are split here, so
 * the option table reads arms as it always did. Without `--protocols`, a config with servers runs its servers alone
 * (the user named them: they are the subject); name arms in `--protocols` to set them beside.
 */
import { ARMS } from "../../contract/index.ts";
import { UsageError } from "../support/errors.ts";
import type { RawInputs } from "./read-option.ts";
import { sourceOf } from "./read-option.ts";
import { option } from "./options.ts";
import { readUserServers, SERVER_COMMAND_NAME } from "./user-servers.ts";
import type { UserServer } from "./user-servers.ts";

export interface Subjects {
  /** The inputs with `--protocols` holding arms only, or null when it held user servers only (no arm runs). */
  readonly armInputs: RawInputs | null;
  readonly servers: readonly UserServer[];
}

export function splitSubjects(inputs: RawInputs): Subjects {
  const flag = sourceOf(option("server-command"), inputs);
  const all = readUserServers(inputs.file?.servers, inputs.configFile ?? "config", flag === undefined ? null : String(flag.value));
  if (all.length === 0) return { armInputs: inputs, servers: [] };
  const source = sourceOf(option("protocols"), inputs);
  if (source === undefined) return { armInputs: null, servers: all };
  const names = String(source.value)
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  const byName = new Map(all.map((s) => [s.name, s]));
  // A config file's entries are a library, run when named; the flag's one server is asked for by giving it.
  if (flag !== undefined && !names.includes(SERVER_COMMAND_NAME)) {
    throw new UsageError("WC_BAD_VALUE", `--server-command: ${source.label} does not name "${SERVER_COMMAND_NAME}"; add it to the list, or drop --server-command`);
  }
  const servers = names.flatMap((n) => byName.get(n) ?? []);
  const arms = names.filter((n) => !byName.has(n));
  const unknown = arms.find((n) => !ARMS.some((a) => a.name === n));
  if (unknown !== undefined) {
    throw new UsageError("WC_BAD_VALUE", `${source.label}: unknown protocol "${unknown}"; choose from ${[...ARMS.map((a) => a.name), ...byName.keys()].join(",")}`);
  }
  if (arms.length === 0) return { armInputs: null, servers: [...new Set(servers)] };
  const armList = arms.join(",");
  const armInputs: RawInputs =
    typeof inputs.flags.protocols === "string"
      ? { ...inputs, flags: { ...inputs.flags, protocols: armList } }
      : { ...inputs, file: { ...inputs.file, protocols: armList } };
  return { armInputs, servers: [...new Set(servers)] };
}

/** User servers are driven by the wire clients and our generator only (contract/exchange.ts). */
export function checkUserServerRun(servers: readonly UserServer[], config: { readonly client: readonly string[]; readonly driver: string }): void {
  if (servers.length === 0) return;
  const names = servers.map((s) => s.name).join(",");
  if (config.client.length !== 1 || config.client[0] !== "wire") {
    throw new UsageError("WC_UNSUPPORTED", `--client ${config.client.join(",")}: a user server (${names}) is driven by the wire clients only; drop --client or give --client wire`);
  }
  if (config.driver !== "node") throw new UsageError("WC_UNSUPPORTED", `--driver ${config.driver}: a user server (${names}) is driven by our generator only; drop --driver`);
}

