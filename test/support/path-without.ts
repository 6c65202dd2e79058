/**
 * A PATH on which some programs are missing and every other one is where it was: a directory of links to each name
 * on the real PATH (the first of a name wins, as the shell's lookup does) except the missing ones. A test then sees
 * a machine without bpftrace, say, while the code's lookups (`sh -c "command -v …"`, bench/support/tools.ts) run for
 * real — a PATH of nothing at all would make every lookup fail because sh itself is missing.
 */
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface PathWithout {
  /** The directory to pass as PATH. */
  readonly dir: string;
  remove(): void;
}

export function pathWithout(missing: readonly string[], path: string = process.env.PATH ?? ""): PathWithout {
  const dir = mkdtempSync(join(tmpdir(), "wirecost-path-"));
  const linked = new Set(missing);
  for (const from of path.split(delimiter).filter((d) => d !== "")) {
    let names: string[];
    try {
      names = readdirSync(from);
    } catch {
      continue; // A PATH entry that does not exist is skipped by the shell too.
    }
    for (const name of names) {
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
