/**
 * Every option of `npm run bench`, once: its flag, its config-file key, how its value is read and checked, its
 * default, the fix its errors name, its --help lines and the BenchConfig field it fills. The flags parseArgs
 * knows, the --help text (bench/cli/help.ts), the config file's schema (config-file.ts) and the resolution
 * (resolve.ts) are all read from this table; the rows are in --help order.
 */
import { CLIENT_CHOICES, GRPC_CLIENTS } from "../../clients/index.ts";
import type { ClientChoice } from "../../clients/index.ts";
import { DEFAULT_PROTOCOLS, DEFAULT_SERVER_SETTINGS, DEFAULT_TLS_PARAMETERS, PROTOCOLS, TLS_VERSIONS } from "../../contract/index.ts";
import { MAX_BODY_BYTES } from "../../proto/codec.ts";
import { DEFAULT_PACING, PACING_STRATEGIES } from "../load/pacer.ts";
import { DEFAULT_PRIME_REQUESTS, PRIME_MAX_MS } from "../load/prime.ts";
import { MAX_RPS } from "../load/schedule.ts";
import { SWEEP_UNITS } from "../sweep/plan.ts";
import type { StepSpacing } from "../sweep/plan.ts";
import { DRIVERS, KERNEL_TIME_CHOICES, OFFLOAD_MODES, RX_STEERING, TOPOLOGY_KINDS } from "./config.ts";
import type { HelpGroup, Option } from "./option-types.ts";

/**
 * The client that drives the arms when `--client` is not given. A run should measure servers, not its generator:
 * the wire-level clients cost the generator several times less CPU per request than node:http2 and grpc-js
 * (measured for issue 10: h2c ~10–15 µs against node:http2's 49–74 µs at 20k req/s), so the library clients would
 * set the knee of h2c and unary gRPC. One constant, so the choice is made in one place.
 */
export const DEFAULT_CLIENT: ClientChoice = "wire";

/** The highest packet rate --pps and a sweep by pps accept. */
export const MAX_PPS = 10_000_000;

const STEP_SPACINGS: readonly StepSpacing[] = ["geometric", "linear"];

const SWEEP: HelpGroup = {
  name: "sweep",
  join: " ",
  text: [
    "step the offered rate, every protocol per step, and find each one's knee;",
    "--by pps steps packets/s, each step's request rate calibrated as for --pps; --past-saturation keeps",
    "stepping a protocol after it saturated, to see whether its throughput then falls (receive livelock)",
  ],
};

const SERVER: HelpGroup = { name: "server", join: ", ", text: ["server settings (recorded in the result)"] };

export const OPTIONS = [
  {
    flag: "protocols", key: "protocols", field: "protocols", kind: "list", item: "protocol", choices: PROTOCOLS, default: DEFAULT_PROTOCOLS,
    usage: "--protocols LIST", help: [`comma list of ${PROTOCOLS.join(",")}`, `(default ${DEFAULT_PROTOCOLS.join(",")}; the other TLS arms by name)`],
  },
  {
    flag: "rps", key: "rps", field: "rps", kind: "number", min: 1, max: MAX_RPS, default: 1000,
    fix: "give the offered request rate, e.g. --rps 1000",
    usage: "--rps N", help: ["offered requests per second, open loop (default {default})"],
  },
  {
    flag: "pps", key: "pps", field: "pps", kind: "number", min: 1, max: MAX_PPS, default: null,
    fix: "give the offered packets per second, e.g. --pps 20000",
    usage: "--pps N", help: ["offer load by packets per second instead: the request rate is calibrated per scenario"],
  },
  {
    flag: "duration", key: "duration", field: "durationMs", kind: "duration", minMs: 100, maxMs: 3_600_000, unit: "ms", default: 8000,
    fix: "give a window from 100ms to 1h, e.g. --duration 5s or 500ms",
    usage: "--duration D", help: ["measured window, e.g. 5s or 500ms (default {default})"],
  },
  {
    flag: "warmup", key: "warmup", field: "warmupMs", kind: "duration", minMs: 0, maxMs: 600_000, unit: "ms", default: 2000,
    fix: "give a warm-up from 0s to 10m, e.g. --warmup 1s",
    usage: "--warmup D", help: ["load before the window, not counted (default {default})"],
  },
  {
    flag: "request-bytes", key: "requestBytes", field: "requestBytes", kind: "integer", min: 0, max: MAX_BODY_BYTES, default: 128,
    fix: "sizes are in bytes, up to 16 MiB",
    usage: "--request-bytes N", help: ["request body size (default {default})"],
  },
  {
    flag: "response-bytes", key: "responseBytes", field: "responseBytes", kind: "integer", min: 0, max: MAX_BODY_BYTES, default: 1024,
    fix: "sizes are in bytes, up to 16 MiB",
    usage: "--response-bytes N", help: ["response body size (default {default})"],
  },
  {
    flag: "connections", key: "connections", field: "connections", kind: "integer", min: 1, max: 1024, default: 4,
    fix: "give the number of TCP connections",
    usage: "--connections N", help: ["TCP connections for every protocol (default {default})"],
  },
  {
    flag: "streams", key: "streams", field: "streams", kind: "integer", min: 1, max: 100_000, default: 100,
    fix: "give the in-flight requests per connection",
    usage: "--streams N", help: ["in-flight requests per connection for h2/gRPC (default {default})"],
  },
  {
    flag: "client", key: "client", field: "client", kind: "list", item: "client", choices: CLIENT_CHOICES, default: [DEFAULT_CLIENT],
    usage: "--client LIST",
    help: [
      `${CLIENT_CHOICES.join(" | ")}: the arms' clients, raw sockets or undici/node:http2/grpc-js;`,
      "a list runs every arm with each, the later ones named arm~client (default {default})",
    ],
  },
  {
    flag: "grpc-client", key: "grpcClient", field: "grpcClient", kind: "choice", choices: GRPC_CLIENTS, default: "grpc-js",
    usage: "--grpc-client NAME",
    help: [
      `${GRPC_CLIENTS.join(" | ")}: the gRPC arms' client; lean is node:http2 speaking gRPC, for load`,
      "past grpc-js's few thousand req/s per generator core (default {default})",
    ],
  },
  {
    flag: "tls-version", key: "tlsVersion", field: "tlsVersion", kind: "choice", choices: TLS_VERSIONS, default: DEFAULT_TLS_PARAMETERS.version,
    usage: "--tls-version V",
    help: [
      `${TLS_VERSIONS.join(" | ")}: the TLS arms' version, on server and client alike; auto leaves`,
      "Node's 1.2–1.3 range, which negotiates 1.3; each scenario records what it got (default {default})",
    ],
  },
  {
    flag: "tls-ciphers", key: "tlsCiphers", field: "tlsCiphers", kind: "text", default: DEFAULT_TLS_PARAMETERS.ciphers,
    usage: "--tls-ciphers LIST",
    help: [
      "OpenSSL cipher string for both ends of the TLS arms (default: Node's list), TLS 1.3 suites",
      "by their TLS_ names, e.g. TLS_AES_128_GCM_SHA256 or, the certificate being ECDSA, ECDHE-ECDSA-AES128-GCM-SHA256",
    ],
  },
  {
    flag: "tls-groups", key: "tlsGroups", field: "tlsGroups", kind: "text", default: DEFAULT_TLS_PARAMETERS.groups ?? null,
    usage: "--tls-groups LIST",
    help: [
      "OpenSSL key exchange groups for both ends of the TLS arms (default: Node's, X25519MLKEM768 first),",
      "e.g. X25519 for the classic handshake without the post-quantum hybrid's 2.3 KB of key shares",
    ],
  },
  {
    flag: "prime", key: "prime", field: "primeRequests", kind: "integer", min: 0, max: 1_000_000, default: DEFAULT_PRIME_REQUESTS,
    fix: "give the requests to prime with before each scenario, e.g. --prime 20000, or 0 for none",
    usage: "--prime N",
    help: [
      "closed-loop requests before each scenario's baseline, so V8 has compiled both",
      `sides' hot paths before anything is measured; 0 for none (default {default}, ≤ ${PRIME_MAX_MS / 1000} s)`,
    ],
  },
  {
    flag: "driver", key: "driver", field: "driver", kind: "choice", choices: DRIVERS, default: "node",
    usage: "--driver NAME",
    help: [
      `${DRIVERS.join(" | ")}: our generator, or nghttp2's h2load (Debian nghttp2-client) for http1, h2c, grpc`,
      "and their TLS twins, as a native reference; its latency is service time only (default {default})",
    ],
  },
  {
    flag: "repeat", key: "repeat", field: "repeat", kind: "integer", min: 1, max: 100, default: 1,
    fix: "give how many times to run the protocol list",
    usage: "--repeat N", help: ["run the protocol list N times, interleaved (default {default})"],
  },
  {
    flag: "out", key: "out", field: "outDir", kind: "text", default: "results",
    usage: "--out DIR", help: ["results directory (default {default}/)"],
  },
  {
    flag: "json", key: null, field: "json", kind: "boolean", default: false,
    usage: "--json", help: ["print the result JSON on stdout instead of the table"],
  },
  {
    flag: "config", key: null, field: "configFile", kind: "file", default: null,
    usage: "--config FILE", help: ["JSON config file (flags override it); its \"servers\" are your own servers,", "named in --protocols like the arms (README, \"Your own server\")"],
  },
  {
    flag: "server-command", key: "serverCommand", field: "serverCommand", kind: "text", default: null,
    usage: "--server-command TEXT",
    help: ["your own server in one flag: its protocol, then its command split at spaces, e.g.", "'http1 python3 -m http.server {port} --bind {host}'; it runs as \"server\" (README)"],
  },
  { flag: "sweep", key: "sweep", field: "sweep", kind: "boolean", default: false, usage: "--sweep", group: SWEEP },
  {
    flag: "from", key: "from", field: "sweep.from", kind: "sweep-rate", default: null,
    fix: "give the first step's {unit}",
    usage: "--from N", group: SWEEP,
  },
  {
    flag: "to", key: "to", field: "sweep.to", kind: "sweep-rate", default: null,
    fix: "give the last step's {unit}",
    usage: "--to N", group: SWEEP,
  },
  {
    flag: "steps", key: "steps", field: "sweep.steps", kind: "integer", min: 2, max: 50, default: 5,
    fix: "give the number of steps",
    usage: "[--steps {default}]", group: SWEEP,
  },
  {
    flag: "spacing", key: "spacing", field: "sweep.spacing", kind: "choice", choices: STEP_SPACINGS, default: "geometric",
    fix: "choose linear or geometric",
    usage: `[--spacing ${STEP_SPACINGS.join("|")}]`, group: SWEEP,
  },
  {
    flag: "by", key: "by", field: "sweep.by", kind: "choice", choices: SWEEP_UNITS, default: "rps",
    usage: `[--by ${SWEEP_UNITS.join("|")}]`, group: SWEEP,
  },
  {
    flag: "past-saturation", key: "pastSaturation", field: "sweep.pastSaturation", kind: "boolean", default: false,
    usage: "[--past-saturation]", group: SWEEP,
  },
  {
    flag: "slo-p99", key: "sloP99", field: "sloP99Us", kind: "duration", minMs: 0.01, maxMs: 600_000, unit: "us", default: 10_000,
    fix: "give a p99 latency target, e.g. --slo-p99 10ms",
    usage: "--slo-p99 D", help: ["latency SLO for the knee and the planner (default {default})"],
  },
  {
    flag: "max-time", key: "maxTime", field: "maxTotalMs", kind: "duration", minMs: 1000, maxMs: 24 * 3_600_000, unit: "ms", default: 30 * 60_000,
    fix: "give a bound on the whole run, e.g. --max-time 20m",
    usage: "--max-time D", help: ["bound on the whole run: no scenario starts that could end past it (default {default})"],
  },
  {
    flag: "max-in-flight", key: "maxInFlight", field: "maxInFlight", kind: "integer", min: 1, max: 1_000_000, default: 10_000,
    fix: "give the generator's in-flight cap",
    usage: "--max-in-flight N", help: ["generator in-flight cap; beyond it requests are refused (default {default})"],
  },
  {
    flag: "pacing", key: "pacing", field: "pacing", kind: "choice", choices: PACING_STRATEGIES, default: DEFAULT_PACING,
    usage: "--pacing NAME",
    help: [
      `${PACING_STRATEGIES.join(" | ")}: what wakes the generator at each send time: a thread that`,
      "sleeps to ~0.1 ms, Node's 1 ms timers, polling on a whole core, or the thread every 10 ms",
      "sending what is due together, as h2load does: cheapest, up to 10 ms late (default {default})",
    ],
  },
  {
    flag: "timeout", key: "timeout", field: "requestTimeoutMs", kind: "duration", minMs: 10, maxMs: 600_000, unit: "ms", default: 5000,
    fix: "give a per-request timeout from 10ms to 10m, e.g. --timeout 5s",
    usage: "--timeout D", help: ["per-request timeout (default {default})"],
  },
  {
    flag: "port", key: "port", field: "port", kind: "integer", min: 0, max: 65_535, default: 0,
    fix: "give a TCP port, or 0 for any free one",
    usage: "--port N", help: ["server port (default {default}: any free port)"],
  },
  {
    // docker is accepted but not listed.
    flag: "topology", key: "topology", field: "topology", kind: "choice", choices: TOPOLOGY_KINDS, default: "auto",
    usage: "--topology KIND", help: ["auto | netns | bridge | hosts | loopback (default {default})"],
  },
  {
    flag: "client-hosts", key: "clientHosts", field: "clientHosts", kind: "integer", min: 1, max: 8, default: 1,
    fix: "give how many client hosts split the rate, e.g. --client-hosts 2",
    usage: "--client-hosts N", help: ["--topology hosts (namespaces as hosts, an agent in each): client hosts sharing the rate (default {default})"],
  },
  {
    flag: "agents", key: "agents", field: "agents", kind: "text", default: null,
    usage: "--agents LIST", help: ["run on other hosts through their agents: server=ADDR:PORT,client=ADDR:PORT[,client=…] (README)"],
  },
  {
    flag: "token-file", key: "tokenFile", field: "tokenFile", kind: "text", default: null,
    usage: "--token-file FILE", help: ["with --agents: the run's shared token, as the agents were given it"],
  },
  {
    flag: "rx-steering", key: "rxSteering", field: "rxSteering", kind: "choice", choices: RX_STEERING, default: "rps",
    usage: "--rx-steering MODE", help: [`${RX_STEERING.join(" | ")}: where the server's receive work runs (default {default})`],
  },
  {
    flag: "offloads", key: "offloads", field: "offloads", kind: "choice", choices: OFFLOAD_MODES, default: "default",
    usage: "--offloads MODE", help: [`${OFFLOAD_MODES.join(" | ")} (TSO/GSO/GRO off on every veth end, for wire-like packet counts)`],
  },
  {
    // Null keeps the veth's own 1500.
    flag: "mtu", key: "mtu", field: "mtu", kind: "integer", min: 576, max: 65_535, default: null,
    fix: "give an MTU in bytes, e.g. --mtu 9000",
    usage: "--mtu N", help: ["MTU of the veth ends (default 1500)"],
  },
  {
    flag: "rate-limit", key: "rateLimit", field: "rateLimitBitsPerSecond", kind: "rate", default: null,
    fix: "give a rate as tc writes it, e.g. 100mbit, 1gbit or 500kbit",
    usage: "--rate-limit RATE", help: ["tc tbf on both eth0s, e.g. 100mbit"],
  },
  {
    flag: "netem", key: "netem", field: "netem", kind: "netem", default: null,
    usage: '--netem "ARGS"', help: ['tc netem on both eth0s, e.g. "delay 1ms loss 0.1%" (needs a kernel with sch_netem)'],
  },
  {
    flag: "server-cpu", key: "serverCpu", field: "serverCpu", kind: "cpu", default: null,
    usage: "--server-cpu N", help: ["CPU for the server (default: last CPU)"],
  },
  {
    flag: "client-cpu", key: "clientCpu", field: "clientCpu", kind: "cpu", default: null,
    usage: "--client-cpu N", help: ["CPU for the generator (default: 0)"],
  },
  {
    flag: "sample-hz", key: "sampleHz", field: "sampleHz", kind: "number", min: 0.1, max: 100, default: 10,
    fix: "give collector samples per second, e.g. --sample-hz 10",
    usage: "--sample-hz N", help: ["kernel counter samples per second for the time series (default {default})"],
  },
  {
    flag: "verify", key: "verify", field: "verify", kind: "boolean", default: false,
    usage: "--verify", help: ["capture the server interface with tcpdump and compare packet counts (needs tcpdump)"],
  },
  {
    flag: "baseline", key: "baseline", field: "baselineMs", kind: "duration", minMs: 0, maxMs: 60_000, unit: "ms", default: 1000,
    fix: "give an idle baseline from 0s (none) to 60s, e.g. --baseline 1s",
    usage: "--baseline D", help: ["idle baseline before each scenario, subtracted from global counters (default {default}; 0 = none)"],
  },
  {
    flag: "kernel-time", key: "kernelTime", field: "kernelTime", kind: "choice", choices: KERNEL_TIME_CHOICES, default: "auto",
    usage: "--kernel-time MODE",
    help: [`${KERNEL_TIME_CHOICES.join(" | ")}: softirq and irq time exactly with eBPF (bpftrace, root), from /proc/stat's`, "tick samples, or eBPF where it can run (default {default})"],
  },
  {
    flag: "allow-concurrent", key: "allowConcurrent", field: "allowConcurrent", kind: "boolean", default: false,
    usage: "--allow-concurrent",
    help: ["run beside another npm run bench, on CPUs it does not use (--server-cpu, --client-cpu); recorded"],
  },
  {
    flag: "max-concurrent-streams", key: "server.maxConcurrentStreams", field: "server.maxConcurrentStreams", kind: "integer",
    min: 1, max: 2 ** 31 - 1, default: DEFAULT_SERVER_SETTINGS.maxConcurrentStreams, fix: "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS",
    usage: "--max-concurrent-streams N", group: SERVER,
  },
  {
    flag: "initial-window-size", key: "server.initialWindowSize", field: "server.initialWindowSize", kind: "integer",
    min: 0, max: 2 ** 31 - 1, default: DEFAULT_SERVER_SETTINGS.initialWindowSize, fix: "HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE in bytes",
    usage: "--initial-window-size N", group: SERVER,
  },
  {
    flag: "keep-alive-timeout-ms", key: "server.keepAliveTimeoutMs", field: "server.keepAliveTimeoutMs", kind: "integer",
    min: 1, max: 3_600_000, default: DEFAULT_SERVER_SETTINGS.keepAliveTimeoutMs, fix: "HTTP/1.1 server keep-alive timeout in ms",
    usage: "--keep-alive-timeout-ms N", group: SERVER,
  },
  {
    flag: "grpc-keepalive-time-ms", key: "server.grpcKeepaliveTimeMs", field: "server.grpcKeepaliveTimeMs", kind: "integer",
    min: 1, max: 2 ** 31 - 1, default: DEFAULT_SERVER_SETTINGS.grpcKeepaliveTimeMs, fix: "gRPC keepalive ping interval in ms",
    usage: "--grpc-keepalive-time-ms N", group: SERVER,
  },
  {
    flag: "stream-messages", key: "server.streamMessages", field: "server.streamMessages", kind: "integer",
    min: 1, max: 10_000, default: DEFAULT_SERVER_SETTINGS.streamMessages, fix: "messages per ServerStream call",
    usage: "--stream-messages N", group: SERVER,
  },
  {
    flag: "ws-deflate", key: "server.wsDeflate", field: "server.wsDeflate", kind: "boolean", default: false,
    usage: "--ws-deflate",
    help: ["ws, wss: the server accepts permessage-deflate, so undici's WebSocket (--client library) gets", "compressed answers (it sends its requests uncompressed); recorded in the result's server settings"],
  },
] as const satisfies readonly Option[];

export type OptionRow = (typeof OPTIONS)[number];
export type OptionFlag = OptionRow["flag"];
export type OptionOf<F extends OptionFlag> = Extract<OptionRow, { flag: F }>;

const BY_FLAG = new Map<string, OptionRow>(OPTIONS.map((o) => [o.flag, o]));

/** The row of a flag, typed by its flag so the resolved value is typed by its kind. */
export function option<F extends OptionFlag>(flag: F): OptionOf<F> {
  return BY_FLAG.get(flag) as OptionOf<F>;
}
