import fs from "node:fs";
import { describeError, missing, ok, type Reading } from "./reading.ts";

/**
 * Reads `/proc` files through file descriptors kept open between reads.
 *
 * Each read starts with `pread(fd, buf, ≥ 64 KiB, 0)`: a seq_file restarts its iteration when asked for offset 0
 * (fs/seq_file.c `seq_read_iter()`), so a kept-open fd gives a fresh, consistent view without open/close. A
 * single-record file (stat, softirqs, snmp, netstat) arrives whole in that one read; a multi-record one
 * (interrupts, net/dev, softnet_stat) arrives at most one seq buffer (a page) per read, so reading continues at the
 * returned offset until a read returns 0.
 *
 * Kept-open `/proc/<pid>/net/*` fds pin that network namespace: `close()` before deleting the namespace.
 */
export interface ProcReader {
  /** The whole file as text; throws on error (and forgets the fd, so the next call reopens). */
  read(path: string): string;
  /** The whole file, or the reason it could not be read. */
  tryRead(path: string): Reading<string>;
  /** Closes kept fds whose path starts with `prefix` and for which `keep(path)` is false. */
  prune(prefix: string, keep: (path: string) => boolean): void;
  /** How many fds are open. */
  readonly openFiles: number;
  /** How many times a file was opened since creation (a steady reader stops opening). */
  readonly opens: number;
  close(): void;
}

const INITIAL_BUFFER_BYTES = 64 * 1024;

export function createProcReader(): ProcReader {
  const fds = new Map<string, number>();
  let buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  let opens = 0;

  const forget = (path: string): void => {
    const fd = fds.get(path);
    if (fd === undefined) return;
    fds.delete(path);
    try {
      fs.closeSync(fd);
    } catch {
      // already gone
    }
  };

  const readFd = (fd: number): string => {
    for (;;) {
      let length = 0;
      for (;;) {
        if (length === buffer.length) break;
        const n = fs.readSync(fd, buffer, length, buffer.length - length, length);
        if (n === 0) return buffer.toString("latin1", 0, length);
        length += n;
      }
      // Larger than the buffer: grow and restart at offset 0 for one consistent pass.
      buffer = Buffer.allocUnsafe(buffer.length * 2);
    }
  };

  const read = (path: string): string => {
    let fd = fds.get(path);
    if (fd === undefined) {
      fd = fs.openSync(path, "r");
      opens++;
      fds.set(path, fd);
    }
    try {
      return readFd(fd);
    } catch (error) {
      forget(path);
      throw error;
    }
  };

  return {
    read,
    tryRead(path) {
      try {
        return ok(read(path));
      } catch (error) {
        return missing(`${path}: ${describeError(error)}`);
      }
    },
    prune(prefix, keep) {
      for (const path of [...fds.keys()]) if (path.startsWith(prefix) && !keep(path)) forget(path);
    },
    get openFiles() {
      return fds.size;
    },
    get opens() {
      return opens;
    },
    close() {
      for (const path of [...fds.keys()]) forget(path);
    },
  };
}
