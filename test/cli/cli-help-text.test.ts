import { describe, expect, it } from "vitest";
import { formatDefault, HELP, renderHelp } from "../../bench/cli/help.ts";
import type { Option } from "../../bench/config/option-types.ts";
import { OPTIONS } from "../../bench/config/options.ts";
import { DEFAULT_PROTOCOLS, PROTOCOLS } from "../../contract/index.ts";

// The help as it was written by hand before it was generated from the option table, and the flags added since.
const HAND_WRITTEN = `wirecost — what one request costs over HTTP/1.1, HTTP/2 and gRPC

usage: npm run bench -- [flags]

  --protocols LIST       comma list of ${PROTOCOLS.join(",")}
                         (default ${DEFAULT_PROTOCOLS.join(",")}; the other TLS arms by name)
  --rps N                offered requests per second, open loop (default 1000)
  --pps N                offer load by packets per second instead: the request rate is calibrated per scenario
  --duration D           measured window, e.g. 5s or 500ms (default 8s)
  --warmup D             load before the window, not counted (default 2s)
  --request-bytes N      request body size (default 128)
  --response-bytes N     response body size (default 1024)
  --connections N        TCP connections for every protocol (default 4)
  --streams N            in-flight requests per connection for h2/gRPC (default 100)
  --client LIST          wire | library: the arms' clients, raw sockets or undici/node:http2/grpc-js;
                         a list runs every arm with each, the later ones named arm~client (default wire)
  --grpc-client NAME     grpc-js | lean: the gRPC arms' client; lean is node:http2 speaking gRPC, for load
                         past grpc-js's few thousand req/s per generator core (default grpc-js)
  --tls-version V        auto | 1.2 | 1.3: the TLS arms' version, on server and client alike; auto leaves
                         Node's 1.2–1.3 range, which negotiates 1.3; each scenario records what it got (default auto)
  --tls-ciphers LIST     OpenSSL cipher string for both ends of the TLS arms (default: Node's list), TLS 1.3 suites
                         by their TLS_ names, e.g. TLS_AES_128_GCM_SHA256 or, the certificate being ECDSA, ECDHE-ECDSA-AES128-GCM-SHA256
  --tls-groups LIST      OpenSSL key exchange groups for both ends of the TLS arms (default: Node's, X25519MLKEM768 first),
                         e.g. X25519 for the classic handshake without the post-quantum hybrid's 2.3 KB of key shares
  --prime N              closed-loop requests before each scenario's baseline, so V8 has compiled both
                         sides' hot paths before anything is measured; 0 for none (default 20000, ≤ 10 s)
  --driver NAME          node | h2load: our generator, or nghttp2's h2load (Debian nghttp2-client) for http1, h2c, grpc
                         and their TLS twins, as a native reference; its latency is service time only (default node)
  --repeat N             run the protocol list N times, interleaved (default 1)
  --out DIR              results directory (default results/)
  --json                 print the result JSON on stdout instead of the table
  --config FILE          JSON config file (flags override it); its "servers" are your own servers,
                         named in --protocols like the arms (README, "Your own server")
  --server-command TEXT  your own server in one flag: its protocol, then its command split at spaces, e.g.
                         'http1 python3 -m http.server {port} --bind {host}'; it runs as "server" (README)
  --sweep --from N --to N [--steps 5] [--spacing geometric|linear] [--by rps|pps]
  [--past-saturation]   step the offered rate, every protocol per step, and find each one's knee;
                         --by pps steps packets/s, each step's request rate calibrated as for --pps; --past-saturation keeps
                         stepping a protocol after it saturated, to see whether its throughput then falls (receive livelock)
  --slo-p99 D            latency SLO for the knee and the planner (default 10ms)
  --max-time D           bound on the whole run: no scenario starts that could end past it (default 30m)
  --max-in-flight N      generator in-flight cap; beyond it requests are refused (default 10000)
  --pacing NAME          worker | timer | spin | batch: what wakes the generator at each send time: a thread that
                         sleeps to ~0.1 ms, Node's 1 ms timers, polling on a whole core, or the thread every 10 ms
                         sending what is due together, as h2load does: cheapest, up to 10 ms late (default worker)
  --timeout D            per-request timeout (default 5s)
  --port N               server port (default 0: any free port)
  --topology KIND        auto | netns | bridge | hosts | loopback (default auto)
  --client-hosts N       --topology hosts (namespaces as hosts, an agent in each): client hosts sharing the rate (default 1)
  --agents LIST          run on other hosts through their agents: server=ADDR:PORT,client=ADDR:PORT[,client=…] (README)
  --token-file FILE      with --agents: the run's shared token, as the agents were given it
  --rx-steering MODE     rps | threaded-napi | none: where the server's receive work runs (default rps)
  --offloads MODE        default | off (TSO/GSO/GRO off on every veth end, for wire-like packet counts)
  --mtu N                MTU of the veth ends (default 1500)
  --rate-limit RATE      tc tbf on both eth0s, e.g. 100mbit
  --netem "ARGS"         tc netem on both eth0s, e.g. "delay 1ms loss 0.1%" (needs a kernel with sch_netem)
  --server-cpu N         CPU for the server (default: last CPU)
  --client-cpu N         CPU for the generator (default: 0)
  --sample-hz N          kernel counter samples per second for the time series (default 10)
  --verify               capture the server interface with tcpdump and compare packet counts (needs tcpdump)
  --baseline D           idle baseline before each scenario, subtracted from global counters (default 1s; 0 = none)
  --kernel-time MODE     auto | ebpf | tick: softirq and irq time exactly with eBPF (bpftrace, root), from /proc/stat's
                         tick samples, or eBPF where it can run (default auto)
  --allow-concurrent     run beside another npm run bench, on CPUs it does not use (--server-cpu, --client-cpu); recorded
  --max-concurrent-streams N, --initial-window-size N, --keep-alive-timeout-ms N,
  --grpc-keepalive-time-ms N, --stream-messages N   server settings (recorded in the result)
  --ws-deflate           ws, wss: the server accepts permessage-deflate, so undici's WebSocket (--client library) gets
                         compressed answers (it sends its requests uncompressed); recorded in the result's server settings
`;

const usageOf = (o: Option): string => o.usage.replaceAll("{default}", () => formatDefault(o));

describe("the --help text", () => {
  it("is generated from the option table and reads as the hand-written one did, byte for byte", () => {
    expect(HELP).toBe(renderHelp(OPTIONS));
    expect(HELP).toBe(HAND_WRITTEN);
  });

  it("names every option exactly once, in the table's order", () => {
    const at = OPTIONS.map((o) => {
      const usage = usageOf(o);
      expect(HELP.split(usage).length - 1, usage).toBe(1);
      return HELP.indexOf(usage);
    });
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it("shows each default as the option resolves it", () => {
    expect(OPTIONS.map((o) => [o.flag, ("help" in o && o.help.some((t) => t.includes("{default}"))) ? formatDefault(o) : null]).filter(([, d]) => d !== null)).toEqual([
      ["rps", "1000"],
      ["duration", "8s"],
      ["warmup", "2s"],
      ["request-bytes", "128"],
      ["response-bytes", "1024"],
      ["connections", "4"],
      ["streams", "100"],
      ["client", "wire"],
      ["grpc-client", "grpc-js"],
      ["tls-version", "auto"],
      ["prime", "20000"],
      ["driver", "node"],
      ["repeat", "1"],
      ["out", "results"],
      ["slo-p99", "10ms"],
      ["max-time", "30m"],
      ["max-in-flight", "10000"],
      ["pacing", "worker"],
      ["timeout", "5s"],
      ["port", "0"],
      ["topology", "auto"],
      ["client-hosts", "1"],
      ["rx-steering", "rps"],
      ["sample-hz", "10"],
      ["baseline", "1s"],
      ["kernel-time", "auto"],
    ]);
  });

  it("puts a short usage beside its text and wraps a long group's usages at 100 columns", () => {
    const group = { name: "g", join: ", ", text: ["what they do"] };
    const row = (flag: string): Option => ({ flag, key: null, field: "json", kind: "boolean", default: false, usage: `--${flag} N`, group });
    const text = renderHelp([
      { flag: "a", key: null, field: "json", kind: "boolean", default: false, usage: "--a", help: ["first line", "second line"] },
      row("a-rather-long-flag-name-one"),
      row("a-rather-long-flag-name-two"),
      row("a-rather-long-flag-name-three"),
    ]);
    expect(text.split("\n").slice(4)).toEqual([
      "  --a                    first line",
      "                         second line",
      "  --a-rather-long-flag-name-one N, --a-rather-long-flag-name-two N,",
      "  --a-rather-long-flag-name-three N   what they do",
      "",
    ]);
  });
});
