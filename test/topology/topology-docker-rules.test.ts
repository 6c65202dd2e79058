import { describe, expect, it } from "vitest";
import {
  defaultPublishedPorts,
  formatPublishedPort,
  iptablesFlavour,
  iptablesRules,
  nftRules,
  validatePublishedPorts,
} from "../../bench/topology/docker-nat.ts";
import { dockerAddresses, parseNamespaceName, subnetAt } from "../../bench/topology/naming.ts";

const plan = {
  bridge: "docker0",
  subnet: "198.18.7.0/24",
  serverContainer: "198.18.7.3",
  published: [
    { protocol: "tcp", hostPorts: [8080, 8080], containerPort: 80 },
    { protocol: "udp", hostPorts: [5000, 5100], containerPort: null },
  ],
} as const;

describe("the docker topology's NAT rules", () => {
  it("builds Docker's nftables ruleset: local-destination DNAT per published port, masquerade out, forward policy drop", () => {
    const t = "ip wirecost_docker";
    const nft = nftRules(plan);
    expect(nft.rules).toEqual([
      `add table ${t}`,
      `add chain ${t} published`,
      `add rule ${t} published meta l4proto tcp th dport 8080 counter dnat to 198.18.7.3:80`,
      `add rule ${t} published meta l4proto udp th dport 5000-5100 counter dnat to 198.18.7.3`,
      `add chain ${t} prerouting { type nat hook prerouting priority -100; policy accept; }`,
      `add rule ${t} prerouting fib daddr type local counter jump published`,
      `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
      `add rule ${t} output ip daddr != 127.0.0.0/8 fib daddr type local counter jump published`,
      `add chain ${t} postrouting { type nat hook postrouting priority 100; policy accept; }`,
      `add rule ${t} postrouting ip saddr 198.18.7.0/24 oifname != "docker0" counter masquerade`,
      `add chain ${t} forward { type filter hook forward priority 0; policy drop; }`,
      `add rule ${t} forward oifname "docker0" ct state established,related counter accept`,
      `add rule ${t} forward iifname != "docker0" oifname "docker0" ip daddr 198.18.7.3 meta l4proto tcp th dport 80 counter accept`,
      `add rule ${t} forward iifname != "docker0" oifname "docker0" ip daddr 198.18.7.3 meta l4proto udp th dport 5000-5100 counter accept`,
      `add rule ${t} forward iifname "docker0" counter accept`,
    ]);
    expect(nft.script).toBe(`${nft.rules.join("\n")}\n`);
    expect(nft.undo).toEqual([["nft", "delete", "table", "ip", "wirecost_docker"]]);
  });

  it("builds the same rules for iptables, and undo commands that delete them last-first", () => {
    const ipt = iptablesRules(plan, "iptables");
    expect(ipt.rules).toEqual([
      "iptables -t nat -N WIRECOST-DOCKER",
      "iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j WIRECOST-DOCKER",
      "iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j WIRECOST-DOCKER",
      "iptables -t nat -A POSTROUTING -s 198.18.7.0/24 ! -o docker0 -j MASQUERADE",
      "iptables -t nat -A WIRECOST-DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.18.7.3:80",
      "iptables -t nat -A WIRECOST-DOCKER -p udp -m udp --dport 5000:5100 -j DNAT --to-destination 198.18.7.3",
      "iptables -t filter -P FORWARD DROP",
      "iptables -t filter -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
      "iptables -t filter -A FORWARD -d 198.18.7.3 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT",
      "iptables -t filter -A FORWARD -d 198.18.7.3 ! -i docker0 -o docker0 -p udp -m udp --dport 5000:5100 -j ACCEPT",
      "iptables -t filter -A FORWARD -i docker0 -j ACCEPT",
    ]);
    expect(ipt.undo.map((argv) => argv.join(" "))).toEqual([
      "iptables -t filter -D FORWARD -i docker0 -j ACCEPT",
      "iptables -t filter -D FORWARD -d 198.18.7.3 ! -i docker0 -o docker0 -p udp -m udp --dport 5000:5100 -j ACCEPT",
      "iptables -t filter -D FORWARD -d 198.18.7.3 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT",
      "iptables -t filter -D FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
      "iptables -t filter -P FORWARD ACCEPT",
      "iptables -t nat -D WIRECOST-DOCKER -p udp -m udp --dport 5000:5100 -j DNAT --to-destination 198.18.7.3",
      "iptables -t nat -D WIRECOST-DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.18.7.3:80",
      "iptables -t nat -D POSTROUTING -s 198.18.7.0/24 ! -o docker0 -j MASQUERADE",
      "iptables -t nat -D OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j WIRECOST-DOCKER",
      "iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j WIRECOST-DOCKER",
      "iptables -t nat -X WIRECOST-DOCKER",
    ]);
  });

  it("publishes every TCP and UDP port by default, each kept, and writes mappings in Docker's -p notation", () => {
    expect(defaultPublishedPorts().map(formatPublishedPort)).toEqual(["-p 1-65535:1-65535/tcp", "-p 1-65535:1-65535/udp"]);
    expect(formatPublishedPort(plan.published[0])).toBe("-p 8080:80/tcp");
  });

  it("refuses mappings Docker would refuse", () => {
    expect(() => validatePublishedPorts([])).toThrow(/at least one port/);
    expect(() => validatePublishedPorts([{ protocol: "tcp", hostPorts: [0, 10], containerPort: null }])).toThrow(/1–65535/);
    expect(() => validatePublishedPorts([{ protocol: "tcp", hostPorts: [20, 10], containerPort: null }])).toThrow(/first ≤ last/);
    expect(() => validatePublishedPorts([{ protocol: "tcp", hostPorts: [10, 20], containerPort: 80 }])).toThrow(/single host port/);
    expect(() => validatePublishedPorts([{ protocol: "sctp" as "tcp", hostPorts: [1, 1], containerPort: null }])).toThrow(/tcp or udp/);
    expect(() => validatePublishedPorts(plan.published)).not.toThrow();
  });

  it("tells the iptables flavour from its version line", () => {
    expect(iptablesFlavour("iptables v1.8.9 (nf_tables)")).toBe("iptables-nft");
    expect(iptablesFlavour("iptables v1.8.9 (legacy)")).toBe("iptables-legacy");
    expect(iptablesFlavour("iptables v1.6.1")).toBe("iptables-legacy");
    expect(iptablesFlavour("something else")).toBeNull();
  });

  it("places gateway, client and server container at .1, .2 and .3 of the run's subnet, in a -host namespace", () => {
    expect(dockerAddresses(subnetAt(263))).toEqual({ gateway: "198.19.7.1", client: "198.19.7.2", serverContainer: "198.19.7.3" });
    expect(parseNamespaceName("wirecost-run1-host")).toEqual({ runId: "run1", role: "host" });
  });
});
