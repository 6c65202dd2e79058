import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../bench/support/atomic-write.ts";
import { irqTimeAccountingFromConfig } from "../../bench/run/environment.ts";
import { createLineReader } from "../../bench/load/messages.ts";
import { makeRunId } from "../../bench/run/run.ts";
import { interleavedOrder, runSlots, scenarioName } from "../../bench/run/slots.ts";
import { DEFAULTS } from "../../bench/config/resolve.ts";

const dir = mkdtempSync(join(tmpdir(), "wirecost-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("run helpers", () => {
  it("makes sortable run ids from the start time", () => {
    expect(makeRunId(new Date("2026-11-25T09:30:05.123Z"), "1a2b")).toBe("20261125-093005-1a2b");
  });

  it("rotates the protocol order on every repeat", () => {
    const order = interleavedOrder(["http1", "h2c", "grpc"], 3).map((o) => `${o.protocol}#${o.repeat}`);
    expect(order).toEqual(["http1#1", "h2c#1", "grpc#1", "h2c#2", "grpc#2", "http1#2", "grpc#3", "http1#3", "h2c#3"]);
  });

  it("runs every arm with each --client, one after the other, named arm~client after the first", () => {
    const config = { ...DEFAULTS, protocols: ["http1", "grpc"] as const, client: ["wire", "library"] as const, repeat: 2 };
    expect(runSlots(config).map((slot) => scenarioName(config, slot))).toEqual([
      "http1#1", "http1~library#1", "grpc#1", "grpc~library#1", "grpc#2", "grpc~library#2", "http1#2", "http1~library#2",
    ]);
    expect(runSlots({ ...config, client: ["library"] }).map((slot) => scenarioName({ ...config, client: ["library"] }, slot))).toEqual(["http1#1", "grpc#1", "grpc#2", "http1#2"]);
  });

  it("names a sweep's scenarios series, then step, then repeat", () => {
    const config = { ...DEFAULTS, protocols: ["h2c"] as const, client: ["library", "wire"] as const, sweep: { by: "pps", from: 1000, to: 4000, steps: 2, spacing: "linear" } as const };
    expect(runSlots(config).map((slot) => scenarioName(config, slot))).toEqual(["h2c@1000pps", "h2c~wire@1000pps", "h2c@4000pps", "h2c~wire@4000pps"]);
  });

  it("replaces a file whole and leaves no temp file behind", () => {
    mkdirSync(join(dir, "nested"));
    const path = join(dir, "nested", "result.json");
    writeFileAtomic(path, "first");
    writeFileAtomic(path, "second");
    expect(readFileSync(path, "utf8")).toBe("second");
    expect(readdirSync(join(dir, "nested"))).toEqual(["result.json"]);
  });

  it("leaves no temp file behind when the rename fails, and the target as it was", () => {
    const target = join(dir, "a-directory");
    mkdirSync(join(target, "inside"), { recursive: true });
    expect(() => writeFileAtomic(target, "over a directory")).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(target)).toEqual(["inside"]);
  });

  it("reads IRQ time accounting from a kernel config", () => {
    expect(irqTimeAccountingFromConfig("CONFIG_X=y\n# CONFIG_IRQ_TIME_ACCOUNTING is not set\n")).toBe(false);
    expect(irqTimeAccountingFromConfig("CONFIG_IRQ_TIME_ACCOUNTING=y\n")).toBe(true);
    expect(irqTimeAccountingFromConfig("CONFIG_X=y\n")).toBeNull();
  });

  it("splits the generator's output into JSON messages across chunk boundaries and reports bad lines", () => {
    const messages: unknown[] = [];
    const bad: string[] = [];
    const read = createLineReader((m) => messages.push(m), (l) => bad.push(l));
    read('{"type":"rea');
    read('dy","pid":7}\n\n{"type":"go"}\nnot json\n{"a"');
    read(":1}\n");
    expect(messages).toEqual([{ type: "ready", pid: 7 }, { type: "go" }, { a: 1 }]);
    expect(bad).toEqual(["not json"]);
  });
});
