/**
 * Names and addresses of a run's topology, derived from its run id. Pure.
 *
 * Everything a run creates carries its run id (namespaces `wirecost-<runId>-srv|cli|br|host|cli2…cli8`) or, where the kernel's
 * 15-character interface names leave no room, a hash of it (`wc-<8 hex>-…`, only ever in the host namespace between
 * creation and the move into a run namespace), so leftovers can be traced back to their run.
 */

export const NAMESPACE_PREFIX = "wirecost-";
export const HOST_LINK_PREFIX = "wc-";
/** "host": the docker topology's stand-in for the Docker host (bridge, NAT). */
/** "cli2"…"cli8": the hosts topology's further client hosts. */
export const NAMESPACE_ROLES = ["srv", "cli", "br", "host", "cli2", "cli3", "cli4", "cli5", "cli6", "cli7", "cli8"] as const;
export type NamespaceRole = (typeof NAMESPACE_ROLES)[number];

/** 198.18.0.0/15 (RFC 2544 benchmarking range) holds 512 /24s; a run takes one. */
export const SUBNET_COUNT = 512;
export const SUBNET_PREFIX_LENGTH = 24;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/;

export function isValidRunId(runId: string): boolean {
  return RUN_ID.test(runId) && !runId.endsWith(".json");
}

export function assertValidRunId(runId: string): void {
  if (!isValidRunId(runId)) {
    throw new RangeError(`run id ${JSON.stringify(runId)} must be 1–48 characters of [A-Za-z0-9_.-], starting alphanumeric`);
  }
}

export function namespaceName(runId: string, role: NamespaceRole): string {
  return `${NAMESPACE_PREFIX}${runId}-${role}`;
}

/**
 * The run ids wirecost itself makes: `npm run bench`'s (bench/run/run.ts `makeRunId`, e.g. 20261205-111212-707e) and
 * the support check's throw-away namespace (support.ts, `probe-<pid>-<6 hex>`). A name that carries the prefix but
 * none of these is not taken for a leftover without a state file that claims it: it may be a user's own.
 */
const MADE_RUN_ID = /^(?:\d{8}-\d{6}-[0-9a-f]{4}|probe-\d+-[0-9a-f]{6})$/;
/** The names `hostLinkName` makes. */
const MADE_HOST_LINK = /^wc-[0-9a-f]{8}-[a-z0-9]{1,3}$/;

/** A namespace name wirecost makes for a run id it makes (see MADE_RUN_ID). */
export function isMadeNamespaceName(name: string): boolean {
  const parsed = parseNamespaceName(name);
  return parsed !== null && MADE_RUN_ID.test(parsed.runId);
}

/** A host link name wirecost makes (`hostLinkName`). */
export function isMadeHostLinkName(name: string): boolean {
  return MADE_HOST_LINK.test(name);
}

/** `wirecost-abc-srv` → `{ runId: "abc", role: "srv" }`; other names → null. */
export function parseNamespaceName(name: string): { runId: string; role: NamespaceRole } | null {
  const m = /^wirecost-(.+)-(srv|cli[2-8]?|br|host)$/.exec(name);
  if (m === null || !isValidRunId(m[1] as string)) return null;
  return { runId: m[1] as string, role: m[2] as NamespaceRole };
}

/** 32-bit FNV-1a, enough to spread run ids over names and subnets. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A temporary host-namespace interface name: `wc-<8 hex of the run id>-<tag>`, at most 15 characters. */
export function hostLinkName(runId: string, tag: string): string {
  if (!/^[a-z0-9]{1,3}$/.test(tag)) throw new RangeError(`link tag must be 1–3 of [a-z0-9]: ${tag}`);
  return `${HOST_LINK_PREFIX}${fnv1a32(runId).toString(16).padStart(8, "0")}-${tag}`;
}

export interface Subnet {
  readonly index: number;
  /** e.g. "198.18.7.0/24" */
  readonly cidr: string;
  readonly serverAddress: string;
  readonly clientAddress: string;
  readonly prefixLength: number;
}

export function subnetAt(index: number): Subnet {
  if (!Number.isInteger(index) || index < 0 || index >= SUBNET_COUNT) throw new RangeError(`subnet index ${index}`);
  const net = `198.${18 + (index >> 8)}.${index & 255}`;
  return {
    index,
    cidr: `${net}.0/${SUBNET_PREFIX_LENGTH}`,
    serverAddress: `${net}.1`,
    clientAddress: `${net}.2`,
    prefixLength: SUBNET_PREFIX_LENGTH,
  };
}

/**
 * The run's subnet: its run id's hash picks the first candidate, then the next free one after the subnets held by
 * other live runs. Run namespaces are not routed to each other, so a clash would not mix traffic; distinct subnets
 * keep captures and later bridged/NAT topologies unambiguous.
 */
export function pickSubnet(runId: string, taken: ReadonlySet<number>): Subnet {
  const start = fnv1a32(runId) % SUBNET_COUNT;
  for (let i = 0; i < SUBNET_COUNT; i++) {
    const index = (start + i) % SUBNET_COUNT;
    if (!taken.has(index)) return subnetAt(index);
  }
  throw new RangeError(`all ${SUBNET_COUNT} subnets of 198.18.0.0/15 are held by live runs`);
}

/**
 * The docker topology's addresses in a run's subnet: the bridge (gateway, published address) takes .1 as the
 * server does elsewhere, the client container .2, the server container .3 — so `serverAddress` is .1 in every kind.
 */
export function dockerAddresses(subnet: Subnet): { gateway: string; client: string; serverContainer: string } {
  const net = subnet.serverAddress.slice(0, subnet.serverAddress.lastIndexOf("."));
  return { gateway: subnet.serverAddress, client: subnet.clientAddress, serverContainer: `${net}.3` };
}
