/**
 * `npm run bench:codec -- [--request-bytes N] [--response-bytes N] [--time-ms N] [--json]`: JSON vs protobuf encode
 * and decode cost per message at the configured sizes, so a report can tell encoding cost from protocol cost.
 * Results on stdout (Markdown, or JSON with --json); progress on stderr. `main` returns the exit code.
 */
import { DEFAULTS } from "../config/resolve.ts";
import { UsageError } from "../support/errors.ts";
import { MAX_BODY_BYTES } from "../../proto/codec.ts";
import { fixed } from "../results/format.ts";
import { parseToolArgs, positiveNumber, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { perExchangeNs, runCodecBench } from "./codec-bench.ts";
import type { CodecTiming } from "./codec-bench.ts";
import { CODECS } from "./codec-cases.ts";

export const CODEC_HELP = `wirecost bench:codec — JSON vs protobuf encode/decode cost per message (tinybench)

usage: npm run bench:codec -- [--request-bytes N] [--response-bytes N] [--time-ms N] [--json]

  --request-bytes N    request body size (default ${DEFAULTS.requestBytes}, as npm run bench)
  --response-bytes N   response body size (default ${DEFAULTS.responseBytes})
  --time-ms N          time budget per case, ms (default 500)
  --json               print JSON instead of Markdown
`;

function bytesFlag(flag: string, value: string | boolean | undefined, fallback: number): number {
  if (value === "0") return 0;
  const n = positiveNumber(flag, value, fallback);
  if (!Number.isInteger(n) || n > MAX_BODY_BYTES) throw new UsageError("WC_BAD_VALUE", `--${flag} ${String(value)}: give whole bytes from 0 to ${MAX_BODY_BYTES}`);
  return n;
}

export function codecMarkdown(timings: readonly CodecTiming[]): string {
  const lines = [
    "| message | body B | codec | op | encoded B | median ns/msg | MAD ns | p99 ns | batches |",
    "| :--- | ---: | :--- | :--- | ---: | ---: | ---: | ---: | ---: |",
    ...timings.map((t) => `| ${t.message} | ${t.bodyBytes} | ${t.codec} | ${t.operation} | ${t.encodedBytes} | ${fixed(t.medianNs, 0)} | ${fixed(t.madNs, 0)} | ${fixed(t.p99Ns, 0)} | ${t.samples} |`),
    "",
    "Per request–response exchange (medians added): the client encodes the request and decodes the response, the server the reverse.",
    "",
    "| codec | client µs | server µs |",
    "| :--- | ---: | ---: |",
    ...CODECS.flatMap((codec) => {
      const x = perExchangeNs(timings, codec);
      return x === null ? [] : [`| ${codec} | ${fixed(x.client / 1000, 3)} | ${fixed(x.server / 1000, 3)} |`];
    }),
    "",
    "Each timed sample is a batch of messages divided by its size; MAD is the median absolute deviation over batches. Compare with the CPU µs/request of a report: wirecost's arms all carry wirecost-protobuf bytes.",
  ];
  return `${lines.join("\n")}\n`;
}

export function main(argv: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, "bench:codec", async () => {
    const args = parseToolArgs(argv, { tool: "bench:codec", strings: ["request-bytes", "response-bytes", "time-ms"], booleans: ["json"], positionals: [] });
    if (args.help) {
      io.stdout.write(CODEC_HELP);
      return 0;
    }
    const v = args.values;
    const requestBytes = bytesFlag("request-bytes", v["request-bytes"], DEFAULTS.requestBytes);
    const responseBytes = bytesFlag("response-bytes", v["response-bytes"], DEFAULTS.responseBytes);
    const timeMs = positiveNumber("time-ms", v["time-ms"], 500);
    io.stderr.write(`timing 12 codec cases, ${timeMs} ms each (node ${process.versions.node})…\n`);
    const timings = await runCodecBench({ requestBytes, responseBytes, timeMs });
    io.stdout.write(v.json === true ? `${JSON.stringify({ schema: "wirecost.codec/v1", node: process.versions.node, requestBytes, responseBytes, timings }, null, 2)}\n` : codecMarkdown(timings));
    return 0;
  });
}
