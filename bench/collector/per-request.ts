/**
 * A window's cost figures from its /proc delta: issue 3's `totals` (the window's sums) and `perRequest` (divided by
 * the completed requests). What each figure is and how it is computed is in its descriptor (figures-*.ts, joined in
 * cost-figures.ts); here the tree is computed and scaled as a whole. Pure.
 */
import { COST_FIGURES, type CostFigures } from "./cost-figures.ts";
import type { SnapshotDelta } from "./delta-types.ts";
import { type CostOptions, type FigureInput, figureInput, type KernelTimeFigureInput } from "./figure-input.ts";
import { createNotes, type Scaling } from "./figure-kinds.ts";

/** Every figure of the tree from `input`, with the reasons of the null ones under `missing`. */
export function computeFigures(input: FigureInput): CostFigures {
  const notes = createNotes();
  const figures = COST_FIGURES.compute(input, "", notes);
  return { ...figures, missing: notes.missing() };
}

/**
 * `totals` with every counter divided by `requests` and facts (`cpuUs.cpus`) kept. With no completed request there
 * is no per-request figure: each counter is null, with the reason.
 */
export function scaleFigures(totals: CostFigures, requests: number): CostFigures {
  const by: Scaling =
    requests > 0
      ? { apply: (value) => value / requests, reason: "" }
      : { apply: () => null, reason: `no completed requests (${requests})` };
  const notes = createNotes(totals.missing);
  const figures = COST_FIGURES.scale(totals, "", by, notes);
  return { ...figures, missing: notes.missing() };
}

/** The window's sums (issue 3's `totals`); `kernelTime` is the eBPF collector's window, when it ran. */
export function windowTotals(delta: SnapshotDelta, options: CostOptions = {}, kernelTime: KernelTimeFigureInput | null = null): CostFigures {
  return computeFigures(figureInput(delta, options, kernelTime));
}

/** Issue 3's `perRequest`: the window's sums divided by the completed requests. */
export function perRequest(delta: SnapshotDelta, requests: number, options: CostOptions = {}, kernelTime: KernelTimeFigureInput | null = null): CostFigures {
  return scaleFigures(windowTotals(delta, options, kernelTime), requests);
}
