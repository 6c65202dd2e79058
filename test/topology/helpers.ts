/**
 * Shared by the live topology tests: the skip reason, unique run ids, what exists now, and a last-resort sweep of
 * a test's run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { createInterface } from "node:readline";
import { run } from "../../bench/topology/exec.ts";
import { fnv1a32 } from "../../bench/topology/naming.ts";
import { checkTopologySupport } from "../../bench/topology/support.ts";
import type { Role, Topology } from "../../bench/topology/types.ts";

const support = await checkTopologySupport("bridge");
/** Appended to describe titles: why the live tests are skipped, or "" when they run. */
export const skipNote = support.ok ? "" : ` (skipped: ${support.reason}; ${support.fix})`;
export const noNetns = !support.ok;

export function uniqueRunId(label: string): string {
  return `t-${label}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

export async function namespaceNames(): Promise<string[]> {
  const out = (await run("ip", ["-j", "netns", "list"])).stdout.trim();
  return out === "" ? [] : (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

export async function hostLinkNames(): Promise<string[]> {
  return (JSON.parse((await run("ip", ["-j", "link", "show"])).stdout) as { ifname: string }[]).map((l) => l.ifname);
}

/** Host-namespace links of `runId` (their names carry a hash of it). */
export async function hostLinksOf(runId: string): Promise<string[]> {
  const prefix = `wc-${fnv1a32(runId).toString(16).padStart(8, "0")}-`;
  return (await hostLinkNames()).filter((n) => n.startsWith(prefix));
}

export async function namespacesOf(runId: string): Promise<string[]> {
  return (await namespaceNames()).filter((n) => n.startsWith(`wirecost-${runId}-`));
}

/** Deletes whatever of `runId` is still there, so a failed test does not leave namespaces behind. */
export async function sweepRun(runId: string): Promise<void> {
  for (const ns of await namespacesOf(runId)) {
    const pids = (await run("ip", ["netns", "pids", ns])).stdout.split(/\s+/).filter((p) => p !== "");
    for (const pid of pids) process.kill(Number(pid), "SIGKILL");
    await run("ip", ["netns", "del", ns]);
  }
  fs.rmSync(`/run/wirecost/${runId}.json`, { force: true });
}

export function netnsInode(file: string): number {
  return fs.statSync(file).ino;
}

export interface Started {
  readonly child: ChildProcess;
  /** The first stdout line, parsed as JSON. */
  readonly first: Record<string, unknown>;
  /** The next stdout line after those already taken, parsed as JSON (lines are buffered until asked for). */
  next(): Promise<Record<string, unknown>>;
}

/** Spawns `argv` through `topology.command(role, …)` and resolves with its first stdout line as JSON. */
export function startIn(topology: Topology, role: Role, argv: readonly string[]): Promise<Started> {
  const cmd = topology.command(role, argv);
  const child = spawn(cmd.file, cmd.args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const buffered: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  const next = (): Promise<Record<string, unknown>> =>
    new Promise<string>((resolve) => {
      const line = buffered.shift();
      if (line !== undefined) resolve(line);
      else waiting.push(resolve);
    }).then((line) => JSON.parse(line) as Record<string, unknown>);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const waiter = waiting.shift();
      if (waiter !== undefined) waiter(line);
      else buffered.push(line);
    });
    next().then((first) => resolve({ child, first, next }), reject);
    child.once("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`${cmd.file} ${cmd.args.join(" ")} exited (${signal ?? code}): ${stderr}`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/**
 * A TCP echo server: prints {"port","pid"} once listening on argv[1], then {"peer"} with the remote address of
 * each connection it accepts.
 */
export const ECHO_SERVER_JS = `
const net = require("node:net");
const s = net.createServer((c) => { console.log(JSON.stringify({ peer: c.remoteAddress })); c.pipe(c); });
s.listen(0, process.argv[1], () => console.log(JSON.stringify({ port: s.address().port, pid: process.pid })));
`;

/** Connects to argv[1]:argv[2], sends "ping", prints {"echo","pid","cpus"} and exits. */
export const ECHO_CLIENT_JS = `
const net = require("node:net");
const cpus = /Cpus_allowed_list:\\s*(\\S+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))[1];
const c = net.connect(Number(process.argv[2]), process.argv[1], () => c.write("ping"));
c.setTimeout(5000, () => { console.log(JSON.stringify({ error: "timeout" })); process.exit(1); });
c.on("data", (d) => { console.log(JSON.stringify({ echo: d.toString(), pid: process.pid, cpus })); c.end(); });
c.on("error", (e) => { console.log(JSON.stringify({ error: e.message })); process.exit(1); });
`;

export function cpusAllowedList(pid: number): string {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m?.[1] ?? "";
}

/**
 * Echo through the topology: server in the server namespace bound to `serverListenAddress`, client in the client
 * namespace connecting to `serverAddress` (the two differ only for docker, where a published port is in between).
 */
export async function echoThrough(topology: Topology): Promise<{ server: Started; client: Started }> {
  const { serverAddress, serverListenAddress } = topology.info;
  const server = await startIn(topology, "server", [process.execPath, "-e", ECHO_SERVER_JS, serverListenAddress ?? serverAddress]);
  try {
    const client = await startIn(topology, "client", [
      process.execPath, "-e", ECHO_CLIENT_JS, topology.info.serverAddress, String(server.first["port"]),
    ]);
    return { server, client };
  } catch (err) {
    await stopChild(server.child);
    throw err;
  }
}
