import { describe, expect, it } from "vitest";
import { formatUs, renderNotes, renderTable, tooFewConnections } from "../../bench/report/table.ts";
import { colorFor } from "../../bench/cli/main.ts";
import { connectionsNeeded, MAX_CONNECTION_BUSY } from "../../bench/load/assess.ts";
import { RUN_TIME_DIFF_NOTE_PCT } from "../../bench/collector/ebpf/kernel-time-report.ts";
import type { KernelTimeDetail } from "../../bench/collector/ebpf/kernel-time-report.ts";
import { emptyErrorCounts } from "../../bench/load/generator.ts";
import type { CompletedScenario, ScenarioResult } from "../../bench/results/schema.ts";
import { DEFAULT_SERVER_SETTINGS } from "../../contract/index.ts";

const summary = (p50: number, p99: number, p999: number) => ({ count: 5000, p50, p90: p50, p99, p999, max: p999, mean: p50 });
const common = {
  repeat: 1,
  startedAt: "2026-11-25T09:00:00.000Z",
  offeredRps: 1000,
  connections: 4,
  streams: 100,
  requestBytes: 128,
  responseBytes: 1024,
  serverSettings: DEFAULT_SERVER_SETTINGS,
  placement: { topology: "loopback", serverCpu: 1, clientCpu: 0, serverPid: 10, generatorPid: 11, serverAddress: "127.0.0.1", serverPort: 4000 },
};

function completed(name: string, achievedRps: number, saturated: boolean): CompletedScenario {
  return {
    ...common,
    name,
    protocol: "http1",
    state: "completed",
    achievedRps,
    requests: 5000,
    completed: 5000,
    completedInWindow: 5000,
    durationMs: 5000,
    errors: { ...emptyErrorCounts(), status: saturated ? 3 : 0 },
    errorSamples: saturated ? { status: "HTTP 503" } : {},
    latencyUs: summary(412, 1890, 15_400),
    serviceLatencyUs: summary(300, 900, 2000),
    latenessUs: summary(10, 900, 1000),
    histograms: { latency: "", serviceLatency: "", lateness: "" },
    generator: {
      cpuPct: 12.5,
      cpuUserUs: 1,
      cpuSysUs: 1,
      latenessP99Us: 900,
      latenessMaxUs: 1000,
      inFlightPeak: 3,
      maxInFlight: 10_000,
      saturated,
      saturationReasons: saturated ? ["achieved 900 req/s is 90% of the offered 1000 (< 99%)"] : [],
      saturationKinds: saturated ? ["achieved-below-offered"] : [],
    },
    window: { startEpochMs: 1, endEpochMs: 5001 },
  };
}

// Only the fields the table reads; the rest of CostFigures is irrelevant here.
const kernelPerRequest = {
  packets: 2,
  bytes: 1607.4,
  netRxSoftirqs: 2.5,
  netTxSoftirqs: 0.08,
  cpuUs: { serverRun: 87.44, serverUser: 50, serverSys: 30, clientRun: 123.06, clientUser: 1, clientSys: 1, softirq: 10, irq: 6 },
} as unknown as NonNullable<CompletedScenario["perRequest"]>;

describe("console table", () => {
  it("formats microseconds with a unit that fits", () => {
    expect([formatUs(412), formatUs(1890), formatUs(2_500_000)]).toEqual(["412 µs", "1.89 ms", "2.50 s"]);
  });

  it("prints one aligned row per scenario, with errored ones and saturation plain to see", () => {
    const rows: ScenarioResult[] = [
      { ...completed("http1", 999.8, false), client: "wire", perRequest: kernelPerRequest },
      { ...completed("h2c~library", 900, true), protocol: "h2c", client: "node-http2" },
      { ...common, name: "grpc", protocol: "grpc", client: "wire", state: "errored", error: "grpc server exited with code 1" },
    ];
    expect(renderTable(rows, { color: false })).toBe(
      [
        "scenario     client      offered/s  achieved/s     p50      p99     p99.9   errors  pkts/req  bytes/req  softirq/req  µs/req srv    cli  kernel  saturated",
        "http1        wire             1000        1000  412 µs  1.89 ms  15.40 ms        0      2.00       1607         2.58        87.4  123.1    16.0  no",
        "h2c~library  node-http2       1000         900  412 µs  1.89 ms  15.40 ms        3         -          -            -           -      -       -  SATURATED",
        "grpc         wire             1000           -       -        -         -  errored         -          -            -           -      -       -  grpc server exited with code 1",
        "",
      ].join("\n"),
    );
    expect(renderNotes(rows)).toBe(
      "h2c~library: saturated: achieved 900 req/s is 90% of the offered 1000 (< 99%)\nh2c~library: 3 status error(s), e.g. HTTP 503\n",
    );
  });

  it("reads a scenario written before --client as driven by its arm's library client, --grpc-client's for gRPC", () => {
    const old: ScenarioResult = { ...common, name: "grpc", protocol: "grpc", state: "errored", error: "x" };
    const client = (options: Parameters<typeof renderTable>[1]) => renderTable([old], options).split("\n")[1]?.split(/ +/)[1];
    expect([client({ color: false }), client({ color: false, grpcClient: "lean" })]).toEqual(["grpc-js", "lean"]);
  });

  it("colours only when asked", () => {
    expect(renderTable([completed("http1", 1000, false)], { color: true })).toContain("\u001b[1m");
    expect(renderTable([completed("http1", 1000, false)], { color: false })).not.toContain("\u001b[");
  });

  it("explains a scenario whose priming was cut short or had failures, and stays quiet when priming was whole", () => {
    const whole = { ...completed("http1", 1000, false), prime: { requested: 20000, completed: 20000, failed: 0, elapsedMs: 1200, timedOut: false } };
    const cut = { ...completed("http1-close", 1000, false), prime: { requested: 20000, completed: 15000, failed: 2, elapsedMs: 10004, timedOut: true } };
    expect(renderNotes([whole])).toBe("");
    expect(renderNotes([cut])).toBe(
      "http1-close: priming was cut short at 10 s with 15000 of 20000 requests answered (2 failed): V8 may still have compiled hot paths inside the window\n",
    );
  });

  it("states each scenario's pacing floor, and who limited it, where the result has them", () => {
    const base = completed("http1", 1000, false);
    const floor = { p50: 40, p99: 180, p999: 420, samples: 400, cpuUsPerSend: 52 };
    const onTime = { ...base, generator: { ...base.generator, pacing: "worker" as const, pacingFloorUs: floor, limitedBy: null, limitReasons: [] } };
    const reason = "achieved 900 req/s is 90% of the offered 1000 (< 99%) while the sends left on time (lateness p99 900 µs ≤ 1180 µs, pacing floor p99 180 µs + margin): the server did not keep up";
    const server = { ...onTime, name: "h2c", achievedRps: 900, generator: { ...onTime.generator, limitedBy: "server" as const, limitReasons: [reason] } };
    expect(renderNotes([onTime, server])).toBe(
      [
        "http1: pacing floor p99 180 µs (worker; 52.0 µs CPU per send idle), send lateness p99 900 µs",
        "h2c: pacing floor p99 180 µs (worker; 52.0 µs CPU per send idle), send lateness p99 900 µs",
        `h2c: limited by the server: ${reason}`,
        "",
      ].join("\n"),
    );
    // A server-limited scenario is not SATURATED.
    expect(renderTable([server], { color: false }).split("\n")[1]).toMatch(/ no$/);
    // Nor is one whose sends were held up by stalls; the note says what they did to the latency.
    const stalls = "send lateness p99 14007 µs > 4026 µs (pacing floor p99 2013 µs + margin), but p90 40 µs within it and the rate carried: stalls held up some sends, not a backlog; latency from the intended time includes them, service time does not";
    const stalled = { ...onTime, name: "grpc-stream", generator: { ...onTime.generator, stalls } };
    expect(renderNotes([stalled]).split("\n")).toContain(`grpc-stream: ${stalls}`);
    expect(renderTable([stalled], { color: false }).split("\n")[1]).toMatch(/ no$/);
  });

  it("notes an eBPF on-CPU time that differs from schedstat's run time only beyond 15%, either way", () => {
    const exact = (name: string, serverRunDiffPct: number | null, generatorRunDiffPct: number | null): CompletedScenario => ({
      ...completed(name, 1000, false),
      kernelTime: {
        method: "ebpf",
        tracer: { probes: 25, lostEvents: 0, marks: 82 },
        windowMs: 8000,
        windowSkewMs: { start: 0.2, end: 0.3 },
        marksNs: { from: 1_000_000_000, to: 9_000_000_000 },
        events: { softirqs: 16_000, hardIrqs: 4000, switches: 40_000, syscalls: 60_000 },
        softirqByContextUs: {},
        hardIrqByLine: {},
        checks: { serverRunDiffPct, generatorRunDiffPct },
        timeSeries: [],
      } satisfies KernelTimeDetail,
    });
    expect(RUN_TIME_DIFF_NOTE_PCT).toBe(15);
    // Woken from idle, eBPF's time is 4–9% under schedstat's (docs/kernel-notes.md § "Exact kernel time with eBPF"):
    // no note at those differences, nor at exactly 15%.
    const quiet = [exact("a", -4.2, -8.9), exact("b", -15, 15), exact("c", -14.999, 14.999), exact("d", null, null)];
    expect(renderNotes(quiet)).toBe("kernel: exact softirq + hard-IRQ µs per request on the run's CPUs (eBPF)\n");
    expect(renderNotes([exact("e", -15.001, 15.001), exact("f", 5.2, -32.5)])).toBe(
      [
        "e: the server's eBPF on-CPU time and its schedstat run time differ by -15.001%",
        "e: the generator's eBPF on-CPU time and its schedstat run time differ by 15.001%",
        "f: the generator's eBPF on-CPU time and its schedstat run time differ by -32.5%",
        "kernel: exact softirq + hard-IRQ µs per request on the run's CPUs (eBPF)",
        "",
      ].join("\n"),
    );
  });
});

describe("too few connections for a one-request-at-a-time arm", () => {
  const at = (protocol: CompletedScenario["protocol"], offeredRps: number, connections: number, serviceMeanUs: number): CompletedScenario => ({
    ...completed(`${protocol}@${offeredRps}`, offeredRps, false),
    protocol,
    offeredRps,
    connections,
    serviceLatencyUs: { ...summary(serviceMeanUs, 900, 2000), mean: serviceMeanUs },
  });

  it("needs rate × mean service time ÷ 70% connections, rounded up", () => {
    expect(connectionsNeeded(14_000, 200)).toBe(4);
    expect(connectionsNeeded(14_001, 200)).toBe(5);
    expect(connectionsNeeded(20_000, 300)).toBe(9);
    expect(MAX_CONNECTION_BUSY).toBe(0.7);
  });

  it("notes it for keep-alive HTTP/1.1 only, naming the flag and the count", () => {
    expect(tooFewConnections(at("http1", 14_000, 4, 200))).toBeNull();
    expect(tooFewConnections(at("http1", 20_000, 4, 300))).toBe(
      "4 connection(s) carry one request at a time each; 20000 req/s at a mean service time of 300 µs needs at least 9 (each at most 70% busy): requests waited for a free connection, and the latency counts the wait — use --connections 9 or more",
    );
    // Multiplexed arms carry many requests per connection; http1-close opens one per request.
    expect(tooFewConnections(at("h2c", 20_000, 4, 300))).toBeNull();
    expect(tooFewConnections(at("http1-close", 20_000, 4, 300))).toBeNull();
    expect(renderNotes([at("http1", 20_000, 4, 300)])).toContain("http1@20000: 4 connection(s) carry one request at a time each;");
  });
});

describe("too few connections, on a run that hit its limit", () => {
  it("is left to the limit's own note: a backlog swells the service time", () => {
    const base = completed("http1@20000", 20_000, false);
    const swollen: CompletedScenario = {
      ...base,
      offeredRps: 20_000,
      serviceLatencyUs: { ...summary(988_000, 1_400_000, 1_430_000), mean: 988_000 },
      errors: { ...emptyErrorCounts(), refused: 480_000 },
    };
    expect(tooFewConnections(swollen)).toBeNull();
    expect(tooFewConnections({ ...swollen, errors: emptyErrorCounts(), generator: { ...base.generator, limitedBy: "server" } })).toBeNull();
    expect(tooFewConnections({ ...swollen, errors: emptyErrorCounts() })).toMatch(/needs at least 28229 /);
  });
});

describe("colour", () => {
  it("goes only to a terminal, unless NO_COLOR forbids it or FORCE_COLOR asks for it", () => {
    expect(colorFor({ isTTY: true }, {})).toBe(true);
    expect(colorFor({ isTTY: false }, {})).toBe(false);
    expect(colorFor({}, {})).toBe(false);
    expect(colorFor({ isTTY: true }, { NO_COLOR: "" })).toBe(false);
    expect(colorFor({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorFor({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorFor({ isTTY: false }, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });
});
