import { describe, expect, it } from "vitest";
import { generatorBenchOptions, main } from "../../bench/generator-bench/main.ts";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("npm run bench:generator's flags", () => {
  it("defaults to four rates, 5 s, three repeats, four connections and every client", () => {
    const o = generatorBenchOptions({});
    expect([o.rates, o.durationMs, o.repeat, o.connections, o.rows.map((r) => r.name)]).toEqual([
      [2000, 5000, 10000, 20000],
      5000,
      3,
      4,
      ["http1", "h2c", "grpc", "grpc-lean", "grpc-stream", "grpc-stream-lean"],
    ]);
  });

  it("reads every flag", () => {
    const o = generatorBenchOptions({ rates: "1000, 3000", duration: "2s", repeat: "1", protocols: "grpc-lean,http1", connections: "8" });
    expect([o.rates, o.durationMs, o.repeat, o.connections, o.rows.map((r) => [r.name, r.protocol, r.grpcClient])]).toEqual([
      [1000, 3000],
      2000,
      1,
      8,
      [
        ["grpc-lean", "grpc", "lean"],
        ["http1", "http1", "grpc-js"],
      ],
    ]);
  });

  it.each([
    [["--protocols", "h3"], 'wirecost bench:generator: --protocols: unknown client "h3"; choose from http1,h2c,grpc,grpc-lean,grpc-stream,grpc-stream-lean\n'],
    [["--rates", "1000,lots"], "wirecost bench:generator: --rates lots: not a positive number; e.g. --rates 50000\n"],
    [["--repeat", "1.5"], "wirecost bench:generator: --repeat 1.5: give a whole number, e.g. --repeat 3\n"],
    [["--duration", "soon"], "wirecost bench:generator: --duration soon: give a duration such as 5s or 500ms\n"],
    [["--rates"], "wirecost bench:generator: --rates needs a value; see npm run bench:generator -- --help\n"],
    [["fast"], 'wirecost bench:generator: unexpected argument "fast"; npm run bench:generator takes flags only, see npm run bench:generator -- --help\n'],
  ])("exits 2 before starting anything for %j", async (argv, stderr) => {
    expect(await run(argv)).toEqual({ code: 2, stdout: "", stderr });
  });
});
