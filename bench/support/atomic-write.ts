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
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  // Opened before the try: a name already taken is not ours to remove.
  let fd: number | null = openSync(temp, "wx", 0o644);
  try {
    writeFileSync(fd, content);
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
