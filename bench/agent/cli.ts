/**
 * `npm run agent -- --listen ADDR:PORT --token-file FILE`: the agent of one host (bench/agent/service.ts), until
 * Ctrl-C. Its inputs are checked before it binds anything: an IP literal to listen on (it binds only there), and a
 * token file only its owner can read, as ssh asks of a private key — the token is all that stands between the
 * network and a process that starts servers as root.
 */
import { isIP } from "node:net";
import { UsageError } from "../support/errors.ts";
import { parseToolArgs, runTool } from "../support/tool-cli.ts";
import type { ToolIo } from "../support/tool-cli.ts";
import { interfaceOf, startAgent } from "./service.ts";
import { parseCpuList } from "../topology/index.ts";
import { readTokenFile } from "./token.ts";

export const AGENT_HELP = `wirecost agent — runs the arms' servers on this host for a driver on another

usage: sudo npm run agent -- --listen ADDR:PORT --bench-address IP --token-file FILE

Starts only the servers of wirecost's arms, pinned where the driver asks, and reads this host's kernel counters
for it. Every call must carry the run's token; each server lives on a lease the driver renews, so a lost driver
leaves nothing running. Stop it with Ctrl-C: it stops what it runs first.

  --listen ADDR:PORT   the address of this host's control link to listen on (an IP literal, [v6]:port for IPv6;
                       port 0 picks a free one and prints it). Keep it off the interface the benchmark measures.
  --bench-address IP   the address the benchmark reaches this host on: servers listen there, and its interface is
                       the one whose counters are read (a generator's traffic leaves by the host's routes to the server)
  --token-file FILE    the run's shared token (16 characters or more), readable by its owner only (chmod 600)
  --cpus LIST          the CPUs it may pin a server or a generator to, e.g. 2-3 (default: its own affinity, which
                       in a Kubernetes pod under the static CPU manager is the pod's CPUs)
`;

/** `ADDR:PORT` into its parts, or a UsageError naming --listen. Pure. */
export function parseListen(text: string): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2] ?? "";
  const port = Number(match?.[3]);
  if (match === null || isIP(host) === 0 || (match[1] !== undefined && isIP(host) !== 6) || port > 65_535) {
    throw new UsageError("WC_BAD_VALUE", `--listen ${text}: not ADDR:PORT with an IP address; e.g. --listen 198.18.0.1:7000 or --listen [fd00::1]:7000`);
  }
  return { host, port };
}

/** Runs the agent until `stop` resolves (a signal's name): 0 after a clean stop. */
export function main(argv: readonly string[], io: Pick<ToolIo, "stdout" | "stderr">, stop: Promise<string>): Promise<number> {
  return runTool(io, "agent", async () => {
    const args = parseToolArgs(argv, { tool: "agent", strings: ["listen", "bench-address", "token-file", "cpus"], booleans: ["exit-with-stdin"], positionals: [], usage: "--listen ADDR:PORT --bench-address IP --token-file FILE" });
    if (args.help) {
      io.stdout.write(AGENT_HELP);
      return 0;
    }
    const listenText = args.values.listen;
    const tokenPath = args.values["token-file"];
    if (typeof listenText !== "string") throw new UsageError("WC_BAD_FLAG", "--listen ADDR:PORT is required; e.g. --listen 198.18.0.1:7000");
    if (typeof tokenPath !== "string") throw new UsageError("WC_BAD_FLAG", "--token-file FILE is required; e.g. openssl rand -hex 16 > token && chmod 600 token");
    const benchAddress = args.values["bench-address"];
    if (typeof benchAddress !== "string") throw new UsageError("WC_BAD_FLAG", "--bench-address IP is required: the address the benchmark reaches this host on, e.g. --bench-address 192.168.1.5");
    const listen = parseListen(listenText);
    if (interfaceOf(benchAddress) === null) throw new UsageError("WC_BAD_VALUE", `--bench-address ${benchAddress}: no interface of this host has that address; give one ip -br addr lists`);
    const token = readTokenFile(tokenPath);
    const cpusText = args.values.cpus;
    let cpus: number[] | undefined;
    if (typeof cpusText === "string") {
      try {
        cpus = parseCpuList(cpusText);
      } catch {
        throw new UsageError("WC_BAD_VALUE", `--cpus ${cpusText}: a CPU list such as 0-3,6`);
      }
    }
    const agent = await startAgent({ ...listen, benchAddress, token, ...(cpus === undefined ? {} : { cpus }), log: (line) => io.stdout.write(`${line}\n`) });
    const shown = isIP(listen.host) === 6 ? `[${listen.host}]` : listen.host;
    io.stdout.write(`wirecost agent listening on ${shown}:${agent.port}; stop with Ctrl-C\n`);
    if (interfaceOf(listen.host) === interfaceOf(benchAddress)) {
      io.stdout.write(`warning: --listen and --bench-address share ${interfaceOf(benchAddress)}: the driver's calls add packets to the counted interface; give the agent a management address\n`);
    }
    const signal = await stop;
    io.stdout.write(`${signal}: stopping ${agent.running().length} server(s) and generator(s)\n`);
    await agent.close();
    return 0;
  });
}
