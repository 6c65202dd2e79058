/**
 * One resolved, readonly config from the flags and the config file: every value read and checked by its row of the
 * option table (bench/config/options.ts), so nothing downstream sees argv. Errors name the flag (or the file and
 * key) and the fix.
 */
import type { BenchConfig } from "./config.ts";
import { sourceOf, valueOf } from "./read-option.ts";
import { option } from "./options.ts";
import { usesTls } from "../../contract/index.ts";
import type { RawInputs } from "./read-option.ts";
import { checkDriver } from "./driver-rules.ts";
import { checkUserServerRun, splitSubjects } from "./subjects.ts";
import { checkWebSocketDeflate } from "./websocket-rules.ts";
import { checkHosts } from "./hosts-rules.ts";
import { checkServerTls } from "./server-rules.ts";
import { checkTlsParameters } from "./tls-rules.ts";
import { resolvePps, resolveSweep } from "./sweep-rules.ts";
import { UsageError } from "../support/errors.ts";
import { shapingRefusal } from "../topology/index.ts";

export type { RawInputs } from "./read-option.ts";

/**
 * Across hosts, the default arms are the cleartext ones: agents do not run TLS arms yet (hosts-rules.ts), and a
 * default that is refused would make `--topology hosts` alone a usage error. Arms asked for by name stay as asked,
 * and a TLS one among them is refused.
 */
function acrossHostsDefault(protocols: BenchConfig["protocols"], inputs: RawInputs, topology: BenchConfig["topology"]): BenchConfig["protocols"] {
  const across = topology === "hosts" || sourceOf(option("agents"), inputs) !== undefined;
  return across && sourceOf(option("protocols"), inputs) === undefined ? protocols.filter((p) => !usesTls(p)) : protocols;
}

export function resolveConfig(inputs: RawInputs): BenchConfig {
  // A bad --topology is reported before any other bad value, as it always was.
  const topology = valueOf("topology", inputs);
  const { armInputs, servers } = splitSubjects(inputs);
  // The fields in BenchConfig's order, which is result.json's; a bad value is reported in this order too.
  const config: BenchConfig = {
    protocols: armInputs === null ? [] : acrossHostsDefault(valueOf("protocols", armInputs), inputs, topology),
    rps: valueOf("rps", inputs),
    pps: resolvePps(inputs),
    durationMs: valueOf("duration", inputs),
    warmupMs: valueOf("warmup", inputs),
    requestBytes: valueOf("request-bytes", inputs),
    responseBytes: valueOf("response-bytes", inputs),
    connections: valueOf("connections", inputs),
    streams: valueOf("streams", inputs),
    client: valueOf("client", inputs),
    grpcClient: valueOf("grpc-client", inputs),
    primeRequests: valueOf("prime", inputs),
    driver: valueOf("driver", inputs),
    repeat: valueOf("repeat", inputs),
    outDir: valueOf("out", inputs),
    json: valueOf("json", inputs),
    verify: valueOf("verify", inputs),
    sweep: resolveSweep(inputs),
    sloP99Us: valueOf("slo-p99", inputs),
    maxTotalMs: valueOf("max-time", inputs),
    maxInFlight: valueOf("max-in-flight", inputs),
    pacing: valueOf("pacing", inputs),
    requestTimeoutMs: valueOf("timeout", inputs),
    topology,
    port: valueOf("port", inputs),
    rxSteering: valueOf("rx-steering", inputs),
    offloads: valueOf("offloads", inputs),
    mtu: valueOf("mtu", inputs),
    clientHosts: valueOf("client-hosts", inputs),
    agents: valueOf("agents", inputs),
    tokenFile: valueOf("token-file", inputs),
    rateLimitBitsPerSecond: valueOf("rate-limit", inputs),
    netem: valueOf("netem", inputs),
    serverCpu: valueOf("server-cpu", inputs),
    clientCpu: valueOf("client-cpu", inputs),
    sampleHz: valueOf("sample-hz", inputs),
    baselineMs: valueOf("baseline", inputs),
    kernelTime: valueOf("kernel-time", inputs),
    allowConcurrent: valueOf("allow-concurrent", inputs),
    tlsVersion: valueOf("tls-version", inputs),
    tlsCiphers: valueOf("tls-ciphers", inputs),
    tlsGroups: valueOf("tls-groups", inputs),
    server: {
      maxConcurrentStreams: valueOf("max-concurrent-streams", inputs),
      initialWindowSize: valueOf("initial-window-size", inputs),
      keepAliveTimeoutMs: valueOf("keep-alive-timeout-ms", inputs),
      grpcKeepaliveTimeMs: valueOf("grpc-keepalive-time-ms", inputs),
      streamMessages: valueOf("stream-messages", inputs),
      wsDeflate: valueOf("ws-deflate", inputs),
    },
    configFile: valueOf("config", inputs),
    serverCommand: valueOf("server-command", inputs),
    ...(servers.length === 0 ? {} : { servers }),
  };
  checkUserServerRun(servers, config);
  checkDriver(config);
  checkWebSocketDeflate(config);
  checkServerTls(config);
  checkTlsParameters(config);
  checkHosts(config);
  const shaping = shapingRefusal(config.topology, config.rateLimitBitsPerSecond !== null, config.netem !== null);
  if (shaping !== null) throw new UsageError("WC_BAD_VALUE", shaping);
  return config;
}

/** The config with no flags and no file: every option's default. */
export const DEFAULTS: BenchConfig = resolveConfig({ flags: {}, file: null, configFile: null });
