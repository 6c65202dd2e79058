/**
 * A user's own servers end to end in namespaces (issue 12's done-when): Python's http.server answering GET, as a user
 * would point wirecost at it, and a grpc-js service whose request is built from its .proto, called unary and on a
 * bidi stream, each run from a config
 * file's `servers` entry beside an arm. Each scenario completes with every answer checked, carries packets and CPU
 * per request and the server's own record, and nothing of either server — process, directory, namespace — is left.
 * In the serial lane: it builds namespaces, and no assertion rests on a counter's exact value.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../bench/cli/main.ts";
import { totalErrors } from "../../bench/results/schema.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import { hasCommand } from "../../bench/support/tools.ts";
import { checkTopologySupport } from "../../bench/topology/index.ts";

const support = await checkTopologySupport("netns");
const skipReason = !support.ok ? support.reason : !hasCommand("python3") ? "python3 is not installed (Debian python3; .ci/run installs it)" : null;
const PROTO = fileURLToPath(new URL("../fixtures/user-servers/greeter.proto", import.meta.url));
const GREETER = fileURLToPath(new URL("../fixtures/user-servers/greeter-server.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wirecost-user-server-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every process whose command line holds `text`. */
function processesWith(text: string): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "latin1").includes(text);
    } catch {
      return false;
    }
  });
}

describe.skipIf(skipReason !== null)(`a user's own servers in namespaces${skipReason === null ? "" : ` (skipped: ${skipReason})`}`, () => {
  it("runs python3 -m http.server and a grpc-js service (unary and bidi) from config entries beside http1: completed, counted, and gone afterwards", async () => {
    const config = join(dir, "wirecost.json");
    writeFileSync(
      config,
      JSON.stringify({
        servers: [
          { name: "py", protocol: "http1", command: ["python3", "-m", "http.server", "{port}", "--bind", "{host}", "--directory", "{dir}"], versionCommand: ["python3", "--version"] },
          { name: "greeter", protocol: "grpc", command: [process.execPath, GREETER, "{host}", "{port}"], grpc: { proto: PROTO, method: "demo.v1.Greeter/SayHello", message: { name: "wirecost", times: 3 } }, expect: { bodyBytes: 44 } },
          { name: "chat", protocol: "grpc-stream", command: [process.execPath, GREETER, "{host}", "{port}"], grpc: { proto: PROTO, method: "demo.v1.Greeter/Chat", message: { name: "wirecost", times: 3 } }, expect: { bodyBytes: 44 } },
        ],
      }),
    );
    const stderr: string[] = [];
    const code = await main(
      ["--config", config, "--protocols", "http1,py,greeter,chat", "--rps", "200", "--duration", "1s", "--warmup", "300ms", "--baseline", "200ms", "--prime", "200", "--kernel-time", "tick", "--topology", "netns", "--out", join(dir, "results"), "--json"],
      { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    // The report was written (main turns a report's failure into a warning) and sets each server beside http1.
    const report = readFileSync(join(dirname(path), "report.md"), "utf8");
    expect(report).toMatch(/4 protocols × 1 repeat/);
    expect(report).toMatch(/\*\*py\*\* used [\d.]+ ± [\d.]+× the packets per request of http1|\*\*py\*\* used [\d.]+× the packets per request of http1/);
    expect(report).toContain("greeter");
    expect(stderr.join("")).not.toMatch(/could not write the reports/);
    const byName = new Map(result.scenarios.map((s) => [s.name, s]));
    for (const name of ["http1", "py", "greeter", "chat"]) {
      const s = byName.get(name) as CompletedScenario | undefined;
      expect(s?.state, name).toBe("completed");
      expect(s === undefined ? -1 : totalErrors(s.errors), name).toBe(0);
      expect(s?.completedInWindow, name).toBeGreaterThan(150);
      expect(s?.perRequest?.cpuUs.serverRun, name).toBeGreaterThan(0);
      expect(s?.totals?.contextSwitches.server, name).toBeGreaterThan(0);
    }
    const py = byName.get("py") as CompletedScenario;
    const greeter = byName.get("greeter") as CompletedScenario;
    const chat = byName.get("chat") as CompletedScenario;
    expect([py.protocol, py.subject, greeter.protocol, greeter.subject, chat.protocol, chat.subject]).toEqual(["http1", "py", "grpc", "greeter", "grpc-stream", "chat"]);
    // http.server answers HTTP/1.0 and closes: a connection per request, where http1 keeps four alive.
    expect(py.perRequest?.connectionOpens).toBeGreaterThan(0.9);
    expect(py.perRequest?.packets).toBeGreaterThan(8);
    expect(greeter.perRequest?.packets).toBeGreaterThan(1);
    expect(py.foreignServer?.version).toMatch(/^Python 3\./);
    expect(py.foreignServer?.verified).toMatch(/^status 200 and any body; /);
    expect(greeter.foreignServer?.verified).toMatch(/^status 200 and grpc-status 0 and a message of 44 bytes; /);
    // The placeholders were filled in: the namespace's address, a port, and the run's directory for the server.
    const argv = py.foreignServer?.argv ?? [];
    expect(argv.slice(0, 3)).toEqual(["python3", "-m", "http.server"]);
    expect(argv[5]).toBe(result.topology?.serverAddress);
    const serverDir = argv[7] ?? "";
    expect(serverDir).toMatch(/\/wirecost-server-/);
    // Gone: the servers, their directories, the namespaces.
    expect(existsSync(serverDir)).toBe(false);
    expect(processesWith(serverDir)).toEqual([]);
    expect(processesWith(GREETER)).toEqual([]);
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(result.runId);
  });

  it("ends the run with exit 2 and one line naming the entry when a server answers its first warm-up wrongly, keeping what finished", async () => {
    const config = join(dir, "wrong-path.json");
    const command = ["python3", "-m", "http.server", "{port}", "--bind", "{host}", "--directory", "{dir}"];
    writeFileSync(config, JSON.stringify({ servers: [{ name: "py", protocol: "http1", command, request: { path: "/missing" } }] }));
    const stderr: string[] = [];
    const code = await main(
      ["--config", config, "--protocols", "http1,py", "--rps", "100", "--duration", "500ms", "--warmup", "200ms", "--baseline", "0", "--prime", "0", "--kernel-time", "tick", "--topology", "netns", "--out", join(dir, "results")],
      { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    const lines = stderr.join("").trimEnd().split("\n");
    expect(lines.at(-1)).toBe("wirecost: server entry py: generator failed: warm-up request failed (status): HTTP status 404, expected 200; check its request and expect");
    expect(code).toBe(2);
    const path = /results so far: (.*result\.json)/.exec(stderr.join(""))?.[1] ?? "";
    const result = JSON.parse(readFileSync(path, "utf8")) as RunResult;
    expect(result.scenarios.map((s) => [s.name, s.state, s.state === "errored" ? s.beforeLoad : undefined])).toEqual([
      ["http1", "completed", undefined],
      ["py", "errored", true],
    ]);
    expect(processesWith("wirecost-server-")).toEqual([]);
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(result.runId);
  });
});
