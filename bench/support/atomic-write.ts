import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes a file so that a reader sees the old content or the new, never half of either: write a temp file
 * beside it, then rename over it (rename(2) is atomic within one file system). The directory must exist.
 * The temp file is created with O_EXCL (`wx`), so a file or link someone placed at that name is never written
 * through, and its data is fsynced before the rename, so a crash right after cannot leave an empty result.json
 * under the final name.
 */
export function writeFileAtomic(path: string, content: string): void {
  writeAtomic(path, (write) => write(content));
}

/**
 * `JSON.stringify(value, null, 2)` and a newline, written atomically in pieces: each top-level field, and each element
 * of a top-level array, is stringified alone. result.json is written after every scenario, so no string larger than
 * one scenario is ever built however many scenarios a run has (issue 11: a whole result once outgrew Node's largest
 * string, the save threw, and the finished scenario was lost).
 */
export function writeJsonAtomic(path: string, value: object): void {
  writeAtomic(path, (write) => {
    for (const piece of jsonPieces(value)) write(piece);
  });
}

/** The pieces of `JSON.stringify(value, null, 2) + "\n"` for a plain object, in order. */
export function* jsonPieces(value: object): Generator<string> {
  const shown = (v: unknown): boolean => v !== undefined && typeof v !== "function" && typeof v !== "symbol";
  const entries = Object.entries(value).filter(([, v]) => shown(v));
  if (entries.length === 0) {
    yield "{}\n";
    return;
  }
  // JSON.stringify escapes a newline inside a string, so every newline it writes is between tokens.
  const nest = (json: string, pad: string): string => json.replaceAll("\n", `\n${pad}`);
  yield "{\n";
  for (const [i, [key, v]] of entries.entries()) {
    const end = i < entries.length - 1 ? ",\n" : "\n";
    const head = `  ${JSON.stringify(key)}: `;
    if (Array.isArray(v) && v.length > 0) {
      yield `${head}[\n`;
      for (const [j, item] of v.entries()) yield `    ${nest(shown(item) ? JSON.stringify(item, null, 2) : "null", "    ")}${j < v.length - 1 ? ",\n" : "\n"}`;
      yield `  ]${end}`;
    } else {
      yield `${head}${nest(JSON.stringify(v, null, 2), "  ")}${end}`;
    }
  }
  yield "}\n";
}

/** Creates a temp file beside `path`, lets `writeAll` fill it, fsyncs it and renames it over `path`. */
function writeAtomic(path: string, writeAll: (write: (chunk: string) => void) => void): void {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  // Opened before the try: a name already taken is not ours to remove.
  let fd: number | null = openSync(temp, "wx", 0o644);
  try {
    const open = fd;
    writeAll((chunk) => writeFileSync(open, chunk));
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}
