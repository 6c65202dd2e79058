import { describe, expect, it } from "vitest";
import { formatUs, renderNotes, renderTable } from "../../bench/report/table.ts";
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
});
