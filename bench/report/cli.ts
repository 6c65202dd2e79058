/**
 * `npm run report -- <run dir> [--baseline-protocol P]`: writes report.md, report.csv, report.html and the chart
 * SVGs next to the run's result.json, and prints the paths written (stdout). `main` returns the exit code.
 */
import { UsageError } from "../support/errors.ts";
import { PROTOCOLS } from "../../contract/index.ts";
import { parseSeries } from "../results/series.ts";
import type { Series } from "../results/series.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { writeReports } from "./write-reports.ts";

export const REPORT_HELP = `wirecost report — Markdown, CSV and HTML reports with charts from a run's result.json

usage: npm run report -- <run dir> [--baseline-protocol P]

  <run dir>                 a directory written by npm run bench (results/<run-id>), or its result.json
  --baseline-protocol P     factors are relative to P, one of ${PROTOCOLS.join(", ")} or a user server's name (default: http1);
                            P~library (or P~wire) for a run's later --client. Arms of P's other transport
                            are relative to P's twin there (https1 for http1), or the first of them in the run

Writes report.md, report.csv, report.html and one .svg per chart beside result.json, each atomically.
`;

/** A user server's series as a user writes it: its entry's name, and a later client (write-reports.ts checks the run has it). */
const USER_SERIES = /^[a-z][a-z0-9-]{0,31}(~(wire|library))?$/;

export function baselineFlag(value: string | boolean | undefined): Series | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (parseSeries(value) !== null || USER_SERIES.test(value))) return value;
  throw new UsageError("WC_BAD_VALUE", `--baseline-protocol ${String(value)}: unknown protocol; choose one of ${PROTOCOLS.join(", ")}`);
}

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "report", async () => {
    const args = parseToolArgs(argv, { tool: "report", strings: ["baseline-protocol"], positionals: ["<run dir>"] });
    if (args.help) {
      io.stdout.write(REPORT_HELP);
      return 0;
    }
    const baselineProtocol = baselineFlag(args.values["baseline-protocol"]);
    const written = await writeReports(args.positionals[0] ?? "", {
      ...(baselineProtocol === undefined ? {} : { baselineProtocol }),
      warn: (line) => void io.stderr.write(`warning: ${line}\n`),
    });
    io.stdout.write(`${written.join("\n")}\n`);
    return 0;
  });
}
