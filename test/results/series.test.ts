import { describe, expect, it } from "vitest";
import { clientOf, parseSeries, runClients, seriesName, seriesOf } from "../../bench/results/series.ts";
import type { RunResult, ScenarioResult } from "../../bench/results/schema.ts";
import { errored } from "../report/make-result.ts";

const config = (fields: Partial<Record<"client" | "grpcClient", unknown>>) => fields as unknown as RunResult["config"];
const grpc: ScenarioResult = errored("grpc", 1);

describe("series: an arm driven by one client", () => {
  it("is named after the arm for the run's first --client, arm~client for a later one", () => {
    expect(seriesName("h2c", "wire", ["wire"])).toBe("h2c");
    expect(seriesName("h2c", "wire", ["wire", "library"])).toBe("h2c");
    expect(seriesName("h2c", "library", ["wire", "library"])).toBe("h2c~library");
    expect(seriesName("grpc-stream", "wire", ["library", "wire"])).toBe("grpc-stream~wire");
  });

  it("reads a run from before --client as a run of the library clients", () => {
    expect(runClients(config({}))).toEqual(["library"]);
    expect(runClients(config({ client: ["wire", "library"] }))).toEqual(["wire", "library"]);
  });

  it("reads a scenario without a client as driven by its arm's library client: grpc-js, or --grpc-client's choice", () => {
    expect(clientOf(config({}), grpc)).toBe("grpc-js");
    expect(clientOf(config({ grpcClient: "lean" }), grpc)).toBe("lean");
    expect(clientOf(config({}), errored("h2", 1))).toBe("node-http2");
    expect(clientOf(config({ grpcClient: "lean" }), { ...grpc, client: "wire" })).toBe("wire");
  });

  it("puts each scenario in the series of its arm and client", () => {
    const both = { config: config({ client: ["wire", "library"], grpcClient: "lean" }) };
    expect(seriesOf(both, { ...grpc, client: "wire" })).toBe("grpc");
    expect(seriesOf(both, { ...grpc, client: "lean" })).toBe("grpc~library");
    expect(seriesOf({ config: config({}) }, grpc)).toBe("grpc");
    expect(seriesOf({ config: config({ client: ["wire"] }) }, grpc)).toBe("grpc~library");
  });

  it("parses a series as a user writes it, and refuses anything else", () => {
    expect(parseSeries("h2c")).toEqual({ protocol: "h2c", client: null });
    expect(parseSeries("h2c~library")).toEqual({ protocol: "h2c", client: "library" });
    expect(parseSeries("grpc-stream~wire")).toEqual({ protocol: "grpc-stream", client: "wire" });
    for (const text of ["", "h3", "h2c~", "h2c~undici", "h2c~library~wire", "~library", "h2c-library"]) expect(parseSeries(text), text).toBeNull();
  });
});
