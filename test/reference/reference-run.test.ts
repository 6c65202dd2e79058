/**
 * The published reference run (results/reference/) must stay readable by the tools the README points at: a
 * result-format change that breaks plan or compare on it would silently orphan the numbers the README quotes.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main as compare } from "../../bench/compare/cli.ts";
import { main as plan } from "../../bench/plan/cli.ts";

const reference = (dir: string) => fileURLToPath(new URL(`../../results/reference/${dir}`, import.meta.url));

async function run(tool: typeof plan, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tool(args, { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} });
  return { code, out: out.join(""), err: err.join("") };
}

describe("the reference run", () => {
  it("is a quiet run: every scenario completed and no window was contaminated", () => {
    for (const dir of ["default", "docker", "sweep", "sweep-grpc-js", "matrix", "nginx", "livelock/rps", "livelock/threaded-napi", "livelock/none", "livelock/check"]) {
      const result = JSON.parse(readFileSync(`${reference(dir)}/result.json`, "utf8")) as {
        scenarios: { name: string; state: string; contamination?: { contaminated: boolean | null } }[];
      };
      expect(result.scenarios.length, dir).toBeGreaterThan(0);
      for (const s of result.scenarios) {
        expect(s.state, `${dir} ${s.name}`).toBe("completed");
        expect(s.contamination?.contaminated, `${dir} ${s.name}`).toBe(false);
      }
    }
  });

  it("plans 50 000 req/s from the default run for all six arms", async () => {
    const r = await run(plan, [reference("default"), "--rps", "50000", "--json"]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { protocols: { protocol: string }[] };
    expect(json.protocols.map((p) => p.protocol).sort()).toEqual(["grpc", "grpc-stream", "h2", "h2c", "http1", "http1-close"]);
  });

  it("plans from the sweep's knees", async () => {
    const r = await run(plan, [reference("sweep"), "--rps", "50000", "--slo-p99", "10ms"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("knee");
    expect(r.out).toContain("grpc-stream");
  });

  it("compares the docker path with the plain veth run and names the topology difference", async () => {
    const r = await run(compare, [reference("default"), reference("docker")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("topology: netns → docker");
    for (const protocol of ["http1", "h2c", "grpc"]) expect(r.out).toContain(`## ${protocol}`);
  });
});

describe("the reference matrix", () => {
  it("plans from every one of its twelve arms", async () => {
    const r = await run(plan, [reference("matrix"), "--rps", "5000", "--json"]);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { protocols: { protocol: string }[] };
    expect(json.protocols.map((p) => p.protocol).sort()).toEqual(
      ["grpc", "grpc-stream", "grpc-stream-tls", "grpc-tls", "h2", "h2c", "http1", "http1-close", "https1", "https1-close", "ws", "wss"],
    );
  });
});
