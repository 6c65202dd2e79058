/** `npm run bench:kernel-time`'s bad input: one line naming the flag and the fix, exit 2, before anything runs. */
import { describe, expect, it } from "vitest";
import { main } from "../../bench/kernel-time-bench/main.ts";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, out: out.join(""), err: err.join("") };
}

describe("bench:kernel-time usage errors", () => {
  it.each([
    [["--protocol", "http3"], "wirecost bench:kernel-time: --protocol http3: not an arm of our servers; use one of http1, https1, http1-close, https1-close, h2c, h2, grpc, grpc-tls, grpc-stream, grpc-stream-tls, ws, wss\n"],
    [["--rps", "fast"], "wirecost bench:kernel-time: --rps fast: not a positive number; e.g. --rps 20000\n"],
    [["--repeat", "0"], "wirecost bench:kernel-time: --repeat 0: not a positive number; e.g. --repeat 3\n"],
  ])("refuses %j in one line with exit 2", async (argv, line) => {
    const r = await run(argv);
    expect(r).toEqual({ code: 2, out: "", err: line });
  });
});
