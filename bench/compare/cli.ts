/**
 * `npm run compare -- <baseline run> <new run> [--json] [--noise-threshold 0.01]`: per protocol and cost metric,
 * the new run's figure as a factor of the baseline's with its uncertainty, flagged where it exceeds the noise.
 * Markdown on stdout, or JSON with --json. `main` returns the exit code.
 */
import { UsageError } from "../support/errors.ts";
import { loadRun } from "../results/load-run.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { comparisonToJson, comparisonToMarkdown } from "./compare-markdown.ts";
import { compareRuns, DEFAULT_NOISE_THRESHOLD, kernelTimeMethod } from "./compare-runs.ts";

export const COMPARE_HELP = `wirecost compare — how a run's per-request costs changed against a baseline run

usage: npm run compare -- <baseline run> <new run> [--json] [--noise-threshold F]

  <baseline run>, <new run>   run directories written by npm run bench (results/<run-id>), or their result.json
  --json                      print JSON instead of Markdown
  --noise-threshold F         smallest relative change ever flagged, 0 ≤ F < 1 (default ${DEFAULT_NOISE_THRESHOLD})

A change is flagged when both runs have ≥ 2 repeats, factor ± uncertainty excludes 1, and the change exceeds
both runs' relative spreads and the noise threshold.
`;

function noiseThreshold(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_NOISE_THRESHOLD;
  const n = typeof value === "string" && /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 0 && n < 1)) throw new UsageError("WC_BAD_VALUE", `--noise-threshold ${String(value)}: not a fraction in [0, 1); e.g. --noise-threshold 0.02`);
  return n;
}

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "compare", async () => {
    const args = parseToolArgs(argv, { tool: "compare", strings: ["noise-threshold"], booleans: ["json"], positionals: ["<baseline run>", "<new run>"] });
    if (args.help) {
      io.stdout.write(COMPARE_HELP);
      return 0;
    }
    const threshold = noiseThreshold(args.values["noise-threshold"]);
    const before = loadRun(args.positionals[0] ?? "", "baseline run");
    const after = loadRun(args.positionals[1] ?? "", "new run");
    const comparison = compareRuns(before.result, after.result, { noiseThreshold: threshold });
    if (comparison.protocols.length === 0) {
      throw new UsageError("WC_BAD_VALUE", `the runs share no protocol (baseline: ${comparison.onlyInBefore.join(", ") || "none"}; new: ${comparison.onlyInAfter.join(", ") || "none"})`);
    }
    const methods = [kernelTimeMethod(before.result), kernelTimeMethod(after.result)];
    if (methods[0] !== methods[1] || methods[0] === "mixed") {
      io.stderr.write(`warning: the runs measured kernel time by different methods (${methods[0]} → ${methods[1]}): their kernel CPU is not compared\n`);
    }
    io.stdout.write(args.values.json === true ? comparisonToJson(comparison) : comparisonToMarkdown(comparison));
    return 0;
  });
}
