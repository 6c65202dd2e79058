/**
 * Setup file of every test project: the test workers run short benches side by side by design (their figures are not
 * what they assert), so each worker registers its runs in a directory of its own (bench/run/run-lock.ts), which the
 * benches it spawns inherit. A test of the run lock itself gives its benches one directory.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.WIRECOST_RUNS_DIR = join(tmpdir(), `wirecost-test-runs-${process.env.VITEST_POOL_ID ?? process.pid}`);
