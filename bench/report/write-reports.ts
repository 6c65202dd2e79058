/**
 * The I/O edge of reports: read a run directory's result.json, render every chart and exporter, write them all
 * beside it. Each file is written atomically (temp + rename), so a reader never sees half a report.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../support/atomic-write.ts";
import { UsageError } from "../support/errors.ts";
import { chartFileName } from "./doc.ts";
import { EXPORTERS } from "./exporter.ts";
import { loadRun } from "../results/load-run.ts";
import { renderCharts } from "./render-charts.ts";
import { chooseBaseline, seriesIn } from "../results/run-view.ts";
import type { Series } from "../results/series.ts";

export interface WriteReportsOptions {
  /** A series: an arm, or `arm~client`. Default http1 (or the run's first series when it has no http1). */
  readonly baselineProtocol?: Series;
  /** Chart library warnings (stderr in the CLI); default: dropped. */
  readonly warn?: (line: string) => void;
}

/**
 * Writes report.md, report.csv, report.html and one .svg per chart next to `<runDir>/result.json` and returns the
 * paths written. Throws a UsageError when the directory holds no wirecost.result file or the baseline protocol
 * is not in the run. Called by `npm run report` and at the end of `npm run bench`.
 */
export async function writeReports(runDir: string, options: WriteReportsOptions = {}): Promise<string[]> {
  const { dir, result } = loadRun(runDir);
  const baselineProtocol = chooseBaseline(result, options.baselineProtocol);
  if (baselineProtocol === null) {
    throw new UsageError("WC_BAD_VALUE", `--baseline-protocol ${options.baselineProtocol ?? ""}: not in this run; choose one of ${seriesIn(result).join(", ")}`);
  }
  const { charts, warnings } = await renderCharts(result);
  for (const w of warnings) options.warn?.(w);
  const written: string[] = [];
  const write = (name: string, content: string): void => {
    const path = join(dir, name);
    writeFileAtomic(path, content);
    written.push(path);
  };
  // SVGs first: report.md links them, so they exist by the time it does.
  for (const chart of charts) write(chartFileName(chart.id), `${chart.svg}\n`);
  for (const exporter of EXPORTERS) write(exporter.fileName, exporter.render(result, { baselineProtocol, charts }));
  return written;
}
