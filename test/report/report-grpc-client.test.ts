import { describe, expect, it } from "vitest";
import { toMarkdown } from "../../bench/report/markdown.ts";
import type { RunResult } from "../../bench/results/schema.ts";
import { loadFixture } from "./make-result.ts";

function withClient(grpcClient: "grpc-js" | "lean" | undefined, protocols?: RunResult["config"]["protocols"]): RunResult {
  const base = loadFixture();
  const config = { ...base.config, ...(protocols === undefined ? {} : { protocols }) } as Record<string, unknown>;
  if (grpcClient === undefined) delete config["grpcClient"];
  else config["grpcClient"] = grpcClient;
  const scenarios = protocols === undefined ? base.scenarios : base.scenarios.filter((s) => protocols.includes(s.protocol));
  return { ...base, config: config as unknown as RunResult["config"], scenarios };
}

const summaryLine = (r: RunResult): string => toMarkdown(r, { baselineProtocol: "http1", charts: [] }).split("\n").find((l) => l.startsWith("Run `")) ?? "";

describe("the report names the gRPC client where it describes connections and streams", () => {
  it("says when the lean client drove the gRPC arms", () => {
    expect(summaryLine(withClient("lean"))).toContain(
      "open loop over 4 connections (up to 100 streams each for HTTP/2 and gRPC), gRPC driven by the lean node:http2 client (not grpc-js), 128-byte requests",
    );
  });

  it("says grpc-js when it was recorded, and nothing for results made before the choice existed", () => {
    expect(summaryLine(withClient("grpc-js"))).toContain("(up to 100 streams each for HTTP/2 and gRPC), gRPC driven by grpc-js, 128-byte");
    expect(summaryLine(withClient(undefined))).toContain("(up to 100 streams each for HTTP/2 and gRPC), 128-byte");
  });

  it("says nothing of it when the run had no gRPC arm", () => {
    expect(summaryLine(withClient("lean", ["http1", "h2c"]))).not.toContain("gRPC driven");
  });
});

describe("the report names the clients of a run made with --client", () => {
  /** The fixture as if run with `client` (its scenarios then recorded the matching kinds). */
  function withClients(client: RunResult["config"]["client"], grpcClient: "grpc-js" | "lean", protocols: RunResult["config"]["protocols"]): RunResult {
    const base = withClient(grpcClient, protocols);
    return { ...base, config: { ...base.config, client } };
  }

  it("says the wire-level clients drove every arm", () => {
    expect(summaryLine(withClients(["wire"], "grpc-js", ["http1", "grpc"]))).toContain("(up to 100 streams each for HTTP/2 and gRPC), driven by the wire-level clients (clients/wire/), 128-byte");
  });

  it("names the library clients of the run's arms, --grpc-client's for gRPC", () => {
    expect(summaryLine(withClients(["library"], "lean", ["http1", "h2c", "grpc-stream"]))).toContain(
      "(up to 100 streams each for HTTP/2 and gRPC), driven by the library clients (undici, node-http2, lean), 128-byte",
    );
  });

  it("says a later client drove each arm again under arm~client", () => {
    expect(summaryLine(withClients(["library", "wire"], "grpc-js", ["http1", "grpc"]))).toContain(
      ", each protocol driven by the library clients (undici, grpc-js) and again as `arm~wire` by the wire-level clients (clients/wire/), 128-byte",
    );
  });
});

describe("the report says what --streams meant for the run's arms", () => {
  /** The fixture's grpc-stream scenarios as if they had been the ws arm's. */
  function withWs(others: RunResult["config"]["protocols"]): RunResult {
    const base = loadFixture();
    const ws = base.scenarios.filter((s) => s.protocol === "grpc-stream").map((s) => ({ ...s, protocol: "ws" as const, name: s.name.replace("grpc-stream", "ws") }));
    const scenarios = [...base.scenarios.filter((s) => others.includes(s.protocol)), ...ws];
    return { ...base, config: { ...base.config, protocols: [...others, "ws"] }, scenarios };
  }

  it("streams for HTTP/2 and gRPC, unanswered messages for WebSocket, and nothing for HTTP/1.1 alone", () => {
    expect(summaryLine(withWs(["http1"]))).toContain("open loop over 4 connections (up to 100 unanswered messages per WebSocket), ");
    expect(summaryLine(withWs(["h2c"]))).toContain("(up to 100 streams each for HTTP/2 and gRPC, 100 unanswered messages per WebSocket), ");
    expect(summaryLine(withClient("grpc-js", ["http1", "http1-close"]))).toContain("open loop over 4 connections, 128-byte");
  });
});
