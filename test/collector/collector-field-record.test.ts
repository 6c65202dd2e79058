/**
 * The typed builders under the counter records: `fieldRecord` (an object from a field list, in the list's order — the
 * order result.json has), `column` (a parser's checked index) and `errorCode` (a system error's code, no cast).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffCpuTimes } from "../../bench/collector/diff-snapshots.ts";
import { fieldRecord } from "../../bench/collector/field-record.ts";
import type { NetDevCounters } from "../../bench/collector/parse-proc-net-dev.ts";
import { CPU_TIMES_ALWAYS, CPU_TIMES_LATER, parseProcStat, type CpuTimes } from "../../bench/collector/parse-proc-stat.ts";
import { column, describeError, errorCode, ProcParseError } from "../../bench/collector/reading.ts";

describe("fieldRecord", () => {
  it("sets every field of the list, in the list's order, from its name and index", () => {
    const record = fieldRecord(["txPackets", "rxPackets", "rxBytes"], (field, i) => `${field}#${i}`);
    expect(record).toEqual({ txPackets: "txPackets#0", rxPackets: "rxPackets#1", rxBytes: "rxBytes#2" });
    expect(Object.keys(record)).toEqual(["txPackets", "rxPackets", "rxBytes"]);
  });

  it("does not compile when the list misses a key of the record it is to be", () => {
    // @ts-expect-error rxBytes and the other 14 counters are missing
    const partial: NetDevCounters = fieldRecord(["rxPackets", "txPackets"], () => 0);
    expect(Object.keys(partial)).toEqual(["rxPackets", "txPackets"]);
  });
});

describe("CPU times built from the split field lists", () => {
  const line = (values: string): string => `cpu  ${values}\ncpu0 ${values}\nctxt 1\n`;

  it("keep the key order /proc/stat's parser gives them, which is result.json's", () => {
    const parsed = parseProcStat(line("10 1 5 100 2 3 4 0 0 0")).total;
    expect(Object.keys(parsed)).toEqual([...CPU_TIMES_ALWAYS, ...CPU_TIMES_LATER]);
    expect(Object.keys(diffCpuTimes(parsed, parsed))).toEqual(Object.keys(parsed));
  });

  it("diff the fields every kernel prints as numbers and keep a later kernel's field null when either end lacks it", () => {
    const old: CpuTimes = parseProcStat(line("10 1 5 100")).total;
    const later: CpuTimes = parseProcStat(line("25 2 9 180 7")).total;
    expect(diffCpuTimes(old, later)).toEqual({
      userTicks: 15,
      niceTicks: 1,
      systemTicks: 4,
      idleTicks: 80,
      iowaitTicks: null,
      irqTicks: null,
      softirqTicks: null,
      stealTicks: null,
      guestTicks: null,
      guestNiceTicks: null,
    });
  });
});

describe("column", () => {
  it("returns the value at a checked index and names the column when the index is past the end", () => {
    expect(column([7, 8, 9], 2, "stat idle")).toBe(9);
    expect(() => column([7, 8, 9], 3, "stat idle")).toThrow(new ProcParseError("stat idle: no column 4"));
  });
});

describe("errorCode", () => {
  it("reads a system error's code and nothing from other values", () => {
    let enoent: unknown;
    try {
      readFileSync("/proc/self/no-such-file");
    } catch (error) {
      enoent = error;
    }
    expect(errorCode(enoent)).toBe("ENOENT");
    expect(describeError(enoent)).toMatch(/^ENOENT: no such file or directory/);
    expect(errorCode(new Error("plain"))).toBeUndefined();
    expect(errorCode({ code: "ENOENT" })).toBeUndefined();
    expect(errorCode("ENOENT")).toBeUndefined();
    expect(describeError(Object.assign(new Error("read failed"), { code: "EACCES" }))).toBe("EACCES: read failed");
  });
});
