/**
 * The frozen run's collector inputs (test/fixtures/frozen/<protocol>-inputs.json). They were captured when the sampler
 * still kept every lean sample: the samples are replayed here through the sampler's own steps (a point per interval,
 * into a bounded series) to give the series the sampler now hands over.
 */
import { readFileSync } from "node:fs";
import { createBoundedSeries } from "../../bench/collector/bounded-series.ts";
import type { Snapshot } from "../../bench/collector/index.ts";
import { mergeTimeSeriesPoints, toTimeSeries } from "../../bench/collector/time-series.ts";
import type { GeneratorReport } from "../../bench/load/report.ts";
import type { KernelFigureInputs } from "../../bench/run/measure.ts";

export function frozenInputs(protocol: string): { inputs: KernelFigureInputs; report: GeneratorReport } {
  const captured = JSON.parse(readFileSync(new URL(`../fixtures/frozen/${protocol}-inputs.json`, import.meta.url), "utf8")) as {
    inputs: Omit<KernelFigureInputs, "timeSeries"> & { samples: Snapshot[] };
    report: GeneratorReport;
  };
  const { samples, ...rest } = captured.inputs;
  const series = createBoundedSeries(mergeTimeSeriesPoints);
  for (const point of toTimeSeries(samples)) series.push(point);
  return { inputs: { ...rest, timeSeries: { points: series.points(), recorded: series.recorded, stride: series.stride } }, report: captured.report };
}
