/**
 * `npm run plan -- <run dir> --rps N [--target-util 0.7] [--slo-p99 5ms] [--include-saturated] [--json]`: cores,
 * packets, bandwidth and softirq load per protocol at a target rate, from a run's per-request figures, with the
 * assumptions printed; a sweep from each protocol's knee. Refuses (exit 2, one line) when the run lacks the figures.
 * `main` returns the exit code.
 */
import { UsageError } from "../support/errors.ts";
import { loadRun } from "../results/load-run.ts";
import { parseToolArgs, positiveNumber, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { planCapacity } from "./capacity-plan.ts";
import { planToJson, planToMarkdown } from "./plan-markdown.ts";

export const DEFAULT_TARGET_UTIL = 0.7;

export const PLAN_HELP = `wirecost plan — what a target request rate needs, per protocol, from a run's per-request costs

usage: npm run plan -- <run dir> --rps N [--target-util U] [--slo-p99 D] [--include-saturated] [--json]

  <run dir>             a directory written by npm run bench (results/<run-id>), or its result.json
  --rps N               the request rate to plan for (required)
  --target-util U       busy share per core, 0 < U ≤ 1 (default ${DEFAULT_TARGET_UTIL})
  --slo-p99 D           latency SLO on p99, e.g. 5ms, 800us, 0.5s (a bare number is ms); for a sweep the
                        knees are found again at it (default: the SLO the sweep ran with)
  --include-saturated   also use scenarios whose load generator saturated (left out by default)
  --json                print JSON instead of Markdown

A sweep (npm run bench -- --sweep) is planned from each protocol's knee: the figures measured at the highest
offered rate that met the SLO, not one rate's figures scaled.
`;

const UNIT_US: Record<string, number> = { us: 1, "µs": 1, ms: 1000, s: 1_000_000 };

/** "5ms" → 5000; µs/us, ms, s; a bare number is ms. Undefined when the text is not a latency. */
export function parseLatencyUs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\s*$/.exec(text);
  if (match === null) return undefined;
  const us = Number(match[1]) * (UNIT_US[match[2] ?? "ms"] ?? 1000);
  return Number.isFinite(us) && us > 0 ? us : undefined;
}

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "plan", async () => {
    const args = parseToolArgs(argv, {
      tool: "plan",
      strings: ["rps", "target-util", "slo-p99"],
      booleans: ["include-saturated", "json"],
      positionals: ["<run dir>"],
      usage: "<run dir> --rps N [--target-util U] [--slo-p99 D]",
    });
    if (args.help) {
      io.stdout.write(PLAN_HELP);
      return 0;
    }
    const v = args.values;
    const rps = positiveNumber("rps", v.rps);
    const targetUtil = positiveNumber("target-util", v["target-util"], DEFAULT_TARGET_UTIL);
    if (targetUtil > 1) throw new UsageError("WC_BAD_VALUE", `--target-util ${String(v["target-util"])}: a core cannot be more than fully busy; give 0 < U ≤ 1, e.g. 0.7`);
    let sloP99Us: number | null = null;
    if (v["slo-p99"] !== undefined) {
      const parsed = parseLatencyUs(String(v["slo-p99"]));
      if (parsed === undefined) throw new UsageError("WC_BAD_VALUE", `--slo-p99 ${String(v["slo-p99"])}: not a latency; e.g. --slo-p99 5ms or 800us`);
      sloP99Us = parsed;
    }
    const { result } = loadRun(args.positionals[0] ?? "");
    const plan = planCapacity(result, { rps, targetUtil, sloP99Us, includeSaturated: v["include-saturated"] === true });
    io.stdout.write(v.json === true ? planToJson(plan, result) : planToMarkdown(plan, result));
    return 0;
  });
}
