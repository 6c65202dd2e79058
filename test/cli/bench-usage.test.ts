/** `npm run bench` refusing bad input before anything starts: one line on stderr naming the flag and the fix, exit 2. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { main } from "../../bench/cli/main.ts";
import { readableCopy } from "../support/readable-copy.ts";

const BIN = fileURLToPath(new URL("../../bench/bin.ts", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "wirecost-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * `main` in this process, as bin.ts calls it: the same exit code and output without a node start-up per case.
 * That bin.ts passes both on is test/cli/npm-scripts-cli.test.ts's to check, which spawns every bin.
 */
async function runMain(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env: { NO_COLOR: "1" } };
  const status = await main(args, io);
  return { status, stdout: stdout.join(""), stderr: stderr.join("") };
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
    // An existing file: refused before anything is made (it used to fail only once the topology was built).
    [["--out", "/etc/hostname", "--duration", "1s"], "wirecost: --out /etc/hostname: is a file, not a directory; choose a directory"],
    [["--sweep", "--by", "pps", "--from", "20000", "--to", "200000", "--rps", "500"], "--rps with --sweep --by pps: each step's request rate is calibrated"],
    // --max-time binds every run: a scenario that could outlast it would be skipped, leaving nothing measured.
    [["--duration", "40m"], "--max-time 1800 s: one scenario may take up to 2"],
  ])("exits 2 with one line for %j", async (args, expected) => {
    const r = await runMain(args);
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
    const r = await runMain(["--topology", "loopback", "--port", String(port), "--out", out, "--duration", "1s"]);
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

  const asNobody = process.getuid?.() !== 0 ? "needs root to run a process as nobody" : spawnSync("sh", ["-c", "command -v runuser"]).status !== 0 ? "needs runuser (util-linux)" : null;
  it.skipIf(asNobody !== null)(
    `exits 2 naming --topology netns and the fix when not root${asNobody === null ? "" : ` (skipped: ${asNobody})`}`,
    () => {
      const writable = mkdtempSync(join(tmpdir(), "wirecost-nobody-"));
      chmodSync(writable, 0o777);
      onTestFinished(() => rmSync(writable, { recursive: true, force: true }));
      // The checkout and the Node inside it may be closed to nobody (a clone under /root): run a readable copy.
      const copy = readableCopy(["package.json", "bench", "contract", "clients", "servers", "proto"], { withNodeModules: true });
      onTestFinished(() => copy.remove());
      const args = ["-u", "nobody", "--", copy.node, copy.path("bench/bin.ts"), "--topology", "netns", "--out", writable];
      // WIRECOST_RUNS_DIR emptied: nobody registers its run in its own directory, not in this root worker's.
      const r = spawnSync("runuser", args, { encoding: "utf8", cwd: copy.path("."), env: { ...process.env, WIRECOST_RUNS_DIR: "" } });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        "wirecost: --topology netns needs root to create network namespaces; run as root (sudo npm run bench …), or use --topology loopback\n",
      );
    },
  );

  it("prints help on stdout with exit 0", async () => {
    const r = await runMain(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--protocols LIST");
  });
});
