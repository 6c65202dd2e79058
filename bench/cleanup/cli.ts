/**
 * `npm run cleanup`: removes what killed runs left behind — `wirecost-*` namespaces (and the processes in them),
 * host-side veth ends and state files of runs whose harness is gone. A live run's resources are never touched.
 */
import { cleanupLeftovers, findLeftovers } from "../topology/index.ts";
import { UsageError } from "../support/errors.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";

export const CLEANUP_HELP = `wirecost cleanup — remove what killed runs left behind

usage: sudo npm run cleanup

Deletes the wirecost-* network namespaces (and the processes in them), host-side veth ends and state files of runs
whose harness is gone; a live run's resources are never touched. Needs root. npm run bench does the same before
each run.
`;

export function main(argv: readonly string[], io: Pick<ToolIo, "stdout" | "stderr">): Promise<number> {
  return runTool(io, "cleanup", async () => {
    const args = parseToolArgs(argv, { tool: "cleanup", positionals: [] });
    if (args.help) {
      io.stdout.write(CLEANUP_HELP);
      return 0;
    }
    if (process.getuid?.() !== 0) throw new UsageError("WC_NEEDS_ROOT", "needs root to list and delete network namespaces; run it with sudo");
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
  });
}
