/**
 * A created topology: placing commands into it, its record, rate limits and removal.
 */
import type { ChildProcess } from "node:child_process";
import { run } from "./exec.ts";
import { resolveRateLimit, tbfArgs } from "./rate-limit.ts";
import type { RunResources } from "./resources.ts";
import {
  type RateLimitInfo,
  type RateLimitOptions,
  type Role,
  type SpawnCommand,
  type Topology,
  TopologyError,
  type TopologyInfo,
} from "./types.ts";

export type BaseInfo = Omit<TopologyInfo, "rateLimit">;

export class RunTopology implements Topology {
  private readonly base: BaseInfo;
  private readonly resources: RunResources;
  private readonly anchors: ReadonlyMap<Role, ChildProcess>;
  private readonly timeoutMs: number;
  private rateLimit: RateLimitInfo | null = null;

  constructor(base: BaseInfo, resources: RunResources, anchors: ReadonlyMap<Role, ChildProcess>, timeoutMs: number) {
    this.base = base;
    this.resources = resources;
    this.anchors = anchors;
    this.timeoutMs = timeoutMs;
  }

  get info(): TopologyInfo {
    return structuredClone({ ...this.base, rateLimit: this.rateLimit });
  }

  get destroyed(): boolean {
    return this.resources.aborted;
  }

  private namespaceOf(role: Role): string | null {
    return role === "server" ? this.base.namespaces.server : this.base.namespaces.client;
  }

  command(role: Role, argv: readonly string[]): SpawnCommand {
    if (argv.length === 0 || argv[0] === "") throw new TypeError("topology.command needs a program to run");
    if (this.destroyed) throw new TopologyError("TOPOLOGY_ABORTED", `topology ${this.base.runId} is destroyed`);
    const cpu = String(role === "server" ? this.base.serverCpu : this.base.clientCpu);
    const ns = this.namespaceOf(role);
    const pinned = ["taskset", "-c", cpu, ...argv];
    if (ns === null) return { file: "taskset", args: pinned.slice(1) };
    return { file: "ip", args: ["netns", "exec", ns, ...pinned] };
  }

  anchorPid(role: Role): number {
    if (this.base.kind === "loopback") return process.pid;
    const pid = this.anchors.get(role)?.pid;
    if (pid === undefined || this.destroyed) {
      throw new TopologyError("TOPOLOGY_ABORTED", `topology ${this.base.runId} has no ${role} anchor (destroyed?)`);
    }
    return pid;
  }

  async applyRateLimit(limit: RateLimitOptions): Promise<RateLimitInfo> {
    if (this.base.kind === "loopback") {
      throw new TopologyError("TOPOLOGY_INVALID_OPTION", "a rate limit needs --topology netns or bridge (loopback would shape the host's lo)");
    }
    let resolved;
    try {
      resolved = resolveRateLimit(limit, this.base.mtu);
    } catch (err) {
      throw new TopologyError("TOPOLOGY_INVALID_OPTION", (err as Error).message);
    }
    const targets = this.base.interfaces
      .filter((i) => (i.role === "server" || i.role === "client") && i.namespace !== null)
      .map((i) => ({ namespace: i.namespace as string, name: i.name }));
    for (const t of targets) {
      await run("tc", tbfArgs(t.namespace, t.name, resolved), this.timeoutMs);
      if (this.rateLimit === null) this.resources.add({ kind: "qdisc", namespace: t.namespace, device: t.name });
    }
    this.rateLimit = { qdisc: "tbf", ...resolved, interfaces: targets };
    return structuredClone(this.rateLimit);
  }

  async removeRateLimit(): Promise<void> {
    await this.resources.undoMatching((step) => step.kind === "qdisc");
    this.rateLimit = null;
  }

  destroy(): Promise<void> {
    return this.resources.destroy();
  }

  destroySync(): void {
    this.resources.destroySync();
  }
}
