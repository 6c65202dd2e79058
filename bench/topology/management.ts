/**
 * The hosts topology's management links: one veth pair per simulated host, `mgmt0` in its namespace and
 * `wc-<hash>-m<i>` left in the host namespace, where the driver (the harness) talks to the host's agent. The
 * benchmark traffic has eth0 to itself: no control call — schedule, snapshot, lease renewal — adds a packet to the
 * interface whose packets are counted per request, as on real hosts with a separate management network.
 *
 * Addresses come from the run's own /24, above the wire's: host i's link is the /30 at .64 + 4i (the driver's end
 * .65 + 4i, the host's .66 + 4i). The /30 is more specific than eth0's /24, so the host routes the driver's address
 * through mgmt0; no other run uses the /24, so the host namespace's routes to these /30s clash with nothing. Pure
 * except `addManagementLink`.
 */
import { hostLinkName } from "./naming.ts";
import type { Subnet } from "./naming.ts";
import { addAddressAndUp, type SetupContext } from "./setup.ts";
import { run } from "./exec.ts";

export const MANAGEMENT_DEV = "mgmt0";
const FIRST_OCTET = 64;

export interface ManagementLink {
  /** The link's end in the host namespace. */
  readonly driverLink: string;
  readonly driverAddress: string;
  /** The simulated host's end (mgmt0). */
  readonly address: string;
}

/** Host `index`'s management link in `subnet` (index 0 the server, then the clients). Pure. */
export function managementLink(runId: string, subnet: Subnet, index: number): ManagementLink {
  if (!Number.isInteger(index) || index < 0 || FIRST_OCTET + 4 * index + 3 > 255) throw new RangeError(`management link index ${index}`);
  const net = subnet.serverAddress.slice(0, subnet.serverAddress.lastIndexOf("."));
  const base = FIRST_OCTET + 4 * index;
  return { driverLink: hostLinkName(runId, `m${index}`), driverAddress: `${net}.${base + 1}`, address: `${net}.${base + 2}` };
}

/**
 * Creates the pair with its far end already in `namespace` (one `ip link add … netns`), so no end is ever left
 * loose in the host namespace; deleting the namespace deletes the pair.
 */
export async function addManagementLink(ctx: SetupContext, namespace: string, link: ManagementLink): Promise<void> {
  const ip = async (args: readonly string[]): Promise<void> => {
    await run("ip", args, ctx.timeoutMs, (child) => ctx.resources.track(child));
    ctx.resources.throwIfAborted();
  };
  await ip(["link", "add", link.driverLink, "type", "veth", "peer", "name", MANAGEMENT_DEV, "netns", namespace]);
  ctx.resources.add({ kind: "host-link", name: link.driverLink });
  await ip(["addr", "add", `${link.driverAddress}/30`, "dev", link.driverLink]);
  await ip(["link", "set", "dev", link.driverLink, "up"]);
  await addAddressAndUp(ctx, namespace, MANAGEMENT_DEV, `${link.address}/30`);
}
