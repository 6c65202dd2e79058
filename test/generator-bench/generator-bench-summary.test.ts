import { describe, expect, it } from "vitest";
import type { RowSamples, Sample } from "../../bench/generator-bench/summary.ts";
import { capacityRps, ratioToH2load, spread, TABLE_HEADER, tableLine } from "../../bench/generator-bench/summary.ts";
import { targetLines } from "../../bench/generator-bench/targets.ts";

const sample = (cpuUsPerRequest: number, onSchedule = true, achievedRps = 20_000, serverLimited = false): Sample => ({ cpuUsPerRequest, achievedRps, onSchedule, serverLimited, offScheduleReasons: [] });

const rows: RowSamples[] = [
  { protocol: "http1", kind: "wire", rps: 20_000, samples: [sample(12), sample(10), sample(14)] },
  { protocol: "http1", kind: "undici", rps: 20_000, samples: [sample(26), sample(27), sample(25)] },
  { protocol: "http1", kind: "h2load", rps: 20_000, samples: [sample(8), sample(9), sample(7)] },
  { protocol: "grpc", kind: "wire", rps: 20_000, samples: [sample(20), sample(30)] },
  { protocol: "grpc-stream", kind: "wire", rps: 20_000, samples: [sample(15)] },
  { protocol: "http1", kind: "wire", rps: 40_000, samples: [sample(9, true, 40_000), sample(9, false, 39_000)] },
  // On schedule with the server as the limit: the sends left on time, the server answered 28 000.
  { protocol: "grpc-stream", kind: "wire", rps: 40_000, samples: [sample(11, true, 40_001), sample(12, true, 28_000, true)] },
];

describe("bench:generator's figures", () => {
  it("give each row's CPU per request as median (min–max), its ratio to h2load's and one core's capacity", () => {
    expect(spread([12, 10, 14])).toBe("12.0 (10.0–14.0)");
    expect(spread([15])).toBe("15.0");
    expect(ratioToH2load(rows, rows[0] as RowSamples)).toBe(12 / 8);
    expect(ratioToH2load(rows, rows[2] as RowSamples)).toBeNull();
    expect(ratioToH2load(rows, rows[3] as RowSamples)).toBeNull();
    expect(capacityRps(12.5)).toBe(80_000);
    expect(capacityRps(null)).toBeNull();
  });

  it("print a Markdown line per row", () => {
    expect([...TABLE_HEADER, ...rows.slice(0, 4).map((r) => tableLine(rows, r)), tableLine(rows, rows[5] as RowSamples)]).toEqual([
      "| arm | client | rate req/s | CPU µs/req, median (min–max) | h2load µs/req | ÷ h2load | one core's capacity req/s | on schedule | achieved req/s |",
      "|---|---|---|---|---|---|---|---|---|",
      "| http1 | wire | 20000 | 12.0 (10.0–14.0) | 8.0 | 1.50× | 83333 | 3/3 | 20000 |",
      "| http1 | undici | 20000 | 26.0 (25.0–27.0) | 8.0 | 3.25× | 38462 | 3/3 | 20000 |",
      "| http1 | h2load | 20000 | 8.0 (7.0–9.0) | - | - | 125000 | 3/3 | 20000 |",
      "| grpc | wire | 20000 | 25.0 (20.0–30.0) | - | - | 40000 | 2/2 | 20000 |",
      "| http1 | wire | 40000 | 9.0 (9.0–9.0) | - | - | 111111 | 1/2 | 39500 |",
    ]);
  });

  it("judge issue 10's targets on our rows, h2load left out, saying which rate is missing", () => {
    expect(targetLines(rows)).toEqual([
      "issue 10's targets (our clients; h2load is the reference):",
      "  CPU per request ≤ 1.5× h2load's at 20000 req/s (http1, h2c, grpc): http1 wire 1.50× met, http1 undici 3.25× NOT MET, grpc wire no h2load figure",
      "  one core's capacity at 20000 req/s (http1 ≥ 60000, h2c ≥ 60000, grpc-stream ≥ 60000, grpc ≥ 40000): http1 wire 83333 met, http1 undici 38462 NOT MET, grpc wire 40000 met, grpc-stream wire 66667 met",
      "  on schedule at 40000 req/s, every repeat: http1 wire 1/2 NOT MET, grpc-stream wire 2/2 (server's limit 1) met",
    ]);
    expect(targetLines(rows.filter((r) => r.rps !== 40_000)).at(-1)).toBe("  on schedule at 40000 req/s, every repeat: not measured (add 40000 to --rates)");
  });
});
