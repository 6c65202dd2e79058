/**
 * The repository explains itself: a comment that cites a section of docs/kernel-notes.md names one that exists,
 * and every file the notes point to is in the repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NOTES = readFileSync(join(ROOT, "docs/kernel-notes.md"), "utf8");
const HEADINGS = [...NOTES.matchAll(/^## (.+)$/gm)].map((m) => m[1] ?? "");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const SOURCES = ["bench", "clients", "servers", "contract", "proto", "test"].flatMap(sourceFiles);

describe("docs/kernel-notes.md", () => {
  it("has its sections under headings that a citation can quote as they are", () => {
    expect(HEADINGS.length).toBeGreaterThan(10);
    expect(new Set(HEADINGS).size).toBe(HEADINGS.length);
    for (const h of HEADINGS) expect(h, h).toMatch(/^[A-Za-z0-9 ,_-]+$/);
  });

  it("has every section a source comment cites", () => {
    const cited = SOURCES.flatMap((file) =>
      [...readFileSync(join(ROOT, file), "utf8").matchAll(/kernel-notes\.md`?,? § "([^"]+)"/g)].map((m) => ({ file, section: m[1] ?? "" })),
    );
    expect(cited.filter((c) => !HEADINGS.includes(c.section))).toEqual([]);
  });

  it("cites sections of itself that exist, and names only files that are in the repository", () => {
    for (const [, section] of NOTES.matchAll(/§ "([^"]+)"/g)) expect(HEADINGS, section).toContain(section);
    const paths = [...NOTES.matchAll(/\b((?:bench|test|clients|servers|contract|proto|results)\/[\w./-]+\.(?:ts|md|json))\b/g)].map((m) => m[1] ?? "");
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
