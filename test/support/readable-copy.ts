/**
 * A copy of the checkout that another user can read, for tests that run node as that user (`nobody`). A clone under
 * /root (mode 700) is closed to every other user, and so is the Node that `npm ci` put inside it, so such a test
 * runs a copy under /tmp instead: the project files copied and made world-readable, node_modules and the Node binary
 * hard-linked (copied when /tmp is another file system). Hard links keep it cheap: about 0.2 s for node_modules.
 */
import {
  chmodSync,
  copyFileSync,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ReadableCopy {
  /** The copy's root: `path("bench/bin.ts")` is the copied bin. */
  path(relative: string): string;
  /** The Node binary to run, readable and executable by every user. */
  readonly node: string;
  remove(): void;
}

/**
 * Hard-links `from` at `to` when others already have the `others` permission bits on it, or copies it and grants
 * them on the copy (a link shares the original's mode, so it is never chmod-ed); copies across file systems.
 */
function linkOrCopy(from: string, to: string, others: number): void {
  const mode = statSync(from).mode;
  if ((mode & others) === others) {
    try {
      linkSync(from, to);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    }
  }
  copyFileSync(from, to);
  chmodSync(to, (mode & 0o777) | others | (others << 3) | (others << 6));
}

function linkTree(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) linkTree(src, dst);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else linkOrCopy(src, dst, 0o004);
  }
  chmodSync(to, 0o755);
}

/** Adds read (and, for directories and executables, search/execute) permission for everyone. */
function makeReadable(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, stat.mode | 0o555);
    for (const name of readdirSync(path)) makeReadable(join(path, name));
  } else chmodSync(path, stat.mode | 0o444 | ((stat.mode & 0o100) !== 0 ? 0o111 : 0));
}

/**
 * Copies `entries` (paths relative to the checkout, e.g. ["package.json", "bench"]) and, when `withNodeModules`,
 * node_modules, into a fresh directory under /tmp that every user can read.
 */
export function readableCopy(entries: readonly string[], options: { readonly withNodeModules: boolean }): ReadableCopy {
  const dir = mkdtempSync("/tmp/wirecost-readable-");
  chmodSync(dir, 0o755);
  for (const entry of entries) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  // Copies keep the checkout's modes, which a umask of 077 makes private; parents of nested entries get the umask.
  makeReadable(dir);
  if (options.withNodeModules) linkTree(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
  const node = join(dir, "node");
  linkOrCopy(process.execPath, node, 0o005);
  return { path: (relative) => join(dir, relative), node, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
