/** `--past-saturation`: a sweep that keeps stepping a saturated protocol, for the receive-livelock question. */
import { describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import { UsageError } from "../../bench/support/errors.ts";

const sweepOf = (argv: string[]) => {
  const config = configFromArgv(argv);
  if (config === "help") throw new Error("help");
  return config.sweep;
};

describe("--past-saturation", () => {
  it("is off in a sweep unless asked, and on when asked", () => {
    expect(sweepOf(["--sweep", "--from", "1000", "--to", "5000"])?.pastSaturation).toBe(false);
    expect(sweepOf(["--sweep", "--from", "1000", "--to", "5000", "--past-saturation"])?.pastSaturation).toBe(true);
  });

  it("is refused without --sweep, as every sweep flag is", () => {
    expect(() => configFromArgv(["--past-saturation"])).toThrow(new UsageError("WC_BAD_FLAG", "--past-saturation only applies to a sweep; add --sweep, or drop it"));
  });
});
