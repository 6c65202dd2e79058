/**
 * `npm run cleanup`: removes what killed runs left behind — the namespaces (and the processes in them), host-side
 * veth ends and state files of runs whose harness is gone, as their state files name them. Names in wirecost's exact
 * form that no state file claims are listed, and removed only with --force. A live run's resources, names wirecost
 * does not make, and the host's own network namespace are never touched (bench/topology/cleanup.ts).
 */
import { cleanupLeftovers, findLeftovers, leftAloneLine } from "../topology/index.ts";
import { UsageError } from "../support/errors.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";

export const CLEANUP_HELP = `wirecost cleanup — remove what killed runs left behind

usage: sudo npm run cleanup [-- --force]

Deletes the network namespaces (and the processes in them), host-side veth ends and state files of runs whose
harness is gone, as each run's state file names them; a live run's resources are never touched. Needs root.
npm run bench does the same before each run.

  --force   also delete namespaces and links named exactly as wirecost names them (wirecost-<run id>-srv, wc-<hash>-s)
            that no state file claims: a run killed before it wrote its state file leaves those, but they could be
            someone else's, so without --force they are only listed
`;

export function main(argv: readonly string[], io: Pick<ToolIo, "stdout" | "stderr">): Promise<number> {
  return runTool(io, "cleanup", async () => {
    const args = parseToolArgs(argv, { tool: "cleanup", booleans: ["force"], positionals: [] });
    if (args.help) {
      io.stdout.write(CLEANUP_HELP);
      return 0;
    }
    if (process.getuid?.() !== 0) throw new UsageError("WC_NEEDS_ROOT", "needs root to list and delete network namespaces; run it with sudo");
    const force = args.values.force === true;
    const leftovers = await findLeftovers();
    const report = await cleanupLeftovers(leftovers, { force });
    for (const l of report.removed) {
      const what = [...l.namespaces, ...l.hostLinks].join(", ") || "its state file";
      io.stdout.write(`removed ${what} (run ${l.runId ?? "unknown"}: ${l.reason})\n`);
    }
    for (const f of report.failures) {
      io.stderr.write(`could not remove ${[...f.leftover.namespaces, ...f.leftover.hostLinks].join(", ")}: ${String(f.error)}\n`);
    }
    const leftAlone = force ? null : leftAloneLine(leftovers);
    if (leftAlone !== null) io.stdout.write(`${leftAlone}\n`);
    if (report.removed.length === 0 && report.failures.length === 0 && leftAlone === null) io.stdout.write("nothing to clean up\n");
    return report.failures.length === 0 ? 0 : 1;
  });
}
