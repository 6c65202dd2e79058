import { describe, expect, it } from "vitest";
import { parseRate } from "../../bench/topology/rate-limit.ts";

describe("parsing --rate-limit text", () => {
  it.each([
    ["100mbit", 100_000_000],
    ["1gbit", 1_000_000_000],
    ["500kbit", 500_000],
    ["1.5mbit", 1_500_000],
    ["100Mbit", 100_000_000],
    ["2000", 2000],
    ["2000bit", 2000],
    ["1mibit", 1_048_576],
    ["1kibit", 1024],
    ["1mbps", 8_000_000],
    ["10kbps", 80_000],
    ["1tbit", 1_000_000_000_000],
    [" 64kbit\n", 64_000],
  ])("reads %j as %d bits per second, with tc's units", (text, bits) => {
    expect(parseRate(text)).toBe(bits);
  });

  it.each(["", "mbit", "100 mbit", "-5mbit", "0", "0mbit", "1e6", "100mb", "100 M", "fast", "1.mbit", "0.0001bit"])(
    "refuses %j",
    (text) => {
      expect(parseRate(text)).toBeNull();
    },
  );
});
