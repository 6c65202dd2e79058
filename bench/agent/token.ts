/**
 * The run's shared token, read from the file both the agents and the driver are given (`--token-file`): only its
 * owner may read it, as ssh asks of a private key — the token is all that stands between the network and a process
 * that starts servers as root.
 */
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "../support/errors.ts";

export const MIN_TOKEN_CHARS = 16;

/** The token in `path`, or a UsageError naming --token-file and the fix. */
export function readTokenFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError("WC_BAD_VALUE", `--token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}; write the run's token into it and chmod 600 it`);
  }
  if ((mode & 0o077) !== 0) throw new UsageError("WC_BAD_VALUE", `--token-file ${path}: readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 ${path}`);
  const token = text.trim();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw new UsageError("WC_BAD_VALUE", `--token-file ${path}: the token must be one word of ${MIN_TOKEN_CHARS} characters or more; e.g. openssl rand -hex 16 > ${path}`);
  }
  return token;
}

