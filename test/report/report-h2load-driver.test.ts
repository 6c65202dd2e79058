/** A run h2load drove names it in the console table, the notes and the report, and marks its latency as service time. */
import { describe, expect, it } from "vitest";
import { h2loadNotes } from "../../bench/load/h2load-report.ts";
import type { H2loadDriverRecord } from "../../bench/load/h2load-report.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import { renderNotes, renderTable } from "../../bench/report/table.ts";
import type { CompletedScenario, RunResult } from "../../bench/results/schema.ts";
import type { Protocol } from "../../contract/index.ts";
import { loadFixture } from "./make-result.ts";

const PROTOCOLS: readonly Protocol[] = ["http1", "grpc"];

function record(protocol: Protocol): H2loadDriverRecord {
  return { name: "h2load", version: "1.52.0", argv: ["h2load"], perConnectionRps: 125, summary: null, startedBeforeWindow: 0, notes: h2loadNotes(protocol) };
}

/** The frozen run's first repeat of http1 and grpc, as if h2load had driven it. */
function h2loadRun(): RunResult {
  const base = loadFixture();
  const scenarios = base.scenarios
    .filter((s): s is CompletedScenario => s.repeat === 1 && PROTOCOLS.includes(s.protocol) && s.state === "completed")
    .map((s) => ({ ...s, name: s.protocol, driver: record(s.protocol) }));
  return { ...base, config: { ...base.config, protocols: PROTOCOLS, repeat: 1, primeRequests: 20_000, driver: "h2load" }, scenarios };
}

const markdown = (r: RunResult): string => toMarkdown(r, { baselineProtocol: "http1", charts: [] });

describe("a run driven by h2load", () => {
  it("names h2load in the table's scenario column and marks its latency cells", () => {
    const lines = renderTable(h2loadRun().scenarios, { color: false }).split("\n");
    expect(lines[1]).toMatch(/^http1 \(h2load\) +h2load +500 +500 +844 µs\* +2\.75 ms\* +7\.04 ms\* +0 /);
    expect(lines[2]).toMatch(/^grpc \(h2load\) /);
  });

  it("says in the notes that h2load drove each scenario and what that changes", () => {
    const notes = renderNotes(h2loadRun().scenarios).split("\n");
    expect(notes[0]).toBe(`http1: driven by h2load 1.52.0 (* service time): ${h2loadNotes("http1").join("; ")}`);
    expect(notes[1]).toBe(`grpc: driven by h2load 1.52.0 (* service time): ${h2loadNotes("grpc").join("; ")}`);
    expect(notes[1]).toContain("grpc-status not verified by h2load");
  });

  it("names h2load and its version in the report's summary instead of a gRPC client", () => {
    const summary = markdown(h2loadRun()).split("\n").find((l) => l.startsWith("Run `")) ?? "";
    expect(summary).toContain(
      "open loop over 4 connections (up to 100 streams each for HTTP/2 and gRPC), sent by nghttp2's h2load 1.52.0 in place of our generator (latency is service time only), 128-byte requests",
    );
    expect(summary).not.toContain("gRPC driven by");
    expect(summary).toContain("closed-loop requests from h2load primed the server, so V8 had compiled its hot path");
  });

  it("gives its notes once as a caveat and marks the latency rows of the figures", () => {
    const text = markdown(h2loadRun());
    expect(text).toContain(`- **Driven by h2load 1.52.0** (http1, grpc): ${h2loadNotes("grpc").join("; ")}.\n`);
    expect(text).toContain('"*": the latency is service time, from h2load, which has no intended send time.');
    expect(text).toMatch(/\| latency p50 \| 844 µs\* \| \d[\d.]* (µs|ms)\* \|/);
  });

  it("leaves a run our generator drove as it was", () => {
    const text = markdown(loadFixture());
    expect(text).not.toContain("h2load");
    expect(text).not.toContain("µs*");
  });
});
