/**
 * Reads a run directory's result.json and checks it is a `wirecost.result/v1` or `/v2` file. Every way it can fail is a
 * UsageError naming the path and the fix, so the CLIs print one line and exit 2.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { UsageError } from "../support/errors.ts";
import { CLIENT_CHOICES, CLIENT_KINDS, isProtocol } from "../../contract/index.ts";
import { describeError } from "../collector/index.ts";
import { READABLE_SCHEMAS } from "./schema.ts";
import type { RunResult } from "./schema.ts";

/**
 * Only what every renderer relies on is checked; the rest of the shape is the writer's contract (bench/run/run.ts
 * writes a `RunResult`). Loose objects: fields added later must not make an older reader refuse a newer result.
 */
const latency = z.looseObject({ count: z.number(), p50: z.number(), p99: z.number(), p999: z.number(), max: z.number(), mean: z.number() });

/**
 * What a completed scenario's renderers read beyond the common fields: the rates, the latency summaries, the error
 * counts and the generator's verdict. A result missing one of them was named with the field, not met with a
 * TypeError deep in a renderer (issue 11).
 */
const completedShape = z.looseObject({
  state: z.literal("completed"),
  connections: z.number(),
  achievedRps: z.number(),
  requests: z.number(),
  completed: z.number(),
  durationMs: z.number(),
  errors: z.record(z.string(), z.number()),
  errorSamples: z.record(z.string(), z.string()),
  latencyUs: latency,
  serviceLatencyUs: latency,
  generator: z.looseObject({ saturated: z.boolean(), saturationReasons: z.array(z.string()), latenessP99Us: z.number(), cpuPct: z.number() }),
});

const otherShape = z.looseObject({ state: z.enum(["errored", "aborted"]), error: z.string() });

const resultShape = z.looseObject({
  schema: z.enum(READABLE_SCHEMAS),
  runId: z.string(),
  startedAt: z.string(),
  state: z.enum(["running", "finished", "interrupted"]),
  environment: z.looseObject({ kernel: z.string(), node: z.string() }),
  // `client` (both) is absent from results written before --client existed: series.ts reads that as the library.
  config: z.looseObject({ protocols: z.array(z.string()), client: z.array(z.enum(CLIENT_CHOICES)).optional(), rps: z.number(), durationMs: z.number(), repeat: z.number() }),
  warnings: z.array(z.string()),
  scenarios: z.array(
    z.looseObject({
      name: z.string(),
      protocol: z.string().refine(isProtocol, "an unknown protocol"),
      client: z.enum(CLIENT_KINDS).optional(),
      repeat: z.number().int().positive(),
      state: z.enum(["completed", "errored", "aborted"]),
      offeredRps: z.number(),
    }).and(z.discriminatedUnion("state", [completedShape, otherShape])),
  ),
});

export interface LoadedRun {
  readonly dir: string;
  readonly resultPath: string;
  readonly result: RunResult;
}

/** `what` names the argument in messages ("run directory", "baseline run"). */
export function loadRun(dir: string, what = "run directory"): LoadedRun {
  let resultPath = join(dir, "result.json");
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new UsageError("WC_BAD_VALUE", `${what} ${dir}: no such directory; pass a run directory such as results/<run-id>`);
  }
  // A path to result.json itself is accepted too: it is what shell completion offers.
  if (stat.isFile()) [resultPath, dir] = [dir, dirname(dir)];
  let text: string;
  try {
    text = readFileSync(resultPath, "utf8");
  } catch {
    throw new UsageError("WC_BAD_VALUE", `${what} ${dir}: no result.json there; pass a run directory written by npm run bench`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError("WC_BAD_VALUE", `${resultPath} is not JSON (${describeError(error).split("\n")[0]})`);
  }
  const schema = typeof json === "object" && json !== null && "schema" in json ? json.schema : undefined;
  if (!(READABLE_SCHEMAS as readonly unknown[]).includes(schema)) {
    throw new UsageError("WC_BAD_VALUE", `${resultPath} is not a ${READABLE_SCHEMAS.join(" or ")} file (schema: ${JSON.stringify(schema ?? null)})`);
  }
  const parsed = resultShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : `${issue.path.join(".")}: ${issue.message}`;
    throw new UsageError("WC_BAD_VALUE", `${resultPath} is a damaged ${String(schema)} file (${where})`);
  }
  // The one type assertion of reading a result. `resultShape` checks what every renderer relies on; the rest is
  // `RunResult` because this repository's run wrote it under this schema id, and the readers fill in what older
  // results lack (sweep-view.ts `Stored`, the optional figures of `CostFigures`). Checking all of it here would mean
  // a second declaration of every type in result.json — the kernel figures' included, which are their descriptors'
  // shape — and refusing results that render today.
  return { dir, resultPath, result: json as RunResult };
}
