/**
 * The rules between options, which no single row can state: one way to set the offered load (--rps, --pps or a
 * sweep), and the sweep's flags only with --sweep, its rates bounded and counted by --by.
 */
import { UsageError } from "../support/errors.ts";
import { unitLabel } from "../sweep/plan.ts";
import type { SweepConfig } from "./config.ts";
import { option } from "./options.ts";
import { isOn, sourceOf, valueOf } from "./read-option.ts";
import type { RawInputs } from "./read-option.ts";
import { positiveNumber } from "./values.ts";

/** --pps, unless --rps or a sweep sets the load as well. */
export function resolvePps(inputs: RawInputs): number | null {
  const source = sourceOf(option("pps"), inputs);
  if (source === undefined) return null;
  const rps = sourceOf(option("rps"), inputs);
  if (rps !== undefined) throw new UsageError("WC_BAD_FLAG", `${source.label} and ${rps.label} both set the offered load; keep one`);
  if (isOn(option("sweep"), inputs)) {
    throw new UsageError("WC_BAD_FLAG", `${source.label} with --sweep: a sweep sets its own rates; sweep packet rates with --sweep --by pps --from N --to N`);
  }
  return valueOf("pps", inputs);
}

export function resolveSweep(inputs: RawInputs): SweepConfig | null {
  const bySource = sourceOf(option("by"), inputs);
  const from = sourceOf(option("from"), inputs);
  const to = sourceOf(option("to"), inputs);
  if (!isOn(option("sweep"), inputs)) {
    if (bySource !== undefined) throw new UsageError("WC_BAD_FLAG", `${bySource.label} only applies to a sweep; add --sweep, or offer one packet rate with --pps N`);
    const stray = [from, to, sourceOf(option("steps"), inputs), sourceOf(option("spacing"), inputs)].find((s) => s !== undefined);
    if (stray !== undefined) throw new UsageError("WC_BAD_FLAG", `${stray.label} only applies to a sweep; add --sweep, or drop it`);
    // A boolean has no source text: it is on, or not.
    if (isOn(option("past-saturation"), inputs)) throw new UsageError("WC_BAD_FLAG", "--past-saturation only applies to a sweep; add --sweep, or drop it");
    return null;
  }
  const by = valueOf("by", inputs);
  const unit = unitLabel(by);
  if (from === undefined || to === undefined) {
    const example = by === "rps" ? "--sweep --from 1000 --to 30000 --steps 5" : "--sweep --by pps --from 20000 --to 200000 --steps 5";
    throw new UsageError("WC_BAD_FLAG", `--sweep needs --from and --to (offered ${unit}), e.g. ${example}`);
  }
  if (by === "pps") {
    // By pps each step's request rate is calibrated; a request rate given as well would be silently ignored.
    const rps = sourceOf(option("rps"), inputs);
    if (rps !== undefined) throw new UsageError("WC_BAD_FLAG", `${rps.label} with --sweep --by pps: each step's request rate is calibrated from its packet rate; drop ${rps.label}`);
  }
  // A sweep's rates are bounded as --rps or --pps are.
  const max = option(by).max;
  const fromRate = positiveNumber(from, 1, max, option("from").fix.replace("{unit}", unit));
  const toRate = positiveNumber(to, 1, max, option("to").fix.replace("{unit}", unit));
  if (toRate <= fromRate) throw new UsageError("WC_BAD_VALUE", `${to.label} ${toRate}: must be above --from ${fromRate}`);
  const spacing = valueOf("spacing", inputs);
  return { by, from: fromRate, to: toRate, steps: valueOf("steps", inputs), spacing, pastSaturation: valueOf("past-saturation", inputs) };
}
