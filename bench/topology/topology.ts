/**
 * A created topology: placing commands into it, its record, rate limits and removal.
 */
import type { ChildProcess } from "node:child_process";
import { run } from "./exec.ts";
import { isNetemUnknown, NETEM_UNSUPPORTED, parseNetemSpec } from "./netem.ts";
import { resolveRateLimit, shapingRefusal, tbfArgs } from "./rate-limit.ts";
import type { RunResources } from "./resources.ts";
import {
  type NetemInfo,
  type RateLimitInfo,
  type RateLimitOptions,
  type Role,
  type SpawnCommand,
  type Topology,
  TopologyError,
  type TopologyInfo,
} from "./types.ts";

export type BaseInfo = Omit<TopologyInfo, "rateLimit" | "netem">;

export class RunTopology implements Topology {
  private readonly base: BaseInfo;
  private readonly resources: RunResources;
  private readonly anchors: ReadonlyMap<Role, ChildProcess>;
  private readonly timeoutMs: number;
  private readonly hostAnchor: ChildProcess | null;
  private rateLimit: RateLimitInfo | null = null;
  private netem: NetemInfo | null = null;

  constructor(
    base: BaseInfo,
    resources: RunResources,
    anchors: ReadonlyMap<Role, ChildProcess>,
    timeoutMs: number,
    hostAnchor: ChildProcess | null = null,
  ) {
    this.base = base;
    this.resources = resources;
    this.anchors = anchors;
    this.timeoutMs = timeoutMs;
    this.hostAnchor = hostAnchor;
  }

  get info(): TopologyInfo {
    return structuredClone({ ...this.base, rateLimit: this.rateLimit, netem: this.netem });
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

  bridgeAnchorPid(): number | null {
    if (this.hostAnchor === null) return null;
    if (this.destroyed || this.hostAnchor.pid === undefined) {
      throw new TopologyError("TOPOLOGY_ABORTED", `topology ${this.base.runId} has no bridge anchor (destroyed?)`);
    }
    return this.hostAnchor.pid;
  }

  /** The server and client eth0, whose egress a qdisc shapes. */
  private shapedInterfaces(): { namespace: string; name: string }[] {
    return this.base.interfaces
      .filter((i) => (i.role === "server" || i.role === "client") && i.namespace !== null)
      .map((i) => ({ namespace: i.namespace as string, name: i.name }));
  }

  async applyRateLimit(limit: RateLimitOptions): Promise<RateLimitInfo> {
    const refusal = shapingRefusal(this.base.kind, true, this.netem !== null);
    if (refusal !== null) throw new TopologyError("TOPOLOGY_INVALID_OPTION", refusal);
    let resolved;
    try {
      resolved = resolveRateLimit(limit, this.base.mtu);
    } catch (err) {
      throw new TopologyError("TOPOLOGY_INVALID_OPTION", (err as Error).message);
    }
    const targets = this.shapedInterfaces();
    for (const t of targets) {
      await run("tc", tbfArgs(t.namespace, t.name, resolved), this.timeoutMs);
      if (this.rateLimit === null) this.resources.add({ kind: "qdisc", namespace: t.namespace, device: t.name });
    }
    this.rateLimit = { qdisc: "tbf", ...resolved, interfaces: targets };
    return structuredClone(this.rateLimit);
  }

  async removeRateLimit(): Promise<void> {
    await this.resources.undoMatching((step) => step.kind === "qdisc" && step.purpose !== "netem");
    this.rateLimit = null;
  }

  async applyNetem(spec: string | readonly string[]): Promise<NetemInfo> {
    const refusal = shapingRefusal(this.base.kind, this.rateLimit !== null, true);
    if (refusal !== null) throw new TopologyError("TOPOLOGY_INVALID_OPTION", refusal);
    const parsed = parseNetemSpec(spec);
    if (!parsed.ok) throw new TopologyError("TOPOLOGY_INVALID_OPTION", parsed.reason);
    const targets = this.shapedInterfaces();
    const applied = new Set(this.netem?.interfaces.map((t) => `${t.namespace}/${t.name}`) ?? []);
    for (const t of targets) {
      try {
        await run("tc", ["-n", t.namespace, "qdisc", "replace", "dev", t.name, "root", "netem", ...parsed.args], this.timeoutMs);
      } catch (err) {
        if (isNetemUnknown(err)) throw new TopologyError("TOPOLOGY_UNSUPPORTED", NETEM_UNSUPPORTED, { cause: err });
        throw err;
      }
      if (!applied.has(`${t.namespace}/${t.name}`)) {
        this.resources.add({ kind: "qdisc", namespace: t.namespace, device: t.name, purpose: "netem" });
      }
    }
    this.netem = { qdisc: "netem", args: parsed.args, interfaces: targets };
    return structuredClone(this.netem);
  }

  async removeNetem(): Promise<void> {
    await this.resources.undoMatching((step) => step.kind === "qdisc" && step.purpose === "netem");
    this.netem = null;
  }

  destroy(): Promise<void> {
    return this.resources.destroy();
  }

  destroySync(): void {
    this.resources.destroySync();
  }
}
