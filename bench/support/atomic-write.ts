import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes a file so that a reader sees the old content or the new, never half of either: write a temp file
 * beside it, then rename over it (rename(2) is atomic within one file system). The directory must exist.
 */
export function writeFileAtomic(path: string, content: string): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
