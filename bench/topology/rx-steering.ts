/**
 * Threaded NAPI on the server eth0 (`--rx-steering threaded-napi`).
 *
 * veth takes its NAPI path only when the sending device has TSO off and the receiving one GRO on
 * (drivers/net/veth.c `veth_xmit()`: `use_napi = rq->napi && veth_skb_is_eligible_for_gro()`); GRO on is also what
 * creates the NAPI instance (`veth_set_features()` → `veth_napi_enable()`). Writing 1 to
 * `/sys/class/net/<dev>/threaded` then moves its polling into a `napi/<dev>-<napi id>` kernel thread
 * (net/core/dev.c `napi_kthread_create()`), which is unbound and so can be pinned to the server CPU.
 */
import * as fs from "node:fs";
import { run } from "./exec.ts";
import type { RunResources } from "./resources.ts";
import type { NapiThreadInfo } from "./types.ts";

interface Ctx {
  readonly resources: RunResources;
  readonly timeoutMs: number;
}

async function cmd(ctx: Ctx, file: string, args: readonly string[]): Promise<string> {
  const result = await run(file, args, ctx.timeoutMs, (child) => ctx.resources.track(child));
  ctx.resources.throwIfAborted();
  return result.stdout;
}

/** The NAPI thread names of `dev` among `(pid, comm)` pairs: `napi/eth0-8193`. Pure. */
export function napiThreadsOf(dev: string, threads: readonly { pid: number; comm: string }[]): { pid: number; name: string }[] {
  const prefix = `napi/${dev}-`;
  return threads
    .filter((t) => t.comm.startsWith(prefix) && /^\d+$/.test(t.comm.slice(prefix.length)))
    .map((t) => ({ pid: t.pid, name: t.comm }))
    .sort((a, b) => a.pid - b.pid);
}

/** Every kernel thread whose comm starts with `napi/`, from /proc/<pid>/comm. Kernel threads have no netns. */
export function listNapiThreads(procRoot = "/proc"): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const entry of fs.readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = fs.readFileSync(`${procRoot}/${entry}/comm`, "latin1").trim();
    } catch {
      continue;
    }
    if (comm.startsWith("napi/")) out.push({ pid: Number(entry), comm });
  }
  return out;
}

function cpusAllowed(pid: number): string {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (m === null) throw new Error(`/proc/${pid}/status has no Cpus_allowed_list`);
  return m[1] as string;
}

export interface ThreadedNapiPlan {
  readonly namespace: string;
  readonly dev: string;
  /** The veth peer that sends into `dev`: its TSO goes off. */
  readonly sender: { readonly namespace: string; readonly dev: string };
  readonly cpu: number;
}

export interface ThreadedNapiResult {
  readonly threaded: number;
  readonly threads: readonly NapiThreadInfo[];
  readonly tsoOffOn: string;
}

export async function steerThreadedNapi(ctx: Ctx, plan: ThreadedNapiPlan): Promise<ThreadedNapiResult> {
  if (!/^[A-Za-z0-9_.-]+$/.test(plan.dev)) throw new Error(`bad device name ${plan.dev}`);
  await cmd(ctx, "ip", ["netns", "exec", plan.sender.namespace, "ethtool", "-K", plan.sender.dev, "tso", "off"]);
  await cmd(ctx, "ip", ["netns", "exec", plan.namespace, "ethtool", "-K", plan.dev, "gro", "on"]);
  const before = new Set(napiThreadsOf(plan.dev, listNapiThreads()).map((t) => t.pid));
  // The shell text is fixed apart from the device name, checked above.
  const readBack = await cmd(ctx, "ip", [
    "netns", "exec", plan.namespace, "sh", "-c",
    `echo 1 > /sys/class/net/${plan.dev}/threaded && cat /sys/class/net/${plan.dev}/threaded`,
  ]);
  const threaded = Number(readBack.trim());
  if (threaded !== 1) throw new Error(`/sys/class/net/${plan.dev}/threaded in ${plan.namespace} reads back ${readBack.trim()}, not 1`);
  // Threads of another run's eth0 made at the same moment would show up here too; one run at a time is the rule.
  const fresh = napiThreadsOf(plan.dev, listNapiThreads()).filter((t) => !before.has(t.pid));
  if (fresh.length === 0) {
    throw new Error(`no napi/${plan.dev}-* kernel thread appeared after enabling threaded NAPI in ${plan.namespace}`);
  }
  const threads: NapiThreadInfo[] = [];
  for (const t of fresh) {
    await cmd(ctx, "taskset", ["-p", "-c", String(plan.cpu), String(t.pid)]);
    const cpus = cpusAllowed(t.pid);
    if (cpus !== String(plan.cpu)) throw new Error(`${t.name} (pid ${t.pid}) may run on CPUs ${cpus} after pinning to ${plan.cpu}`);
    threads.push({ pid: t.pid, name: t.name, cpus });
  }
  return { threaded, threads, tsoOffOn: `${plan.sender.namespace}/${plan.sender.dev}` };
}
