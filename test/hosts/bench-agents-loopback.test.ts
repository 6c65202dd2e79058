/**
 * `npm run bench -- --agents …`: the driver reaching agents that already run (here two `npm run agent` processes on
 * loopback playing a server host and a client host), with the run's token — and refused by them without it.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";

const BIN = fileURLToPath(new URL("../../bench/agent/bin.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wirecost-agents-"));
const tokenFile = join(dir, "token");
const agents: { kill(): void; port: number }[] = [];
const ports = (): [number, number] => [agents[0]?.port ?? 0, agents[1]?.port ?? 0];

async function startAgent(): Promise<{ kill(): void; port: number }> {
  const child = spawn(process.execPath, [BIN, "--listen", "127.0.0.1:0", "--bench-address", "127.0.0.1", "--token-file", tokenFile], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
  });
  return { kill: () => child.kill("SIGTERM"), port };
}

beforeAll(async () => {
  writeFileSync(tokenFile, "a3f1c0ffee5eed5a1ad0ba5eba11cafe\n");
  chmodSync(tokenFile, 0o600);
  agents.push(await startAgent(), await startAgent());
});
afterAll(() => {
  for (const a of agents) a.kill();
  rmSync(dir, { recursive: true, force: true });
});

function run(argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  const stderr: string[] = [];
  return main(argv, { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } }).then((code) => ({ code, stderr: stderr.join("") }));
}

describe("a run through agents on other hosts", () => {
  it("runs the scenario on the hosts the agents name, and records each host as its agent describes it", async () => {
    const [serverPort, clientPort] = ports();
    const { code, stderr } = await run([
      "--agents", `server=127.0.0.1:${serverPort},client=127.0.0.1:${clientPort}`, "--token-file", tokenFile,
      "--protocols", "http1", "--rps", "300", "--duration", "1s", "--warmup", "300ms", "--prime", "200", "--out", join(dir, "out"),
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(readFileSync(/results: (.*result\.json)/.exec(stderr)?.[1] ?? "", "utf8")) as RunResult;
    expect(result.topology).toBeNull();
    expect(result.hosts?.map((h) => [h.name, h.role, h.agent, h.benchAddress, h.namespace ?? null, h.nics.map((n) => n.name)])).toEqual([
      ["server", "server", `127.0.0.1:${serverPort}`, "127.0.0.1", null, ["lo"]],
      ["client", "client", `127.0.0.1:${clientPort}`, "127.0.0.1", null, ["lo"]],
    ]);
    const s = result.scenarios[0] as CompletedScenario;
    expect([s.state, s.requests, s.completed]).toEqual(["completed", 300, 300]);
    expect(s.placement.topology).toBe("hosts");
    expect(s.acrossHosts?.hosts.map((h) => h.host)).toEqual(["server", "client"]);
  });

  it("stops at the first agent that refuses the token, naming it, before any scenario", async () => {
    const wrong = join(dir, "wrong");
    writeFileSync(wrong, "not-the-runs-token-0000000000\n");
    chmodSync(wrong, 0o600);
    const [serverPort, clientPort] = ports();
    const { code, stderr } = await run(["--agents", `server=127.0.0.1:${serverPort},client=127.0.0.1:${clientPort}`, "--token-file", wrong, "--protocols", "http1", "--out", join(dir, "out")]);
    expect(code).toBe(1);
    expect(stderr).toContain(`wirecost: agent server (127.0.0.1:${serverPort}): Hello: wirecost agent: wrong or missing token (the run's --token-file)\n`);
  });
});
