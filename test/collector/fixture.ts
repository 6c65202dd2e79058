import fs from "node:fs";

const root = new URL("../fixtures/proc/", import.meta.url);

/** The text of a fixture under test/fixtures/proc/, e.g. `fixture("6.18/net-dev")`. */
export function fixture(path: string): string {
  return fs.readFileSync(new URL(path, root), "latin1");
}

/** Every file of a fixture folder, name → text. */
export function fixtureDir(path: string): Record<string, string> {
  const dir = new URL(path.endsWith("/") ? path : `${path}/`, root);
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(new URL(name, dir), "latin1")]));
}
