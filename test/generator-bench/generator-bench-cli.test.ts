import { describe, expect, it } from "vitest";
import { GENERATOR_HELP, generatorBenchOptions, main } from "../../bench/generator-bench/main.ts";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const rowsOf = (o: ReturnType<typeof generatorBenchOptions>) => o.rows.map((r) => `${r.protocol} ${r.kind}`);

describe("npm run bench:generator's flags", () => {
  it("defaults to issue 10's rates, 5 s, three repeats, four connections, and every arm with each client that drives it", () => {
    const o = generatorBenchOptions({});
    expect([o.rates, o.durationMs, o.repeat, o.connections, o.pacing]).toEqual([[5000, 20000, 40000], 5000, 3, 4, "worker"]);
    // h2load has no bidi-stream mode and no WebSocket, so grpc-stream and ws have no h2load row.
    expect(rowsOf(o)).toEqual([
      "http1 wire", "http1 undici", "http1 h2load",
      "h2c wire", "h2c node-http2", "h2c h2load",
      "grpc wire", "grpc grpc-js", "grpc lean", "grpc h2load",
      "grpc-stream wire", "grpc-stream grpc-js", "grpc-stream lean",
      "ws wire", "ws undici-websocket",
    ]);
  });

  it("reads every flag, keeping the arms' and the clients' table order", () => {
    const o = generatorBenchOptions({ rates: "1000, 3000", duration: "2s", repeat: "1", protocols: "grpc,http1", clients: "h2load,lean,wire", connections: "8", pacing: "timer" });
    expect([o.rates, o.durationMs, o.repeat, o.connections, o.pacing, rowsOf(o)]).toEqual([
      [1000, 3000],
      2000,
      1,
      8,
      "timer",
      ["http1 wire", "http1 h2load", "grpc wire", "grpc lean", "grpc h2load"],
    ]);
  });

  it("prints its help, naming the arms and the clients", async () => {
    const r = await run(["--help"]);
    expect(r).toEqual({ code: 0, stdout: GENERATOR_HELP, stderr: "" });
    expect(GENERATOR_HELP).toContain("--protocols LIST     comma list of http1,h2c,grpc,grpc-stream,ws (default: all)");
    expect(GENERATOR_HELP).toContain("--clients LIST       comma list of wire,undici,node-http2,grpc-js,lean,undici-websocket,h2load (default: all an arm has)");
  });

  it.each([
    [["--protocols", "h3"], 'wirecost bench:generator: --protocols: unknown arm "h3"; choose from http1,h2c,grpc,grpc-stream,ws\n'],
    [["--protocols", "h2"], 'wirecost bench:generator: --protocols: unknown arm "h2"; choose from http1,h2c,grpc,grpc-stream,ws\n'],
    [["--clients", "grpc-lean"], 'wirecost bench:generator: --clients: unknown client "grpc-lean"; choose from wire,undici,node-http2,grpc-js,lean,undici-websocket,h2load\n'],
    [["--clients", " , "], "wirecost bench:generator: --clients: empty; name one or more of wire,undici,node-http2,grpc-js,lean,undici-websocket,h2load\n"],
    [["--protocols", "http1,grpc-stream", "--clients", "node-http2"], "wirecost bench:generator: --clients node-http2: no chosen arm has one; http1: wire,undici,h2load; grpc-stream: wire,grpc-js,lean\n"],
    [["--rates", "1000,lots"], "wirecost bench:generator: --rates lots: not a positive number; e.g. --rates 50000\n"],
    [["--repeat", "1.5"], "wirecost bench:generator: --repeat 1.5: give a whole number, e.g. --repeat 3\n"],
    [["--duration", "soon"], "wirecost bench:generator: --duration soon: give a duration such as 5s or 500ms\n"],
    [["--pacing", "fast"], "wirecost bench:generator: --pacing fast: choose one of worker, timer, spin, batch\n"],
    [["--rates"], "wirecost bench:generator: --rates needs a value; see npm run bench:generator -- --help\n"],
    [["--client", "wire"], "wirecost bench:generator: unknown flag --client; see npm run bench:generator -- --help\n"],
    [["fast"], 'wirecost bench:generator: unexpected argument "fast"; npm run bench:generator takes flags only, see npm run bench:generator -- --help\n'],
  ])("exits 2 before starting anything for %j", async (argv, stderr) => {
    expect(await run(argv)).toEqual({ code: 2, stdout: "", stderr });
  });
});
