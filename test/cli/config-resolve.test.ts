import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import { DEFAULTS } from "../../bench/config/resolve.ts";
import { parseDurationMs } from "../../bench/support/duration.ts";
import { UsageError } from "../../bench/support/errors.ts";
import { DEFAULT_PROTOCOLS } from "../../contract/index.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function usageMessage(argv: string[]): string {
  try {
    configFromArgv(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(" ")} to be rejected`);
}

describe("durations", () => {
  it.each([
    ["5s", 5000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["2m", 120_000],
    ["3", 3000],
  ])("reads %s as %d ms", (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(["", "5x", "-1s", "s", "1e3s"])("refuses %j", (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe("resolving the config", () => {
  it("fills every default when given nothing", () => {
    const config = configFromArgv([]);
    expect(config).toMatchObject({
      protocols: DEFAULT_PROTOCOLS,
      rps: DEFAULTS.rps,
      durationMs: 8000,
      warmupMs: 2000,
      requestBytes: 128,
      responseBytes: 1024,
      connections: 4,
      streams: 100,
      repeat: 1,
      outDir: "results",
      json: false,
      topology: "auto",
      serverCpu: null,
      clientCpu: null,
      configFile: null,
    });
    expect(config === "help" ? null : config.server.maxConcurrentStreams).toBe(1000);
  });

  it("reads the flags of the issue's example run", () => {
    const config = configFromArgv("--protocols http1,h2c,grpc --rps 1000 --duration 5s --warmup 1s --out /tmp/x --json".split(" "));
    expect(config).toMatchObject({ protocols: ["http1", "h2c", "grpc"], rps: 1000, durationMs: 5000, warmupMs: 1000, outDir: "/tmp/x", json: true });
  });

  it("reads the network conditions", () => {
    const config = configFromArgv(["--topology", "docker", "--rx-steering", "threaded-napi", "--offloads", "off", "--mtu", "9000", "--rate-limit", "100mbit"]);
    expect(config).toMatchObject({ topology: "docker", rxSteering: "threaded-napi", offloads: "off", mtu: 9000, rateLimitBitsPerSecond: 100_000_000, netem: null });
    // netem shapes the same root qdisc a rate limit would: one or the other.
    expect(configFromArgv(["--topology", "netns", "--netem", "delay 1ms loss 0.1%"])).toMatchObject({ rateLimitBitsPerSecond: null, netem: ["delay", "1ms", "loss", "0.1%"] });
  });

  it("reads a sweep and the SLO", () => {
    const config = configFromArgv("--sweep --from 1000 --to 30000 --steps 5 --slo-p99 5ms --max-time 20m".split(" "));
    expect(config).toMatchObject({ sweep: { by: "rps", from: 1000, to: 30_000, steps: 5, spacing: "geometric" }, sloP99Us: 5000, maxTotalMs: 1_200_000 });
  });

  it("reads a sweep by packets per second, from flags and from the config file", () => {
    const config = configFromArgv("--sweep --by pps --from 20000 --to 200000 --steps 5".split(" "));
    expect(config).toMatchObject({ pps: null, sweep: { by: "pps", from: 20_000, to: 200_000, steps: 5, spacing: "geometric" } });
    // Packet rates above the request-rate cap are fine: a sweep by pps is bounded like --pps.
    expect(configFromArgv("--sweep --by pps --from 500000 --to 2000000 --spacing linear".split(" "))).toMatchObject({ sweep: { by: "pps", from: 500_000, to: 2_000_000, spacing: "linear" } });
    const path = writeConfig("pps-sweep.json", { sweep: true, by: "pps", from: 20_000, to: 80_000, steps: 3 });
    expect(configFromArgv(["--config", path])).toMatchObject({ sweep: { by: "pps", from: 20_000, to: 80_000, steps: 3 } });
    expect(configFromArgv(["--config", path, "--by", "rps"])).toMatchObject({ sweep: { by: "rps", from: 20_000, to: 80_000 } });
  });

  it("writes the fields in the order result.json has always had them, client (new with --client) beside grpcClient", () => {
    expect(Object.keys(DEFAULTS)).toEqual([
      "protocols", "rps", "pps", "durationMs", "warmupMs", "requestBytes", "responseBytes", "connections", "streams", "client",
      "grpcClient", "primeRequests", "driver", "repeat", "outDir", "json", "verify", "sweep", "sloP99Us", "maxTotalMs", "maxInFlight", "pacing", "requestTimeoutMs",
      "topology", "port", "rxSteering", "offloads", "mtu", "clientHosts", "agents", "tokenFile", "rateLimitBitsPerSecond", "netem", "serverCpu", "clientCpu", "sampleHz",
      "baselineMs", "kernelTime", "allowConcurrent", "tlsVersion", "tlsCiphers", "tlsGroups", "server", "configFile", "serverCommand",
    ]);
    expect(Object.keys(DEFAULTS.server)).toEqual(["maxConcurrentStreams", "initialWindowSize", "keepAliveTimeoutMs", "grpcKeepaliveTimeMs", "streamMessages", "wsDeflate"]);
    expect(Object.keys(configFromArgv("--sweep --from 1 --to 2".split(" ")) as object)).toEqual(Object.keys(DEFAULTS));
    expect(Object.keys((configFromArgv("--sweep --from 1 --to 2".split(" ")) as { sweep: object }).sweep)).toEqual(["by", "from", "to", "steps", "spacing", "pastSaturation"]);
  });

  it("reports a bad --topology first, then bad values in the fields' order", () => {
    expect(usageMessage(["--rps", "0", "--topology", "k8s"])).toBe("--topology k8s: choose one of auto, netns, bridge, docker, hosts, loopback");
    expect(usageMessage(["--baseline", "x", "--rps", "0", "--duration", "x"])).toMatch(/^--rps 0: /);
    expect(usageMessage(["--max-time", "x", "--sweep"])).toMatch(/^--sweep needs --from and --to/);
  });

  it("lets flags override the config file, which overrides the defaults", () => {
    const path = writeConfig("ok.json", { rps: 250, duration: "3s", connections: 2, server: { maxConcurrentStreams: 64 } });
    const config = configFromArgv(["--config", path, "--rps", "500"]);
    expect(config).toMatchObject({ rps: 500, durationMs: 3000, connections: 2, configFile: path });
    expect(config === "help" ? null : config.server).toMatchObject({ maxConcurrentStreams: 64, initialWindowSize: 65_535 });
  });

  it.each([
    [["--protocols", "http3"], /^--protocols: unknown protocol "http3"; choose from http1,https1,http1-close,https1-close,h2c,h2,grpc,grpc-tls,grpc-stream,grpc-stream-tls,ws,wss,nginx-http1,nginx-http1-close,nginx-h2c,nginx-h2$/],
    [["--rps", "0"], /^--rps 0: must be a number from 1 to 1000000/],
    // One way to write a number: the same tiny rate in two spellings, the same refusal.
    [["--rps", "1e-9"], /^--rps 1e-9: must be a number from 1 to 1000000; give the offered request rate/],
    [["--rps", "0.000000001"], /^--rps 0.000000001: must be a number from 1 to 1000000; give the offered request rate/],
    [["--connections", "2.5e0"], /^--connections 2.5e0: must be a whole number from 1 to 1024/],
    [["--rps", "2000", "--duration", "2s", "--rps", "3000"], /^--rps is given twice; give it once$/],
    [["--verify", "--verify"], /^--verify is given twice; give it once$/],
    [["--rps", "fast"], /^--rps fast: must be a number/],
    [["--rps", "5000000"], /^--rps 5000000: must be a number from 1 to 1000000/],
    [["--duration", "5x"], /^--duration 5x: give a window from 100ms to 1h/],
    [["--duration", "10ms"], /^--duration 10ms:/],
    [["--request-bytes", "99999999"], /^--request-bytes 99999999: must be a whole number from 0 to 16777216; sizes are in bytes/],
    [["--connections", "0"], /^--connections 0: must be a whole number from 1 to 1024/],
    [["--topology", "kubernetes"], /^--topology kubernetes: choose one of auto, netns, bridge, docker, hosts, loopback$/],
    [["--server-cpu", "64"], /^--server-cpu 64: must be a whole number from 0 to \d+; give a CPU number/],
    [["--bogus"], /^unknown flag --bogus; see npm run bench -- --help$/],
    [["--rps"], /^--rps needs a value/],
    [["extra"], /^unexpected argument "extra"/],
    [["--from", "1000"], /^--from only applies to a sweep; add --sweep, or drop it$/],
    [["--sweep", "--to", "5000"], /^--sweep needs --from and --to/],
    [["--sweep", "--from", "5000", "--to", "1000"], /^--to 1000: must be above --from 5000$/],
    [["--sweep", "--from", "1000", "--to", "5000", "--spacing", "log"], /^--spacing log: choose linear or geometric$/],
    [["--sweep", "--from", "1000", "--to", "5000", "--steps", "1"], /^--steps 1: must be a whole number from 2 to 50/],
    [["--slo-p99", "fast"], /^--slo-p99 fast: give a p99 latency target/],
    [["--by", "pps"], /^--by only applies to a sweep; add --sweep, or offer one packet rate with --pps N$/],
    [["--sweep", "--by", "bytes", "--from", "1", "--to", "2"], /^--by bytes: choose one of rps, pps$/],
    [["--sweep", "--by", "pps", "--to", "200000"], /^--sweep needs --from and --to \(offered packets\/s\), e\.g\. --sweep --by pps --from 20000 --to 200000 --steps 5$/],
    [["--sweep", "--by", "pps", "--from", "20000", "--to", "200000", "--rps", "1000"], /^--rps with --sweep --by pps: each step's request rate is calibrated from its packet rate; drop --rps$/],
    [["--sweep", "--by", "pps", "--from", "20000", "--to", "20000000"], /^--to 20000000: must be a number from 1 to 10000000; give the last step's packets\/s$/],
    [["--sweep", "--by", "pps", "--from", "200000", "--to", "20000"], /^--to 20000: must be above --from 200000$/],
    [["--sweep", "--by", "pps", "--pps", "20000", "--from", "1", "--to", "2"], /^--pps with --sweep: /],
    [["--pps", "20000", "--rps", "100"], /^--pps and --rps both set the offered load; keep one$/],
    [["--pps", "0"], /^--pps 0: must be a number from 1/],
    [["--pps", "1000", "--sweep", "--from", "1", "--to", "2"], /^--pps with --sweep: a sweep sets its own rates; sweep packet rates with --sweep --by pps --from N --to N$/],
    [["--rx-steering", "irq"], /^--rx-steering irq: choose one of rps, threaded-napi, none$/],
    [["--offloads", "some"], /^--offloads some: choose one of default, off$/],
    [["--mtu", "100"], /^--mtu 100: must be a whole number from 576 to 65535/],
    [["--rate-limit", "fast"], /^--rate-limit fast: give a rate as tc writes it/],
    // Refused as the config resolves, before a namespace exists (the topology used to refuse them once built).
    [["--rate-limit", "500bit"], /^--rate-limit 500bit: 500 bit\/s is below the least rate, 1000 bit\/s; give 1kbit or more$/],
    [["--rate-limit", "10mbit", "--netem", "delay 1ms"], /^--netem with --rate-limit: both want the root qdisc; use netem's own `rate` instead$/],
    [["--netem", "delay 1ms", "--topology", "loopback"], /^--netem needs --topology netns, bridge or docker \(loopback would delay the host's lo\)$/],
    [["--rate-limit", "10mbit", "--topology", "loopback"], /^a rate limit needs --topology netns, bridge or docker \(loopback would shape the host's lo\)$/],
    [["--netem", "delay"], /^--netem: delay needs a \w+ value, got nothing$/],
  ])("rejects %j with one line naming the flag and the fix", (argv, message) => {
    const text = usageMessage(argv);
    expect(text).toMatch(message);
    expect(text).not.toContain("\n");
  });

  it("rejects a config file with an unknown key, naming the key and the allowed ones", () => {
    const path = writeConfig("unknown.json", { rps: 10, rsp: 5 });
    expect(usageMessage(["--config", path])).toBe(
      `--config ${path}: unknown key "rsp"; allowed keys are protocols, rps, pps, duration, warmup, requestBytes, responseBytes, connections, ` +
        "streams, grpcClient, prime, repeat, out, maxInFlight, timeout, topology, port, rxSteering, offloads, mtu, rateLimit, netem, serverCpu, " +
        "clientCpu, sampleHz, baseline, verify, sweep, by, from, to, steps, spacing, sloP99, maxTime, server, client, tlsVersion, tlsCiphers, tlsGroups, driver, serverCommand, pastSaturation, pacing, clientHosts, agents, tokenFile, kernelTime, allowConcurrent, servers",
    );
  });

  it("reads a number with an exponent as the same number", () => {
    expect(configFromArgv(["--rps", "2e4", "--connections", "1e1"])).toMatchObject({ rps: 20_000, connections: 10 });
  });

  it("refuses a config file over 1 MiB before reading it, naming the size", () => {
    const path = join(dir, "huge.json");
    writeFileSync(path, `{"rps": 1000, "pad": "${"x".repeat(1024 * 1024)}"}`);
    expect(usageMessage(["--config", path])).toBe(`--config ${path}: 1048600 bytes, more than a config file's 1048576; pass the JSON config file`);
  });

  it("rejects a config file value of the wrong type, naming the key", () => {
    const path = writeConfig("type.json", { rps: "many" });
    expect(usageMessage(["--config", path])).toMatch(/^--config .*type\.json: rps: /);
  });

  it("rejects a config file value out of range with the file and key named", () => {
    const path = writeConfig("range.json", { connections: 0 });
    expect(usageMessage(["--config", path])).toMatch(/range\.json: "connections" 0: must be a whole number from 1 to 1024/);
  });

  it("rejects unreadable and malformed config files", () => {
    expect(usageMessage(["--config", join(dir, "missing.json")])).toMatch(/cannot read it \(ENOENT\)/);
    expect(usageMessage(["--config", writeConfig("bad.json", "{ rps: ")])).toMatch(/not valid JSON/);
  });
});
