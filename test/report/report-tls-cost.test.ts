/**
 * The relative table per transport and the cost of TLS: cleartext arms against the baseline, TLS arms against its
 * TLS twin (or a stand-in the report names), and each TLS arm against its cleartext twin, on hand-made results.
 */
import { describe, expect, it } from "vitest";
import { toHtml } from "../../bench/report/html.ts";
import { toMarkdown } from "../../bench/report/markdown.ts";
import { formatDifference } from "../../bench/results/format.ts";
import type { RunResult, ScenarioResult } from "../../bench/results/schema.ts";
import { pairedDifference } from "../../bench/results/stats.ts";
import { tlsCosts, tlsPairs, transportGroups } from "../../bench/results/transport-view.ts";
import { clientKindFor } from "../../contract/index.ts";
import type { Protocol } from "../../contract/index.ts";
import { errored, run, scenario } from "./make-result.ts";
import { baselineFlag } from "../../bench/report/cli.ts";
import { userServerEntry } from "../support/user-server-entry.ts";

const markdown = (r: RunResult, baselineProtocol = "http1"): string => toMarkdown(r, { baselineProtocol, charts: [] });

/** The lines of one `## ` section of report.md, its heading first. */
function section(md: string, heading: string): string[] {
  const lines = md.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`## ${heading}`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start, end).filter((l) => l !== "");
}

/**
 * http1, https1, h2c and h2 over two repeats. Packets per request: http1 2 and 2, https1 2.5 and 3, h2c 2 and 2,
 * h2 3 and 3. Server CPU: http1 100 and 110, https1 150 and 165 (1.5× in both), h2c 120 and 132, h2 180 and 198.
 */
function bothTransports(): RunResult {
  const figures: Record<string, [packets: number, serverRun: number, bytes: number][]> = {
    http1: [[2, 100, 1000], [2, 110, 1000]],
    https1: [[2.5, 150, 1100], [3, 165, 1100]],
    h2c: [[2, 120, 800], [2, 132, 800]],
    h2: [[3, 180, 900], [3, 198, 900]],
  };
  return run(
    [1, 2].flatMap((repeat) =>
      (["http1", "https1", "h2c", "h2"] as const).map((protocol) => {
        const [packets, serverRun, bytes] = figures[protocol]?.[repeat - 1] ?? [0, 0, 0];
        return scenario({ protocol, repeat, packets, serverRun, bytes });
      }),
    ),
  );
}

function oneRepeat(protocols: readonly Protocol[]): RunResult {
  return run(protocols.map((protocol) => scenario({ protocol, repeat: 1 })));
}

describe("the relative table, per transport", () => {
  const result = bothTransports();

  it("compares cleartext arms with the baseline and TLS arms with its TLS twin", () => {
    expect(transportGroups(result, "http1")).toEqual([
      { transport: "cleartext", baseline: "http1", chosen: "asked", twin: null, series: ["h2c"] },
      { transport: "tls", baseline: "https1", chosen: "twin", twin: null, series: ["h2"] },
    ]);
    const lines = section(markdown(result), "Relative to");
    expect(lines[0]).toBe("## Relative to http1 and https1");
    expect(lines).toContain("| × http1 | h2c |");
    expect(lines).toContain("| × https1 | h2 |");
    // h2 ÷ https1: 3/2.5 = 1.2 and 3/3 = 1, mean 1.1, SD 0.1414; h2c ÷ http1: 1.2 in both repeats.
    expect(lines.filter((l) => l.startsWith("| packets/req |"))).toEqual(["| packets/req | 1.00 ± 0.00× |", "| packets/req | 1.10 ± 0.14× |"]);
    expect(lines.filter((l) => l.startsWith("| CPU µs/req server |"))).toEqual(["| CPU µs/req server | 1.20 ± 0.00× |", "| CPU µs/req server | 1.20 ± 0.00× |"]);
    expect(lines).toContain(
      "Each transport has its own baseline, so that no factor mixes a protocol's cost with TLS's: the cleartext arms are relative to http1; the TLS arms are relative to https1, the TLS twin of http1. Cost of TLS compares each TLS arm with its cleartext twin.",
    );
    expect(lines).toContain(
      'Each factor is the mean over repeats of (protocol in repeat r) ÷ (its baseline in repeat r), ± the sample standard deviation of those ratios (n − 1). Pairing by repeat cancels drift between repeats, which the run interleaves; a pair with a missing or excluded figure is dropped, and "(n=…)" says how many pairs were left.',
    );
  });

  it("writes each headline sentence against its own transport's baseline, never a TLS arm against a cleartext one", () => {
    const sentences = section(markdown(result), "Relative to").filter((l) => l.startsWith("- "));
    expect(sentences.map((l) => l.slice(0, l.indexOf(","))).sort()).toEqual([
      "- **h2** used 1.10 ± 0.14× the packets per request of https1",
      "- **h2c** used 1.00 ± 0.00× the packets per request of http1",
    ]);
  });

  it("puts the asked baseline's transport first when it is a TLS arm", () => {
    expect(transportGroups(result, "https1")).toEqual([
      { transport: "tls", baseline: "https1", chosen: "asked", twin: null, series: ["h2"] },
      { transport: "cleartext", baseline: "http1", chosen: "twin", twin: null, series: ["h2c"] },
    ]);
    expect(section(markdown(result, "https1"), "Relative to")[0]).toBe("## Relative to https1 and http1");
  });

  it("stands the first TLS arm in for a missing TLS twin of the baseline, and says so", () => {
    const r = oneRepeat(["http1", "h2c", "h2", "grpc-tls"]);
    expect(transportGroups(r, "http1")).toEqual([
      { transport: "cleartext", baseline: "http1", chosen: "asked", twin: null, series: ["h2c"] },
      { transport: "tls", baseline: "h2", chosen: "stand-in", twin: "https1", series: ["grpc-tls"] },
    ]);
    const lines = section(markdown(r), "Relative to");
    expect(lines[0]).toBe("## Relative to http1 and h2");
    expect(lines).toContain(
      "Each transport has its own baseline, so that no factor mixes a protocol's cost with TLS's: the cleartext arms are relative to http1; the TLS arms are relative to h2, the first of them, since this run has no https1, the TLS twin of http1. Cost of TLS compares each TLS arm with its cleartext twin.",
    );
    expect(lines).toContain("One repeat: each factor is a single ratio, protocol ÷ its baseline, without a spread.");
    expect(lines).toContain("| × h2 | grpc-tls |");
  });

  it("compares a run's only TLS arm with no cleartext arm when the baseline's twin is missing, and says why", () => {
    const lines = section(markdown(oneRepeat(["http1", "h2"])), "Relative to");
    expect(lines).toEqual([
      "## Relative to http1",
      "Each transport has its own baseline, so that no factor mixes a protocol's cost with TLS's: http1 is the run's only cleartext arm; h2 is the run's only TLS arm and is compared with no other, since this run has no https1, the TLS twin of http1.",
    ]);
  });

  it("leaves the section out when the only comparison is twin against twin", () => {
    const md = markdown(oneRepeat(["http1", "https1"]));
    expect(section(md, "Relative to")).toEqual([]);
    expect(section(md, "Cost of TLS")[0]).toBe("## Cost of TLS");
  });

  it("keeps a run without TLS arms as it was: one table, no transport sentence", () => {
    const lines = section(markdown(oneRepeat(["http1", "h2c", "grpc"])), "Relative to");
    expect(lines[0]).toBe("## Relative to http1");
    expect(lines.filter((l) => l.includes("transport"))).toEqual([]);
    expect(lines).toContain("One repeat: each factor is a single ratio, protocol ÷ http1, without a spread.");
    expect(lines).toContain("| × http1 | h2c | grpc |");
  });
});

describe("the cost of TLS", () => {
  const result = bothTransports();

  it("pairs each TLS arm with its cleartext twin, in the run's order, and only when both ran", () => {
    expect(tlsPairs(result)).toEqual([
      { tls: "https1", cleartext: "http1" },
      { tls: "h2", cleartext: "h2c" },
    ]);
    expect(tlsPairs(oneRepeat(["http1", "h2c", "h2", "grpc-tls"]))).toEqual([{ tls: "h2", cleartext: "h2c" }]);
    expect(tlsPairs(oneRepeat(["http1", "h2", "grpc"]))).toEqual([]);
    expect(markdown(oneRepeat(["http1", "h2", "grpc"]))).not.toContain("Cost of TLS");
  });

  it("gives each figure as the mean of per-repeat ratios and differences against the twin", () => {
    const rows = new Map(tlsCosts(result, tlsPairs(result)).map((r) => [r.metric, r]));
    // https1 ÷ http1 packets: 2.5/2 = 1.25 and 3/2 = 1.5; differences 0.5 and 1.
    expect(rows.get("packetsPerRequest")?.ratio.get("https1")).toEqual({ n: 2, mean: 1.375, sd: Math.sqrt(0.03125), min: 1.25, max: 1.5 });
    expect(rows.get("packetsPerRequest")?.difference.get("https1")).toEqual({ n: 2, mean: 0.75, sd: Math.sqrt(0.125), min: 0.5, max: 1 });
    // h2 ÷ h2c server CPU: 180/120 = 198/132 = 1.5; differences 60 and 66.
    expect(rows.get("cpuServerUsPerRequest")?.ratio.get("h2")).toEqual({ n: 2, mean: 1.5, sd: 0, min: 1.5, max: 1.5 });
    expect(rows.get("cpuServerUsPerRequest")?.difference.get("h2")).toEqual({ n: 2, mean: 63, sd: Math.sqrt(18), min: 60, max: 66 });
  });

  it("renders both tables, factors and signed differences, with the spread over repeats", () => {
    const lines = section(markdown(result), "Cost of TLS");
    expect(lines.filter((l) => l.startsWith("| "))).toEqual([
      "| TLS ÷ cleartext | https1 ÷ http1 | h2 ÷ h2c |",
      "| :--- | ---: | ---: |",
      "| latency p50 | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| latency p99 | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| latency p99.9 | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| packets/req | 1.38 ± 0.18× | 1.50 ± 0.00× |",
      "| bytes/req | 1.10 ± 0.00× | 1.13 ± 0.00× |",
      "| TCP segments/req | 1.38 ± 0.18× | 1.50 ± 0.00× |",
      "| NET softirqs/req | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| ctx switches/req server | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| ctx switches/req client | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| CPU µs/req server | 1.50 ± 0.00× | 1.50 ± 0.00× |",
      "| CPU µs/req client | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| CPU µs/req kernel | 1.00 ± 0.00× | 1.00 ± 0.00× |",
      "| TLS − cleartext | https1 − http1 | h2 − h2c |",
      "| :--- | ---: | ---: |",
      "| latency p50 µs | 0 ± 0 | 0 ± 0 |",
      "| latency p99 µs | 0 ± 0 | 0 ± 0 |",
      "| latency p99.9 µs | 0 ± 0 | 0 ± 0 |",
      "| packets/req | +0.750 ± 0.354 | +1.000 ± 0.000 |",
      "| bytes/req | +100 ± 0 | +100 ± 0 |",
      "| TCP segments/req | +0.750 ± 0.354 | +1.000 ± 0.000 |",
      "| NET softirqs/req | 0.00 ± 0.00 | 0.00 ± 0.00 |",
      "| ctx switches/req server | 0.00 ± 0.00 | 0.00 ± 0.00 |",
      "| ctx switches/req client | 0.00 ± 0.00 | 0.00 ± 0.00 |",
      "| CPU µs/req server | +52.5 ± 3.5 | +63.0 ± 4.2 |",
      "| CPU µs/req client | 0.0 ± 0.0 | 0.0 ± 0.0 |",
      "| CPU µs/req kernel | 0.0 ± 0.0 | 0.0 ± 0.0 |",
    ]);
    expect(lines.filter((l) => l.startsWith("- "))).toEqual([
      "- **https1** used 1.38 ± 0.18× the packets per request of http1, 1.00 ± 0.00× the NET_RX + NET_TX softirq runs per request, 1.50 ± 0.00× the server CPU per request and 1.00 ± 0.00× the client CPU per request.",
      "- **h2** used 1.50 ± 0.00× the packets per request of h2c, 1.00 ± 0.00× the NET_RX + NET_TX softirq runs per request, 1.50 ± 0.00× the server CPU per request and 1.00 ± 0.00× the client CPU per request.",
    ]);
  });

  it("says how many pairs were left when a repeat of one twin errored", () => {
    const r = { ...result, scenarios: result.scenarios.map((s): ScenarioResult => (s.name === "h2#2" ? errored("h2", 2) : s)) };
    const lines = section(markdown(r), "Cost of TLS");
    expect(lines).toContain("| packets/req | 1.38 ± 0.18× | 1.50× (n=1) |");
    expect(lines).toContain("| packets/req | +0.750 ± 0.354 | +1.000 (n=1) |");
  });

  it("is in report.html too, its text escaped like the rest", () => {
    const html = toHtml(result, { baselineProtocol: "http1", charts: [] });
    expect(html).toContain("<h2>Cost of TLS</h2>");
    expect(html).toContain('<thead><tr><th>TLS − cleartext</th><th class="r">https1 − http1</th><th class="r">h2 − h2c</th></tr></thead>');
    expect(html).toContain("<li><strong>h2</strong> used 1.50 ± 0.00× the packets per request of h2c,");
  });
});

describe("series with clients", () => {
  /** `s` driven by the wire client, and again by its arm's library client under a later --client. */
  function byBoth(s: ScenarioResult): ScenarioResult[] {
    return [{ ...s, client: "wire" }, { ...s, name: s.name.replace(s.protocol, `${s.protocol}~library`), client: clientKindFor(s.protocol, "grpc-js") }];
  }

  function twoClients(protocols: readonly Protocol[]): RunResult {
    const base = run(protocols.flatMap((protocol) => byBoth(scenario({ protocol, repeat: 1 }))));
    return { ...base, config: { ...base.config, client: ["wire", "library"] } };
  }

  it("pairs twins driven by the same client, and takes the TLS baseline with the baseline's client", () => {
    const r = twoClients(["http1", "https1", "h2"]);
    expect(tlsPairs(r)).toEqual([
      { tls: "https1", cleartext: "http1" },
      { tls: "https1~library", cleartext: "http1~library" },
    ]);
    expect(transportGroups(r, "http1~library")).toEqual([
      { transport: "cleartext", baseline: "http1~library", chosen: "asked", twin: null, series: ["http1"] },
      { transport: "tls", baseline: "https1~library", chosen: "twin", twin: null, series: ["https1", "h2", "h2~library"] },
    ]);
  });

  it("stands in a TLS arm driven by the baseline's client before another client's", () => {
    const r = twoClients(["http1", "h2c", "h2"]);
    expect(transportGroups(r, "http1~library")[1]).toEqual({ transport: "tls", baseline: "h2~library", chosen: "stand-in", twin: "https1~library", series: ["h2"] });
    expect(transportGroups(r, "http1")[1]).toEqual({ transport: "tls", baseline: "h2", chosen: "stand-in", twin: "https1", series: ["h2~library"] });
  });
});

describe("a paired difference", () => {
  it("is the mean of per-repeat differences, keeping a zero baseline and dropping a missing value", () => {
    expect(pairedDifference(new Map([[1, 3], [2, null], [3, 5]]), new Map([[1, 0], [2, 4], [3, 1]]))).toEqual({ n: 2, mean: 3.5, sd: Math.SQRT1_2, min: 3, max: 4 });
    expect(pairedDifference(new Map([[1, null]]), new Map([[1, 2]]))).toBeNull();
  });

  it("is signed when it adds, bare when it rounds to zero", () => {
    expect(formatDifference({ n: 2, mean: 0.75, sd: 0.125, min: 0, max: 0 }, 3)).toBe("+0.750 ± 0.125");
    expect(formatDifference({ n: 1, mean: -12.34, sd: null, min: 0, max: 0 }, 1)).toBe("-12.3");
    expect(formatDifference({ n: 1, mean: 0.0004, sd: null, min: 0, max: 0 }, 3)).toBe("0.000");
    expect(formatDifference({ n: 1, mean: -0.0004, sd: null, min: 0, max: 0 }, 3)).toBe("0.000");
    expect(formatDifference(null, 3)).toBe("–");
  });
});

describe("what the TLS arms negotiated", () => {
  it("lists each TLS series' version, suite and ALPN, and the resumed handshakes where its client counted them", () => {
    const tlsOf = (protocol: Protocol, repeat: number): Record<string, unknown> | undefined => {
      if (protocol === "https1-close") return { version: "TLSv1.2", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256", alpn: "http/1.1", group: "X25519", handshakes: { full: repeat === 1 ? 1 : 0, resumed: 499 } };
      if (protocol === "h2") return { version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384*<b>", alpn: "h2" };
      if (protocol === "https1") return { version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", alpn: "http/1.1", handshakes: { full: 0, resumed: 0 } };
      return undefined;
    };
    const result = run(
      [1, 2].flatMap((repeat) =>
        (["http1", "https1", "http1-close", "https1-close", "h2c", "h2"] as const).map((protocol) => {
          const s = scenario({ protocol, repeat }) as ScenarioResult & Record<string, unknown>;
          const tls = tlsOf(protocol, repeat);
          return (tls === undefined ? s : { ...s, tls }) as ScenarioResult;
        }),
      ),
    );
    const lines = section(markdown(result), "Cost of TLS");
    expect(lines).toContain("What the TLS arms negotiated (the scenarios' `tls` in result.json):");
    expect(lines).toContain("- **https1-close**: TLSv1.2, ECDHE-ECDSA-AES128-GCM-SHA256, key exchange X25519, ALPN http/1.1; 998 of 999 handshakes in the measured windows resumed a session");
    expect(lines).toContain("- **https1**: TLSv1.3, TLS\\_AES\\_128\\_GCM\\_SHA256, ALPN http/1.1; no handshake in the measured windows (its connections opened before them)");
    // A cipher name is data from result.json: its marks are escaped, its HTML neutralised by the writer.
    expect(lines.find((l) => l.startsWith("- **h2**:"))).toBe("- **h2**: TLSv1.3, TLS\\_AES\\_256\\_GCM\\_SHA384\\*&lt;b&gt;, ALPN h2");
  });
});

describe("a series that did not carry its load steadily", () => {
  it("is marked in the factor tables' headers, with a note naming it", () => {
    const result = run(
      [1, 2].flatMap((repeat) =>
        (["http1", "https1", "http1-close", "https1-close"] as const).map((protocol) => scenario({ protocol, repeat, saturated: protocol === "https1-close" && repeat === 2 })),
      ),
    );
    const md = markdown(result);
    const note =
      "† https1-close: a scenario was SATURATED or limited by the server (Caveats), so the factors compare the load it carried, not a steady offered rate, and its latency is an overloaded one.";
    expect(section(md, "Relative to")).toContain("| × https1 | https1-close † |");
    expect(section(md, "Relative to")).toContain(note);
    expect(section(md, "Cost of TLS")).toContain("| TLS ÷ cleartext | https1 ÷ http1 | https1-close † ÷ http1-close |");
    expect(section(md, "Cost of TLS")).toContain(note);
    expect(section(md, "Relative to")).toContain("| × http1 | http1-close |");
  });
});

describe("a scenario answered by a server that is not ours", () => {
  it("is named in the caveats with its version and what its answers were checked for, result strings escaped", () => {
    const foreignServer = { name: "nginx", version: "nginx version: nginx/1.22.1", argv: ["nginx"], config: "", verified: "status 200 and the *fixed* answer" };
    const result = run([
      scenario({ protocol: "http1", repeat: 1 }),
      { ...scenario({ protocol: "nginx-http1", repeat: 1 }), foreignServer } as ScenarioResult,
    ]);
    expect(section(markdown(result), "Caveats")).toContain(
      "- **Not our server in 1 of 2 scenarios**: nginx-http1#1 (nginx version: nginx/1.22.1: status 200 and the \\*fixed\\* answer). Its command line and config are in result.json (`foreignServer`).",
    );
  });
});

describe("a user server's series (a config file's servers entry)", () => {
  /** http1 and h2 from our servers, and a user server "my-h2" speaking h2, named after itself. */
  function withUserServer(): RunResult {
    const base = bothTransports();
    const mine = [1, 2].map((repeat) => ({ ...scenario({ protocol: "h2", repeat, packets: 5, serverRun: 60 }), name: `my-h2#${repeat}`, subject: "my-h2" }));
    const entry = userServerEntry({ name: "my-h2", protocol: "h2", command: ["/bin/true"] });
    return { ...base, config: { ...base.config, servers: [entry] }, scenarios: [...base.scenarios, ...mine] };
  }

  it("is a TLS series of its own, beside the arms of its transport, and no arm's twin", () => {
    const result = withUserServer();
    expect(transportGroups(result, "http1")).toEqual([
      { transport: "cleartext", baseline: "http1", chosen: "asked", twin: null, series: ["h2c"] },
      { transport: "tls", baseline: "https1", chosen: "twin", twin: null, series: ["h2", "my-h2"] },
    ]);
    expect(tlsPairs(result)).toEqual([
      { tls: "https1", cleartext: "http1" },
      { tls: "h2", cleartext: "h2c" },
    ]);
  });

  it("can be the baseline, its transport read from the run's config even where the view has no scenario of it", () => {
    const result = withUserServer();
    expect(transportGroups(result, "my-h2")[0]).toEqual({ transport: "tls", baseline: "my-h2", chosen: "asked", twin: null, series: ["https1", "h2"] });
    const without = { ...result, scenarios: result.scenarios.filter((s) => s.subject === undefined) };
    expect(transportGroups(without, "my-h2")[0]?.transport).toBe("tls");
    expect(baselineFlag("my-h2")).toBe("my-h2");
    expect(baselineFlag("my-h2~library")).toBe("my-h2~library");
    expect(() => baselineFlag("My Server")).toThrow(/^--baseline-protocol My Server: unknown protocol; choose one of /);
  });
});
