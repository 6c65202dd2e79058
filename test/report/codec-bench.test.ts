/**
 * bench:codec lives beside the reports it feeds ("so a report can separate encoding cost from protocol cost"); its
 * test is here with them. Short time budgets: this checks the cases and the output, not the speed.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../bench/codec/cli.ts";
import { codecCases } from "../../bench/codec/codec-cases.ts";
import { expectUsageError, runToolMain } from "./run-tool.ts";

describe("bench:codec", () => {
  it("encodes the same protobuf bytes with wirecost's codec and protobufjs, and JSON per the proto3 mapping", () => {
    const cases = codecCases({ requestBytes: 128, responseBytes: 1024 });
    const size = (codec: string, message: string) => cases.find((c) => c.codec === codec && c.message === message && c.operation === "encode")?.encodedBytes;
    // 0x08 + 4-byte varint seq + 0x12 + 2-byte length varint (128 and 1024 are both ≥ 0x80) + body.
    expect(size("wirecost-protobuf", "request")).toBe(1 + 4 + 1 + 2 + 128);
    expect(size("protobufjs", "response")).toBe(1 + 4 + 1 + 2 + 1024);
    // {"seq":"123456789","body":"<base64>"}: 4/3 of the body, padded.
    expect(size("json", "request")).toBe(`{"seq":"123456789","body":""}`.length + 4 * Math.ceil(128 / 3));
    for (const c of cases) expect(c.run(3), `${c.codec} ${c.operation} ${c.message}`).toBeGreaterThan(0);
  });

  it("times every case and prints medians with their spread, as JSON with --json", async () => {
    const out: string[] = [];
    const code = await main(["--time-ms", "20", "--request-bytes", "64", "--response-bytes", "256", "--json"], {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: () => true },
      env: {},
    });
    expect(code).toBe(0);
    const json = JSON.parse(out.join("")) as { timings: { codec: string; medianNs: number; madNs: number; bodyBytes: number }[] };
    expect(json.timings).toHaveLength(12);
    for (const t of json.timings) {
      expect(t.medianNs).toBeGreaterThan(0);
      expect(t.madNs).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(json.timings.map((t) => t.bodyBytes))).toEqual(new Set([64, 256]));
  });

  it.each([
    [["--request-bytes", "-1"], "--request-bytes -1: not a positive number"],
    [["--response-bytes", "1.5"], "--response-bytes 1.5: give whole bytes"],
    [["--time-ms", "0"], "--time-ms 0: not a positive number"],
    [["extra"], 'unexpected argument "extra"'],
  ])("exits 2 with one line for %j", async (args, expected) => {
    expectUsageError(await runToolMain("codec", args), expected);
  });
});
