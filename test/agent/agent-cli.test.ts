/**
 * `npm run agent`: its inputs refused before it binds anything, and the real process — listening where told, stopping
 * what it runs on SIGTERM, and, killed outright, taking its servers with it while the driver's next call names it.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";
import { AgentCallError, connectAgent } from "../../bench/agent/client.ts";
import { main as cliMain, parseListen } from "../../bench/agent/cli.ts";
import { readTokenFile } from "../../bench/agent/token.ts";
import { eventually, isAlive } from "../faults/bench-process.ts";

const BIN = fileURLToPath(new URL("../../bench/agent/bin.ts", import.meta.url));
const TOKEN = "f00dfeedf00dfeedf00dfeed";
const dir = mkdtempSync(join(tmpdir(), "wirecost-agent-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tokenFile(name: string, text: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function startAgentProcess(tokenPath: string) {
  const child = spawn(process.execPath, [BIN, "--listen", "127.0.0.1:0", "--bench-address", "127.0.0.1", "--token-file", tokenPath], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (m !== null) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`agent exited with ${code}: ${stdout}`)));
  });
  return { child, port, exited, stdout: () => stdout };
}

const serverRequest = { protocol: "http1", host: "127.0.0.1", cpu: null, requestBytes: 64, responseBytes: 64, settings: DEFAULT_SERVER_SETTINGS, leaseMs: 60_000 } as const;

describe("npm run agent", () => {
  it("reads --listen as an IP literal and a port", () => {
    expect(parseListen("198.18.0.1:7000")).toEqual({ host: "198.18.0.1", port: 7000 });
    expect(parseListen("[fd00::1]:0")).toEqual({ host: "fd00::1", port: 0 });
    expect(() => parseListen("agent.example:7000")).toThrow("--listen agent.example:7000: not ADDR:PORT with an IP address; e.g. --listen 198.18.0.1:7000 or --listen [fd00::1]:7000");
    for (const bad of ["198.18.0.1", "198.18.0.1:70000", "fd00::1:7000", "[198.18.0.1]:7000"]) expect(() => parseListen(bad)).toThrow(`--listen ${bad}: not ADDR:PORT`);
  });

  it("takes a token only from a file its owner alone can read, long enough to guess at nothing", () => {
    expect(readTokenFile(tokenFile("good", `${TOKEN}\n`, 0o600))).toBe(TOKEN);
    const open = tokenFile("open", TOKEN, 0o644);
    expect(() => readTokenFile(open)).toThrow(`--token-file ${open}: readable by other users (mode 644); chmod 600 ${open}`);
    const short = tokenFile("short", "abc", 0o600);
    expect(() => readTokenFile(short)).toThrow(`--token-file ${short}: the token must be one word of 16 characters or more; e.g. openssl rand -hex 16 > ${short}`);
    expect(() => readTokenFile(join(dir, "absent"))).toThrow(`--token-file ${join(dir, "absent")}: ENOENT; write the run's token into it and chmod 600 it`);
  });

  it("refuses a bad flag value in one line with exit 2, before it binds anything", async () => {
    const good = tokenFile("refusals", TOKEN, 0o600);
    const base = ["--listen", "127.0.0.1:0", "--bench-address", "127.0.0.1", "--token-file", good];
    const cases: [string[], string][] = [
      [[...base, "--cpus", "two"], "wirecost agent: --cpus two: a CPU list such as 0-3,6\n"],
      [["--listen", "127.0.0.1:0", "--bench-address", "203.0.113.9", "--token-file", good], "wirecost agent: --bench-address 203.0.113.9: no interface of this host has that address; give one ip -br addr lists\n"],
      [["--listen", "127.0.0.1:0", "--token-file", good], "wirecost agent: --bench-address IP is required: the address the benchmark reaches this host on, e.g. --bench-address 192.168.1.5\n"],
    ];
    for (const [argv, line] of cases) {
      const said: string[] = [];
      // A stop that never comes: a refused start must return without waiting for it.
      const code = await cliMain(argv, { stdout: { write: (t: string) => said.push(t) }, stderr: { write: (t: string) => said.push(t) } }, new Promise<string>(() => {}));
      expect([code, said.join("")]).toEqual([2, line]);
    }
  });

  it("stops the servers it runs on SIGTERM and exits 0", async () => {
    const agent = startAgentProcess(tokenFile("term", TOKEN, 0o600));
    const port = await agent.port;
    const driver = connectAgent("server", `127.0.0.1:${port}`, TOKEN);
    const s = await driver.call("StartServer", serverRequest);
    driver.close();
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    expect(isAlive(s.pid)).toBe(false);
    expect(agent.stdout()).toContain("SIGTERM: stopping 1 server(s) and generator(s)\n");
    expect(agent.stdout()).toContain(`server ${s.id} (pid ${s.pid}) stopped: the agent is closing\n`);
  });

  it("killed outright, leaves no server behind, and the driver's next call names the host", async () => {
    const agent = startAgentProcess(tokenFile("kill", TOKEN, 0o600));
    const port = await agent.port;
    const driver = connectAgent("client-2", `127.0.0.1:${port}`, TOKEN);
    const s = await driver.call("StartServer", serverRequest);
    agent.child.kill("SIGKILL");
    await agent.exited;
    // The server watches its stdin (servers/child.ts): the agent's end closed with the agent.
    expect(await eventually(() => !isAlive(s.pid))).toBe(true);
    const error = await driver.call("Hello", { driver: "test" }, 2_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    driver.close();
    expect(error).toBeInstanceOf(AgentCallError);
    expect((error as AgentCallError).code).toBe(grpc.status.UNAVAILABLE);
    expect((error as AgentCallError).host).toBe("client-2");
    expect((error as AgentCallError).message).toMatch(new RegExp(`^agent client-2 \\(127\\.0\\.0\\.1:${port}\\): Hello: `));
  });
});
