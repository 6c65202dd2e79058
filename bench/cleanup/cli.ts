/**
 * `npm run cleanup`: removes what killed runs left behind — `wirecost-*` namespaces (and the processes in them),
 * host-side veth ends and state files of runs whose harness is gone. A live run's resources are never touched.
 */
import { cleanupLeftovers, findLeftovers } from "../topology/index.ts";
import type { CliIo } from "../cli/main.ts";

export async function main(argv: readonly string[], io: Pick<CliIo, "stdout" | "stderr">): Promise<number> {
  if (argv.length > 0) {
    io.stderr.write(`wirecost cleanup: unexpected argument "${argv[0]}"; it takes none\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    io.stderr.write("wirecost cleanup: needs root to list and delete network namespaces; run it with sudo\n");
    return 2;
  }
  const report = await cleanupLeftovers(await findLeftovers());
  for (const l of report.removed) {
    const what = [...l.namespaces, ...l.hostLinks].join(", ") || "its state file";
    io.stdout.write(`removed ${what} (run ${l.runId ?? "unknown"}: ${l.reason})\n`);
  }
  for (const f of report.failures) {
    io.stderr.write(`could not remove ${f.leftover.namespaces.join(", ")}: ${String(f.error)}\n`);
  }
  if (report.removed.length === 0 && report.failures.length === 0) io.stdout.write("nothing to clean up\n");
  return report.failures.length === 0 ? 0 : 1;
}
