import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  armOf,
  ARMS,
  ARMS_WITH_STREAMS,
  armServedBy,
  choosesGrpcClient,
  cleartextTwinOf,
  CLIENT_CHOICES,
  CLIENT_KINDS,
  clientChoiceOf,
  clientKindFor,
  chosenClientKind,
  familyOf,
  GRPC_CLIENTS,
  isProtocol,
  DEFAULT_PROTOCOLS,
  PROTOCOLS,
  tlsTwinOf,
  usesTls,
} from "../../contract/index.ts";

/** The table as the rest of the code relies on it, column by column (descriptions are checked separately). */
const EXPECTED = [
  { name: "http1", family: "http1", tls: false, connection: "keep-alive", streams: "one-at-a-time", clients: ["undici", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "https1", family: "http1", tls: true, connection: "keep-alive", streams: "one-at-a-time", clients: ["undici", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: false },
  { name: "http1-close", family: "http1", tls: false, connection: "per-request", streams: "one-at-a-time", clients: ["undici", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "https1-close", family: "http1", tls: true, connection: "per-request", streams: "one-at-a-time", clients: ["undici", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: false },
  { name: "h2c", family: "http2", tls: false, connection: "keep-alive", streams: "multiplexed", clients: ["node-http2", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "h2", family: "http2", tls: true, connection: "keep-alive", streams: "multiplexed", clients: ["node-http2", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "grpc", family: "grpc", tls: false, connection: "keep-alive", streams: "multiplexed", clients: ["grpc-js", "lean", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "grpc-tls", family: "grpc", tls: true, connection: "keep-alive", streams: "multiplexed", clients: ["grpc-js", "lean", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: false },
  { name: "grpc-stream", family: "grpc", tls: false, connection: "keep-alive", streams: "bidi-stream", clients: ["grpc-js", "lean", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "grpc-stream-tls", family: "grpc", tls: true, connection: "keep-alive", streams: "bidi-stream", clients: ["grpc-js", "lean", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: false },
  { name: "ws", family: "websocket", tls: false, connection: "keep-alive", streams: "bidi-stream", clients: ["undici-websocket", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: true },
  { name: "wss", family: "websocket", tls: true, connection: "keep-alive", streams: "bidi-stream", clients: ["undici-websocket", "wire"], connectionOpensFrom: "server-passive", server: "node", defaultRun: false },
  { name: "nginx-http1", family: "http1", tls: false, connection: "keep-alive", streams: "one-at-a-time", clients: ["undici", "wire"], connectionOpensFrom: "server-passive", server: "nginx", defaultRun: false },
  { name: "nginx-http1-close", family: "http1", tls: false, connection: "per-request", streams: "one-at-a-time", clients: ["undici", "wire"], connectionOpensFrom: "server-passive", server: "nginx", defaultRun: false },
  { name: "nginx-h2c", family: "http2", tls: false, connection: "keep-alive", streams: "multiplexed", clients: ["node-http2", "wire"], connectionOpensFrom: "server-passive", server: "nginx", defaultRun: false },
  { name: "nginx-h2", family: "http2", tls: true, connection: "keep-alive", streams: "multiplexed", clients: ["node-http2", "wire"], connectionOpensFrom: "server-passive", server: "nginx", defaultRun: false },
];

describe("the arms table", () => {
  it("has these rows, in this order", () => {
    expect(ARMS.map(({ description: _, ...columns }) => columns)).toEqual(EXPECTED);
  });

  it("names every arm once, and describes each in one line", () => {
    expect(new Set(PROTOCOLS).size).toBe(ARMS.length);
    for (const arm of ARMS) expect(arm.description).toMatch(/^[^\n]{10,120}$/);
  });

  it("lists only known client kinds, none twice in a row", () => {
    for (const arm of ARMS) {
      expect(new Set(arm.clients).size).toBe(arm.clients.length);
      for (const kind of arm.clients) expect(CLIENT_KINDS).toContain(kind);
    }
  });

  it("has a row in the README's table of arms for every arm", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(PROTOCOLS.filter((name) => !readme.includes(`| \`${name}\` |`))).toEqual([]);
  });
});

describe("what is derived from the arms table", () => {
  it("PROTOCOLS lists the arms in table order", () => {
    expect(PROTOCOLS).toEqual(["http1", "https1", "http1-close", "https1-close", "h2c", "h2", "grpc", "grpc-tls", "grpc-stream", "grpc-stream-tls", "ws", "wss", "nginx-http1", "nginx-http1-close", "nginx-h2c", "nginx-h2"]);
  });

  it("DEFAULT_PROTOCOLS keeps the default run's six arms and adds ws", () => {
    expect(DEFAULT_PROTOCOLS).toEqual(["http1", "http1-close", "h2c", "h2", "grpc", "grpc-stream", "ws"]);
  });

  it("isProtocol accepts exactly the arms' names", () => {
    for (const name of PROTOCOLS) expect(isProtocol(name)).toBe(true);
    for (const name of ["", "HTTP1", "h3", "grpc-lean", "https2", "http1 ", "h2c,h2"]) expect(isProtocol(name)).toBe(false);
  });

  it("familyOf gives each arm's server and client folder", () => {
    expect(PROTOCOLS.map(familyOf)).toEqual(["http1", "http1", "http1", "http1", "http2", "http2", "grpc", "grpc", "grpc", "grpc", "websocket", "websocket", "http1", "http1", "http2", "http2"]);
  });

  it("usesTls is true for each arm's TLS twin", () => {
    expect(PROTOCOLS.filter(usesTls)).toEqual(["https1", "https1-close", "h2", "grpc-tls", "grpc-stream-tls", "wss", "nginx-h2"]);
  });

  it("no two rows share family, connection, stream model, server and TLS, so an arm has at most one twin", () => {
    const keys = ARMS.map((arm) => `${arm.family} ${arm.connection} ${arm.streams} ${arm.server} ${arm.tls}`);
    expect(new Set(keys).size).toBe(ARMS.length);
  });

  it("cleartextTwinOf and tlsTwinOf pair each arm with its row on the other transport", () => {
    const twins = Object.fromEntries(PROTOCOLS.map((p) => [p, [cleartextTwinOf(p), tlsTwinOf(p)]]));
    expect(twins).toEqual({
      http1: [null, "https1"],
      https1: ["http1", null],
      "http1-close": [null, "https1-close"],
      "https1-close": ["http1-close", null],
      h2c: [null, "h2"],
      h2: ["h2c", null],
      grpc: [null, "grpc-tls"],
      "grpc-tls": ["grpc", null],
      "grpc-stream": [null, "grpc-stream-tls"],
      "grpc-stream-tls": ["grpc-stream", null],
      ws: [null, "wss"],
      wss: ["ws", null],
      "nginx-http1": [null, null],
      "nginx-http1-close": [null, null],
      "nginx-h2c": [null, "nginx-h2"],
      "nginx-h2": ["nginx-h2c", null],
    });
  });

  it("armOf gives the arm's own row", () => {
    for (const name of PROTOCOLS) expect(armOf(name).name).toBe(name);
    expect(armOf("grpc-stream").streams).toBe("bidi-stream");
    expect(armOf("http1-close").connection).toBe("per-request");
  });

  it("ARMS_WITH_STREAMS holds the arms that carry several requests per connection at once", () => {
    expect(ARMS_WITH_STREAMS).toEqual(["h2c", "h2", "grpc", "grpc-tls", "grpc-stream", "grpc-stream-tls", "ws", "wss", "nginx-h2c", "nginx-h2"]);
  });

  it("armServedBy returns the row for its family and names the family that serves any other arm", () => {
    expect(armServedBy("h2", "http2", "servers/http2")).toBe(armOf("h2"));
    expect(() => armServedBy("h2c", "http1", "servers/http1")).toThrow(
      new TypeError("servers/http1 does not handle h2c: contract/arms.ts gives it to http2"),
    );
    expect(() => armServedBy("grpc-stream", "http2", "clients/library/http2")).toThrow(
      new TypeError("clients/library/http2 does not handle grpc-stream: contract/arms.ts gives it to grpc"),
    );
  });
});

describe("which client drives an arm", () => {
  it("--grpc-client chooses between grpc-js and lean", () => {
    expect(GRPC_CLIENTS).toEqual(["grpc-js", "lean"]);
  });

  it("--grpc-client chooses the client of the gRPC arms only", () => {
    expect(PROTOCOLS.filter(choosesGrpcClient)).toEqual(["grpc", "grpc-tls", "grpc-stream", "grpc-stream-tls"]);
  });

  it("--client chooses between the wire-level clients and the library ones", () => {
    expect(CLIENT_CHOICES).toEqual(["wire", "library"]);
    expect(CLIENT_KINDS.map((kind) => [kind, clientChoiceOf(kind)])).toEqual([
      ["undici", "library"],
      ["node-http2", "library"],
      ["grpc-js", "library"],
      ["lean", "library"],
      ["undici-websocket", "library"],
      ["wire", "wire"],
    ]);
  });

  it("every arm has a wire client, so --client wire drives any of them", () => {
    expect(ARMS.filter((arm) => !(arm.clients as readonly string[]).includes("wire")).map((arm) => arm.name)).toEqual([]);
  });

  it("--client library is the arm's library client, --grpc-client's for gRPC; --client wire is wire whatever --grpc-client says", () => {
    const table = Object.fromEntries(
      PROTOCOLS.map((p) => [p, CLIENT_CHOICES.flatMap((choice) => GRPC_CLIENTS.map((grpc) => chosenClientKind(p, choice, grpc)))]),
    );
    expect(table).toEqual({
      http1: ["wire", "wire", "undici", "undici"],
      https1: ["wire", "wire", "undici", "undici"],
      "http1-close": ["wire", "wire", "undici", "undici"],
      "https1-close": ["wire", "wire", "undici", "undici"],
      h2c: ["wire", "wire", "node-http2", "node-http2"],
      h2: ["wire", "wire", "node-http2", "node-http2"],
      grpc: ["wire", "wire", "grpc-js", "lean"],
      "grpc-tls": ["wire", "wire", "grpc-js", "lean"],
      "grpc-stream": ["wire", "wire", "grpc-js", "lean"],
      "grpc-stream-tls": ["wire", "wire", "grpc-js", "lean"],
      ws: ["wire", "wire", "undici-websocket", "undici-websocket"],
      wss: ["wire", "wire", "undici-websocket", "undici-websocket"],
      "nginx-http1": ["wire", "wire", "undici", "undici"],
      "nginx-http1-close": ["wire", "wire", "undici", "undici"],
      "nginx-h2c": ["wire", "wire", "node-http2", "node-http2"],
      "nginx-h2": ["wire", "wire", "node-http2", "node-http2"],
    });
  });

  it("is the --grpc-client choice for the gRPC arms and the arm's own client otherwise", () => {
    const table = Object.fromEntries(PROTOCOLS.map((p) => [p, GRPC_CLIENTS.map((choice) => clientKindFor(p, choice))]));
    expect(table).toEqual({
      http1: ["undici", "undici"],
      https1: ["undici", "undici"],
      "http1-close": ["undici", "undici"],
      "https1-close": ["undici", "undici"],
      h2c: ["node-http2", "node-http2"],
      h2: ["node-http2", "node-http2"],
      grpc: ["grpc-js", "lean"],
      "grpc-tls": ["grpc-js", "lean"],
      "grpc-stream": ["grpc-js", "lean"],
      "grpc-stream-tls": ["grpc-js", "lean"],
      ws: ["undici-websocket", "undici-websocket"],
      wss: ["undici-websocket", "undici-websocket"],
      "nginx-http1": ["undici", "undici"],
      "nginx-http1-close": ["undici", "undici"],
      "nginx-h2c": ["node-http2", "node-http2"],
      "nginx-h2": ["node-http2", "node-http2"],
    });
  });
});
