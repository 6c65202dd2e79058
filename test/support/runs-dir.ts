/**
 * Setup file of every test project: the test workers run short benches side by side by design (their figures are not
 * what they assert), so each worker registers its runs in a directory of its own (bench/run/run-lock.ts), which the
 * benches it spawns inherit. A test of the run lock itself gives its benches one directory. After each file the
 * directory goes, with the entry of any bench a test killed on purpose (a later run would drop it as stale).
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const dir = join(tmpdir(), `wirecost-test-runs-${process.env.VITEST_POOL_ID ?? process.pid}`);
process.env.WIRECOST_RUNS_DIR = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
