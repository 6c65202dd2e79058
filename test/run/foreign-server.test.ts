/**
 * Starting and stopping a server the harness did not write (bench/run/foreign-server.ts): placeholders, readiness
 * read from /proc, and a stop that leaves nothing of the command's tree running — for a command that ignores SIGTERM,
 * one that forks, one that never listens, one that exits at once, one that does not exist. Real processes on
 * loopback; the wrapper is the identity, as on the loopback topology.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import net from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { anyPort, listeningInodes, startForeignServer } from "../../bench/run/foreign-server.ts";
import { fillPlaceholders } from "../../bench/support/placeholders.ts";
import { processTreeOf } from "../../bench/collector/process-tree.ts";
import type { Command } from "../../bench/support/child-process.ts";

const identity = (argv: string[]): Command => ({ file: argv[0] as string, args: argv.slice(1) });

describe("a server entry's command line", () => {
  it("gets {host}, {port} and {dir} filled in wherever they stand", () => {
    expect(fillPlaceholders(["nginx", "-c", "{dir}/nginx.conf", "-g", "daemon off;", "--listen={host}:{port}"], { host: "198.18.0.1", port: 8080, dir: "/tmp/run" })).toEqual([
      "nginx",
      "-c",
      "/tmp/run/nginx.conf",
      "-g",
      "daemon off;",
      "--listen=198.18.0.1:8080",
    ]);
  });

  it("refuses a placeholder it does not know, naming it", () => {
    expect(() => fillPlaceholders(["server", "--port={prot}"], { host: "h", port: 1, dir: "d" })).toThrow(
      new RangeError('unknown placeholder {prot} in "--port={prot}"; the command may use {host}, {port} and {dir}'),
    );
  });
});

describe("the listening sockets in /proc/net/tcp", () => {
  it("are the LISTEN rows on the port, by inode", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41001 1 0000000000000000 100 0 0 10 0",
      "   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41002 1 0000000000000000 100 0 0 10 0",
      "   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 41003 1 0000000000000000 20 4 30 10 -1",
      "",
    ].join("\n");
    expect([...listeningInodes(table, 8080)]).toEqual(["41001"]);
    expect([...listeningInodes(table, 80)]).toEqual(["41002"]);
    expect([...listeningInodes(table, 443)]).toEqual([]);
  });
});

/** A node program as a command line. */
const node = (code: string): string[] => [process.execPath, "-e", code];

/** Listens on the port given as argv[1] ({port}); with `forks`, first starts a child that also ignores SIGTERM. */
const LISTENER = `
  const net = require("node:net");
  if (process.argv[2] === "stubborn") process.on("SIGTERM", () => {});
  if (process.argv[3] === "forks") {
    const { spawn } = require("node:child_process");
    const child = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });
    process.stdout.write("child " + child.pid + "\\n");
  }
  net.createServer((s) => s.end()).listen(Number(process.argv[1]), "127.0.0.1");
`;

/** Whether `pid` is gone (or a zombie nobody will run again). */
function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]?.startsWith("Z") ?? true;
  } catch {
    return true;
  }
}

describe.skipIf(process.platform !== "linux")("a foreign server, started and stopped", () => {
  it("is ready once its own socket listens on {port}, and a stop ends it", async () => {
    const port = await anyPort();
    const server = await startForeignServer({ name: "plain", argv: [...node(LISTENER), String(port)], port, readyTimeoutMs: 10_000 }, identity);
    onTestFinished(() => server.stop(100));
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(true)).on("error", () => resolve(false));
      socket.on("close", () => {});
    });
    expect(connected).toBe(true);
    await server.stop();
    expect(gone(server.pid)).toBe(true);
  });

  it("leaves nothing of a tree that ignores SIGTERM and forks: what is left after the grace period is killed", async () => {
    const port = await anyPort();
    const server = await startForeignServer({ name: "stubborn", argv: [...node(LISTENER), String(port), "stubborn", "forks"], port, readyTimeoutMs: 10_000 }, identity);
    onTestFinished(() => server.stop(100));
    // The child may still be starting: the tree shows it once the root has forked, before it listens.
    const [root, child] = processTreeOf(server.pid);
    expect(root).toBe(server.pid);
    if (child === undefined) throw new Error("the command forked no child");
    expect(gone(child)).toBe(false);
    await server.stop(300);
    expect(await server.child.exited).toEqual({ code: null, signal: "SIGKILL" });
    await expect.poll(() => gone(child), { timeout: 5_000 }).toBe(true);
  });

  it("refuses a command that never listens, naming the entry and the fix, and stops it", async () => {
    const port = await anyPort();
    // Another program listening on the port must not pass for the server.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const pidFile = join(mkdtempSync(join(tmpdir(), "wirecost-foreign-")), "pid");
    onTestFinished(() => rmSync(dirname(pidFile), { recursive: true, force: true }));
    const code = `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
    const started = startForeignServer({ name: "mute", argv: node(code), port, readyTimeoutMs: 500 }, identity);
    await expect(started).rejects.toThrow(
      `server entry mute: nothing listened on port ${port} within 500 ms; check that the command listens on {port} at {host}, or raise readyTimeoutMs`,
    );
    expect(gone(Number(readFileSync(pidFile, "utf8")))).toBe(true);
  });

  it("reports a command that exits first with its exit code and its last stderr line", async () => {
    const started = startForeignServer({ name: "crashy", argv: node("console.error('config error: no listen directive'); process.exit(3)"), port: 1, readyTimeoutMs: 5_000 }, identity);
    await expect(started).rejects.toThrow(
      "server entry crashy: its command (" + process.execPath + ") exited with code 3; last stderr: config error: no listen directive, before it listened on port 1",
    );
  });

  it("reports a command that does not exist, and the fix", async () => {
    const started = startForeignServer({ name: "missing", argv: ["/nonexistent/wirecost-server", "{port}"], port: 1, readyTimeoutMs: 5_000 }, identity);
    await expect(started).rejects.toThrow(/^server entry missing: cannot run \/nonexistent\/wirecost-server \(spawn \/nonexistent\/wirecost-server ENOENT\); give the command's full path, or install it$/);
  });
});
