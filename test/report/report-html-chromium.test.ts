/**
 * Opens report.html in Debian's headless Chromium (driven by playwright-core, which downloads no browser) and checks
 * what a reader would see: every chart drawn, nothing logged as an error, nothing fetched but the file itself.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART_IDS, SWEEP_CHART_IDS } from "../../bench/report/doc.ts";
import { writeReports } from "../../bench/report/write-reports.ts";
import { FIXTURE_PATH, SWEEP_FIXTURE_PATH } from "./make-result.ts";

const CHROMIUM = process.env.WIRECOST_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const title = haveChromium
  ? "report.html in headless Chromium"
  : `report.html in headless Chromium (skipped: ${CHROMIUM} is not installed; npm run setup -- --for-tests installs it, as .ci/run does)`;

// Both fixtures measured kernel time by the tick method, so their eBPF attribution chart is empty: a line, no figure.
const TICK_CHARTS = CHART_IDS.filter((id) => id !== "cpu-attribution");
const REPORTS = [
  { run: "the six-protocol run", fixture: FIXTURE_PATH, charts: TICK_CHARTS },
  { run: "the three-protocol sweep", fixture: SWEEP_FIXTURE_PATH, charts: [...SWEEP_CHART_IDS, ...TICK_CHARTS] },
  // The published reference run measured kernel time with eBPF: every chart, the attribution's included.
  { run: "the reference run (eBPF)", fixture: new URL("../../results/reference/default/result.json", import.meta.url), charts: CHART_IDS },
];

describe.skipIf(!haveChromium).each(REPORTS)(`${title}: $run`, ({ fixture, charts: expected }) => {
  // Made in beforeAll, not while collecting: a skipped suite collects its body but runs no afterAll to remove them.
  let dir = "";
  let profile = "";
  let context: BrowserContext | undefined;
  afterAll(async () => {
    await context?.close();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
    if (profile !== "") rmSync(profile, { recursive: true, force: true });
  });

  const requests: string[] = [];
  const problems: string[] = [];
  let charts: { id: string; width: number; height: number; marks: number; texts: number }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wirecost-report-html-"));
    profile = mkdtempSync(join(tmpdir(), "wirecost-chromium-profile-"));
    copyFileSync(fixture, join(dir, "result.json"));
    await writeReports(dir);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      offline: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const page = await context.newPage();
    page.on("request", (r) => void requests.push(r.url()));
    page.on("console", (m) => void (m.type() === "error" || m.type() === "warning" ? problems.push(`${m.type()}: ${m.text()}`) : undefined));
    page.on("pageerror", (e) => void problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(join(dir, "report.html")).href, { waitUntil: "load" });
    charts = await page.locator("figure[data-chart]").evaluateAll((figures) =>
      figures.map((f) => {
        const svg = f.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return {
          id: f.getAttribute("data-chart") ?? "",
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg?.querySelectorAll("path, rect, line").length ?? 0,
          texts: svg?.querySelectorAll("text").length ?? 0,
        };
      }),
    );
  });

  it("draws every chart as a visible SVG with marks and labels", () => {
    expect(charts.map((c) => c.id)).toEqual(expected);
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(200);
      expect(c.height, c.id).toBeGreaterThan(100);
      expect(c.marks, c.id).toBeGreaterThan(10);
      expect(c.texts, c.id).toBeGreaterThan(5);
    }
  });

  it("logs no console error or warning", () => {
    expect(problems).toEqual([]);
  });

  it("requests nothing but the report file itself", () => {
    expect(requests).toEqual([pathToFileURL(join(dir, "report.html")).href]);
  });
});
