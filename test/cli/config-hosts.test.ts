/** `--topology hosts` and `--client-hosts`: what runs across hosts, and one line for each thing that does not yet. */
import { describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import { DEFAULTS } from "../../bench/config/resolve.ts";
import { UsageError } from "../../bench/support/errors.ts";
import { DEFAULT_PROTOCOLS, usesTls } from "../../contract/index.ts";

const HOSTS = ["--topology", "hosts"];

describe("--topology hosts", () => {
  it("takes the cleartext arms over one client host by default, and --client-hosts up to 8", () => {
    expect(DEFAULTS.clientHosts).toBe(1);
    const config = configFromArgv([...HOSTS, "--protocols", "http1,grpc", "--client-hosts", "3"]);
    expect(config !== "help" && [config.topology, config.clientHosts, config.protocols]).toEqual(["hosts", 3, ["http1", "grpc"]]);
    expect(() => configFromArgv([...HOSTS, "--client-hosts", "9"])).toThrow(/^--client-hosts 9: /);
  });

  it.each([
    [["--protocols", "http1,h2"], "--topology hosts: TLS arms (h2) are not run across hosts yet; drop them from --protocols"],
    [["--protocols", "http1", "--driver", "h2load"], "--topology hosts: --driver h2load is not run across hosts yet; drop --driver h2load"],
    [["--protocols", "http1", "--verify"], "--topology hosts: --verify (tcpdump) is not run across hosts yet; drop --verify"],
    [["--protocols", "http1", "--pps", "4000"], "--topology hosts: a load by packets per second (--pps, --by pps) is not run across hosts yet; give --rps"],
    [["--protocols", "http1", "--kernel-time", "ebpf"], "--topology hosts: the eBPF kernel time is not run across hosts yet; use --kernel-time tick (or auto, which says so)"],
    [["--protocols", "http1", "--rate-limit", "100mbit"], "--topology hosts: --rate-limit and --netem are not run across hosts yet; drop them"],
    [["--server-command", "http1 python3 -m http.server {port} --bind {host}"], "--topology hosts: a config file's servers (and --server-command) are not run across hosts yet; measure your own server on one host"],
  ])("refuses %j in one line", (args, message) => {
    expect(() => configFromArgv([...HOSTS, ...args])).toThrow(new UsageError("WC_UNSUPPORTED", message));
  });

  it("runs the default arms without the TLS ones, which agents do not run yet; named arms stay as named", () => {
    const config = configFromArgv(HOSTS);
    expect(config !== "help" && config.protocols).toEqual(DEFAULT_PROTOCOLS.filter((p) => !usesTls(p)));
    expect(DEFAULT_PROTOCOLS).toContain("h2");
    const agents = configFromArgv(["--agents", "server=10.0.0.1:7000,client=10.0.0.2:7000", "--token-file", "t"]);
    expect(agents !== "help" && agents.protocols).toEqual(DEFAULT_PROTOCOLS.filter((p) => !usesTls(p)));
  });

  it("refuses --client-hosts without it", () => {
    expect(() => configFromArgv(["--topology", "netns", "--client-hosts", "2"])).toThrow(
      new UsageError("WC_BAD_FLAG", "--client-hosts is for --topology hosts; add --topology hosts or drop --client-hosts"),
    );
  });

  it.each([
    [["--agents", "server=10.0.0.1:7000"], "WC_BAD_VALUE", "--agents server=10.0.0.1:7000: name one server and at least one client; e.g. --agents server=10.0.0.1:7000,client=10.0.0.2:7000"],
    [["--agents", "server=agent_1:7000,client=10.0.0.2:7000"], "WC_BAD_VALUE", '--agents: "server=agent_1:7000" is not server=ADDR:PORT or client=ADDR:PORT with an IP address or a DNS name; e.g. --agents server=10.0.0.1:7000,client=10.0.0.2:7000'],
    [["--agents", "server=10.0.0.1:7000,client=10.0.0.2:7000"], "WC_BAD_FLAG", "--agents needs --token-file FILE, holding the token the agents were started with"],
    [["--agents", "server=10.0.0.1:7000,client=10.0.0.2:7000", "--token-file", "t", "--topology", "netns"], "WC_BAD_FLAG", "--agents runs on the hosts it names, not in a --topology; drop --topology netns"],
    [["--agents", "server=10.0.0.1:7000,client=10.0.0.2:7000", "--token-file", "t", "--protocols", "grpc-tls"], "WC_UNSUPPORTED", "--agents: TLS arms (grpc-tls) are not run across hosts yet; drop them from --protocols"],
    [["--token-file", "t"], "WC_BAD_FLAG", "--token-file is for --agents; add --agents or drop --token-file"],
  ])("refuses --agents %j in one line", (args, code, message) => {
    expect(() => configFromArgv(args)).toThrow(new UsageError(code as "WC_BAD_VALUE", message));
  });
});
