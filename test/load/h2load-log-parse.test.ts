/** h2load's --log-file, parsed from logs captured against our servers (test/fixtures/h2load/README.md). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeStatus, H2loadLogError, outcomeOf, parseH2loadLog, peakInFlight, requestsInWindow } from "../../bench/load/h2load-log.ts";

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/h2load/${name}`, import.meta.url), "utf8");

describe("parseH2loadLog", () => {
  it("reads every line of a captured HTTP/1.1 log: start µs since the epoch, status, service µs", () => {
    const lines = parseH2loadLog(fixture("http1.log"));
    expect(lines).toHaveLength(100);
    expect(lines[0]).toEqual({ startUs: 1796456265548823, status: 200, serviceUs: 414 });
    expect(lines.at(-1)).toEqual({ startUs: 1796456266038898, status: 200, serviceUs: 687 });
    expect(lines.every((l) => l.status === 200)).toBe(true);
  });

  it("reads the h2 (TLS) and gRPC logs the same way", () => {
    expect(parseH2loadLog(fixture("h2.log"))[0]).toEqual({ startUs: 1796456266380583, status: 200, serviceUs: 1455 });
    const grpc = parseH2loadLog(fixture("grpc.log"));
    expect(grpc).toHaveLength(100);
    expect(grpc[0]).toEqual({ startUs: 1796456267223708, status: 200, serviceUs: 2340 });
  });

  it("keeps the status of answers that were not 2xx", () => {
    const lines = parseH2loadLog(fixture("http1-404.log"));
    expect(lines).toHaveLength(40);
    expect(lines[0]).toEqual({ startUs: 1796456268064328, status: 404, serviceUs: 209 });
    expect(lines.every((l) => l.status === 404)).toBe(true);
  });

  it("reads a failed stream's -1, ignores columns a later h2load may add, and drops a last line cut short", () => {
    expect(parseH2loadLog("100\t-1\t5\n200\t200\t7\textra\n300\t20")).toEqual([
      { startUs: 100, status: -1, serviceUs: 5 },
      { startUs: 200, status: 200, serviceUs: 7 },
    ]);
    expect(parseH2loadLog("")).toEqual([]);
  });

  it("refuses a line that is not three whole numbers, naming its number", () => {
    expect(() => parseH2loadLog("1\t200\t3\nhello\n")).toThrow(new H2loadLogError('h2load log line 2 is not "start<TAB>status<TAB>µs": "hello"'));
    expect(() => parseH2loadLog("1\t200\t3.5\n")).toThrow(H2loadLogError);
  });
});

describe("the window and the outcome of each request", () => {
  it("keeps the requests that started in [start, end), by their start time", () => {
    const lines = [
      { startUs: 999_999, status: 200, serviceUs: 10 },
      { startUs: 1_000_000, status: 200, serviceUs: 10 },
      { startUs: 1_999_999, status: 200, serviceUs: 5_000_000 },
      { startUs: 2_000_000, status: 200, serviceUs: 10 },
    ];
    expect(requestsInWindow(lines, { startEpochMs: 1000, endEpochMs: 2000 })).toEqual([lines[1], lines[2]]);
  });

  it("counts 2xx as answered, -1 as a reset and any other status as a status error", () => {
    expect([200, 204, 299, -1, 0, 301, 404, 503].map(outcomeOf)).toEqual(["ok", "ok", "ok", "reset", "status", "status", "status", "status"]);
    expect(describeStatus(404)).toBe("HTTP status 404");
    expect(describeStatus(-1)).toBe("h2load logged the stream as failed (status -1): reset, or its connection failed");
  });

  it("finds the most requests in flight at once, an end and a start at the same µs not overlapping", () => {
    expect(peakInFlight([])).toBe(0);
    expect(
      peakInFlight([
        { startUs: 0, status: 200, serviceUs: 10 },
        { startUs: 10, status: 200, serviceUs: 10 },
        { startUs: 12, status: 200, serviceUs: 3 },
        { startUs: 13, status: 200, serviceUs: 1 },
      ]),
    ).toBe(3);
    expect(peakInFlight(parseH2loadLog(fixture("grpc.log")))).toBe(6);
    expect(peakInFlight(parseH2loadLog(fixture("http1.log")))).toBe(2);
  });
});
