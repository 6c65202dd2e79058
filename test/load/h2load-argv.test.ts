import { describe, expect, it } from "vitest";
import {
  H2LOAD_DRAIN_MS,
  h2loadArgv,
  h2loadPrimeArgv,
  h2loadRefusal,
  h2loadRequestBody,
  h2loadStreamsPerConnection,
  h2loadUrl,
  perConnectionRps,
} from "../../bench/load/h2load-argv.ts";
import type { H2loadLoad } from "../../bench/load/h2load-argv.ts";
import { PROTOCOLS } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { encodePayload, makeBody } from "../../proto/codec.ts";

const load = (protocol: Protocol, over: Partial<H2loadLoad> = {}): H2loadLoad => ({
  protocol,
  host: "10.200.0.2",
  port: 40123,
  connections: 4,
  streams: 100,
  offeredRps: 1000,
  warmupMs: 2000,
  durationMs: 8000,
  bodyPath: "/tmp/x/body.bin",
  logPath: "/tmp/x/requests.log",
  ...over,
});

describe("h2load's command line, arm by arm", () => {
  it("drives http1 over HTTP/1.1, one request in flight per connection", () => {
    expect(h2loadArgv(load("http1"))).toEqual([
      "h2load", "-t", "1", "-c", "4", "-m", "1", "--rps", "250", "--warm-up-time", "2000ms", "-D", "9000ms",
      "-d", "/tmp/x/body.bin", "--log-file", "/tmp/x/requests.log", "-H", "content-type: application/x-protobuf", "--h1",
      "http://10.200.0.2:40123/wirecost.Bench/Unary",
    ]);
  });

  it("drives h2c by prior knowledge with --streams streams per connection", () => {
    expect(h2loadArgv(load("h2c", { streams: 32 }))).toEqual([
      "h2load", "-t", "1", "-c", "4", "-m", "32", "--rps", "250", "--warm-up-time", "2000ms", "-D", "9000ms",
      "-d", "/tmp/x/body.bin", "--log-file", "/tmp/x/requests.log", "-H", "content-type: application/x-protobuf",
      "http://10.200.0.2:40123/wirecost.Bench/Unary",
    ]);
  });

  it("drives h2 over https, where ALPN picks h2", () => {
    expect(h2loadArgv(load("h2")).at(-1)).toBe("https://10.200.0.2:40123/wirecost.Bench/Unary");
    expect(h2loadArgv(load("h2"))).not.toContain("--h1");
  });

  it("drives unary gRPC with its content type and te: trailers", () => {
    expect(h2loadArgv(load("grpc"))).toEqual([
      "h2load", "-t", "1", "-c", "4", "-m", "100", "--rps", "250", "--warm-up-time", "2000ms", "-D", "9000ms",
      "-d", "/tmp/x/body.bin", "--log-file", "/tmp/x/requests.log", "-H", "content-type: application/grpc", "-H", "te: trailers",
      "http://10.200.0.2:40123/wirecost.Bench/Unary",
    ]);
  });

  it("runs h2load's main duration the drain past the window, whole milliseconds", () => {
    expect(H2LOAD_DRAIN_MS).toBe(1000);
    const argv = h2loadArgv(load("h2c", { warmupMs: 0, durationMs: 1500.4 }));
    expect(argv.slice(argv.indexOf("--warm-up-time"), argv.indexOf("-D") + 2)).toEqual(["--warm-up-time", "0ms", "-D", "2500ms"]);
  });

  it("brackets an IPv6 server address in the URL", () => {
    expect(h2loadUrl("h2c", "fd00::2", 8080)).toBe("http://[fd00::2]:8080/wirecost.Bench/Unary");
    expect(h2loadUrl("h2", "127.0.0.1", 443)).toBe("https://127.0.0.1:443/wirecost.Bench/Unary");
  });

  it("takes -m from the arms table: 1 for one-at-a-time, --streams for multiplexed", () => {
    expect(h2loadStreamsPerConnection({ protocol: "http1", streams: 100 })).toBe(1);
    expect(h2loadStreamsPerConnection({ protocol: "grpc", streams: 7 })).toBe(7);
  });
});

describe("the offered rate spread over h2load's clients", () => {
  it("gives each connection R/c, written so that h2load's strtod reads back the same double", () => {
    expect(perConnectionRps(1000, 4)).toBe(250);
    const third = perConnectionRps(1000, 3);
    const text = h2loadArgv(load("h2c", { connections: 3 }))[8];
    expect(text).toBe("333.3333333333333");
    expect(Number(text)).toBe(third);
    // Three of them are 1000 to within the rounding of the last bit.
    expect(Math.abs(3 * third - 1000)).toBeLessThanOrEqual(1000 * Number.EPSILON);
    expect(h2loadArgv(load("h2c", { offeredRps: 7, connections: 8 }))[8]).toBe("0.875");
  });
});

describe("arms h2load cannot drive", () => {
  it("refuses http1-close, grpc-stream and ws with one line naming the arm and why, and drives the rest", () => {
    expect(h2loadRefusal("http1-close")).toBe(
      "h2load cannot drive http1-close: with a connection per request its --rps schedule restarts on every new connection and runs closed loop, and its connection-rate mode (-r) has no warm-up nor measured window",
    );
    expect(h2loadRefusal("grpc-stream")).toBe(
      "h2load cannot drive grpc-stream: it sends one request per stream and cannot put many messages on one long-lived bidi call",
    );
    expect(h2loadRefusal("wss")).toBe("h2load cannot drive wss: it speaks HTTP/1.1 and HTTP/2, not WebSocket");
    expect(PROTOCOLS.filter((p) => h2loadRefusal(p) === null)).toEqual(["http1", "https1", "h2c", "h2", "grpc", "grpc-tls", "nginx-http1", "nginx-h2c", "nginx-h2"]);
    expect(() => h2loadArgv(load("grpc-stream"))).toThrow(/^h2load cannot drive grpc-stream: /);
    expect(() => h2loadArgv(load("ws"))).toThrow(/^h2load cannot drive ws: it speaks HTTP\/1\.1 and HTTP\/2, not WebSocket$/);
  });
});

describe("the request h2load posts", () => {
  it("is our clients' payload for sequence number 1", () => {
    const body = h2loadRequestBody("http1", 128);
    expect(body.equals(encodePayload(1, makeBody(128)))).toBe(true);
    expect([...body.subarray(0, 6)]).toEqual([0x08, 0x01, 0x12, 0x80, 0x01, 0x00]);
    expect(body.length).toBe(133);
    expect(h2loadRequestBody("h2", 128).equals(body)).toBe(true);
  });

  it("is that payload behind gRPC's 5-byte length prefix for the gRPC arm", () => {
    const body = h2loadRequestBody("grpc", 128);
    expect(body.length).toBe(138);
    expect([...body.subarray(0, 7)]).toEqual([0x00, 0x00, 0x00, 0x00, 133, 0x08, 0x01]);
    expect(body.subarray(5).equals(encodePayload(1, makeBody(128)))).toBe(true);
  });
});

describe("the priming run", () => {
  it("is closed loop, one request in flight per connection, no rate and no duration", () => {
    expect(h2loadPrimeArgv(load("grpc", { logPath: "/tmp/x/prime.log" }), 20_000)).toEqual([
      "h2load", "-t", "1", "-c", "4", "-m", "1", "-n", "20000", "-d", "/tmp/x/body.bin", "--log-file", "/tmp/x/prime.log",
      "-H", "content-type: application/grpc", "-H", "te: trailers", "http://10.200.0.2:40123/wirecost.Bench/Unary",
    ]);
  });

  it("asks for at least one request per connection, as h2load requires", () => {
    const argv = h2loadPrimeArgv(load("http1", { connections: 8 }), 3);
    expect(argv[argv.indexOf("-n") + 1]).toBe("8");
  });
});
