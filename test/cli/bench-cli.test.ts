import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { main } from "../../bench/cli/main.ts";
import type { RunResult } from "../../bench/results/schema.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "wirecost-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runBin(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
}

describe("bench CLI: bad input", () => {
  it.each([
    [["--rps", "0"], "--rps 0"],
    [["--protocols", "http1,quic"], 'unknown protocol "quic"'],
    [["--duration", "soon"], "--duration soon"],
    [["--request-bytes", "-5"], "--request-bytes -5"],
    [["--frobnicate"], "unknown flag --frobnicate"],
    [["--config", "/nonexistent/wirecost.json"], "--config /nonexistent/wirecost.json: cannot read it"],
    [["--out", "/proc/wirecost-cannot-write", "--duration", "1s"], "--out /proc/wirecost-cannot-write: cannot write there (ENOENT)"],
    [["--out", "/dev/null/results", "--duration", "1s"], "--out /dev/null/results: cannot write there (ENOTDIR)"],
    [["--sweep", "--by", "pps", "--from", "20000", "--to", "200000", "--rps", "500"], "--rps with --sweep --by pps: each step's request rate is calibrated"],
  ])("exits 2 with one line for %j", (args, expected) => {
    const r = runBin(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  it("exits 2 naming --port when the port is taken on loopback", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => void taken.close());
    const port = (taken.address() as AddressInfo).port;
    const r = runBin(["--topology", "loopback", "--port", String(port), "--out", out, "--duration", "1s"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(`wirecost: --port ${port}: already in use on 127.0.0.1; choose another port, or 0 for any free one`);
  });

  it("exits 2 naming --verify and the package when tcpdump is missing", () => {
    const r = spawnSync(process.execPath, [BIN, "--verify", "--out", out], {
      encoding: "utf8",
      env: { ...process.env, PATH: dirname(process.execPath) },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("wirecost: --verify needs tcpdump, which is not installed; apt-get install tcpdump, or drop --verify\n");
  });

  it.skipIf(process.getuid?.() !== 0 || spawnSync("sh", ["-c", "command -v runuser"]).status !== 0)(
    "exits 2 naming --topology netns and the fix when not root",
    () => {
      const writable = mkdtempSync(join(tmpdir(), "wirecost-nobody-"));
      chmodSync(writable, 0o777);
      onTestFinished(() => rmSync(writable, { recursive: true, force: true }));
      const r = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, BIN, "--topology", "netns", "--out", writable], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        "wirecost: --topology netns needs root to create network namespaces; run as root (sudo npm run bench …), or use --topology loopback\n",
      );
    },
  );

  it("prints help on stdout with exit 0", () => {
    const r = runBin(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--protocols LIST");
  });
});

describe("bench CLI: a short real run", () => {
  it("runs http1, h2c and grpc open loop and writes a result.json with three completed scenarios", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(
      ["--protocols", "http1,h2c,grpc", "--rps", "200", "--duration", "1s", "--warmup", "300ms", "--prime", "300", "--out", out, "--topology", "loopback", "--json"],
      { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } },
    );
    expect(code, stderr.join("")).toBe(0);
    const printed = JSON.parse(stdout.join("")) as RunResult;
    const path = /results: (.*result\.json)/.exec(stderr.join(""))?.[1];
    expect(path).toBeDefined();
    const saved = JSON.parse(readFileSync(path ?? "", "utf8")) as RunResult;
    expect(saved).toEqual(printed);
    expect(saved.schema).toBe("wirecost.result/v1");
    expect(saved.state).toBe("finished");
    expect(saved.environment.node).toBe(process.versions.node);
    expect(saved.scenarios.map((s) => [s.name, s.state])).toEqual([
      ["http1", "completed"],
      ["h2c", "completed"],
      ["grpc", "completed"],
    ]);
    for (const s of saved.scenarios) {
      if (s.state !== "completed") continue;
      // Exactly rps × duration requests fall in the window, and every one was answered and verified.
      expect(s.requests).toBe(200);
      expect(s.completed).toBe(200);
      expect(Object.values(s.errors).every((n) => n === 0)).toBe(true);
      expect(s.latencyUs.count).toBe(200);
      expect(s.latencyUs.p50).toBeGreaterThan(0);
      expect(s.latencyUs.p50).toBeGreaterThanOrEqual(s.serviceLatencyUs.p50);
      expect(s.window.endEpochMs - s.window.startEpochMs).toBe(1000);
      expect(s.placement.serverPid).toBeGreaterThan(0);
      // Primed closed loop before the baseline: every one of the 300 answered, none cut short.
      expect(s.prime).toMatchObject({ requested: 300, completed: 300, failed: 0, timedOut: false });
    }
  });
});
