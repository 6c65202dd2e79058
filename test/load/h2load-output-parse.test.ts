/** h2load's stdout, parsed from runs captured against our servers (test/fixtures/h2load/README.md). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { H2loadOutputError, h2loadPhaseOf, parseH2loadSummary, parseH2loadVersion } from "../../bench/load/h2load-output.ts";

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/h2load/${name}`, import.meta.url), "utf8");

describe("h2load's phase lines", () => {
  it("finds warm-up, the main duration's start and its end, in order, and nothing else", () => {
    const phases = fixture("h2.stdout")
      .split("\n")
      .flatMap((line) => h2loadPhaseOf(line) ?? []);
    expect(phases).toEqual(["warm-up", "measure", "drain"]);
    expect(h2loadPhaseOf("Main benchmark duration is started for thread #12.")).toBe("measure");
    expect(h2loadPhaseOf("Main benchmark duration is over for thread #0. Stopping all clients.\r")).toBe("drain");
    expect(h2loadPhaseOf("Warm-up phase is over for thread #0.")).toBeNull();
    expect(h2loadPhaseOf("Stopped all clients for thread #0")).toBeNull();
  });
});

describe("h2load's closing summary", () => {
  it("reads an HTTP/1.1 run's counts, status classes and traffic", () => {
    expect(parseH2loadSummary(fixture("http1.stdout"))).toEqual({
      finishedS: 0.80294,
      requests: { total: 100, started: 100, done: 100, succeeded: 100, failed: 0, errored: 0, timeout: 0 },
      statusCodes: { "2xx": 100, "3xx": 0, "4xx": 0, "5xx": 0 },
      trafficBytes: { total: 119300, headers: 20000, data: 164640 },
      applicationProtocol: "http/1.1",
      tls: null,
    });
  });

  it("reads the TLS version and cipher of an h2 run", () => {
    expect(parseH2loadSummary(fixture("h2.stdout"))).toMatchObject({
      finishedS: 0.80299,
      trafficBytes: { total: 105000, headers: 551, data: 161553 },
      applicationProtocol: "h2",
      tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" },
    });
  });

  it("counts a gRPC run's requests by when they ended: 2 started in the warm-up are done but not started", () => {
    expect(parseH2loadSummary(fixture("grpc.stdout"))).toMatchObject({
      requests: { total: 100, started: 98, done: 100, succeeded: 100, failed: 0, errored: 0, timeout: 0 },
      applicationProtocol: "h2c",
      tls: null,
    });
  });

  it("reads 404s as failed requests in the 4xx class", () => {
    expect(parseH2loadSummary(fixture("http1-404.stdout"))).toMatchObject({
      finishedS: 0.501,
      requests: { total: 40, started: 40, done: 40, succeeded: 0, failed: 40, errored: 0, timeout: 0 },
      statusCodes: { "2xx": 0, "3xx": 0, "4xx": 40, "5xx": 0 },
    });
  });

  it("reads the finish time in seconds and microseconds too", () => {
    const text = (finished: string) => fixture("http1.stdout").replace(/^finished in \S+,/m, `finished in ${finished},`);
    expect(parseH2loadSummary(text("1.50s")).finishedS).toBe(1.5);
    expect(parseH2loadSummary(text("512us")).finishedS).toBe(0.000512);
  });

  it("names the line it misses when h2load printed no summary", () => {
    expect(() => parseH2loadSummary("starting benchmark...\n")).toThrow(new H2loadOutputError('h2load printed no "finished in" line'));
  });
});

describe("h2load --version", () => {
  it("gives nghttp2's version", () => {
    expect(parseH2loadVersion("h2load nghttp2/1.52.0\n")).toBe("1.52.0");
    expect(parseH2loadVersion("nghttp nghttp2/1.52.0\n")).toBeNull();
  });
});
