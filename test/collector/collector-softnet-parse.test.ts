import { describe, expect, it } from "vitest";
import { parseSoftnetStat } from "../../bench/collector/parse-softnet-stat.ts";
import { ProcParseError } from "../../bench/collector/reading.ts";
import { fixture } from "./fixture.ts";

describe("parseSoftnetStat", () => {
  it("reads the 15 columns of 6.4+ kernels, with the CPU id from column 13", () => {
    expect(parseSoftnetStat(fixture("6.18/net-softnet_stat"))).toEqual([
      {
        cpu: 0,
        cpuSource: "column",
        columns: 15,
        processed: 0x2e,
        dropped: 0,
        timeSqueeze: 0,
        cpuCollision: 0,
        receivedRps: 0,
        flowLimitCount: 0,
        backlogLen: 0,
        inputQueueLen: 0,
        processQueueLen: 0,
      },
      {
        cpu: 1,
        cpuSource: "column",
        columns: 15,
        processed: 0x1ad1,
        dropped: 0,
        timeSqueeze: 0,
        cpuCollision: 0,
        receivedRps: 0,
        flowLimitCount: 0,
        backlogLen: 0,
        inputQueueLen: 0,
        processQueueLen: 0,
      },
    ]);
  });

  it("keys 5.10's 13 columns on column 13 when a CPU is offline", () => {
    const rows = parseSoftnetStat(fixture("5.10/net-softnet_stat"));
    expect(rows.map((row) => row.cpu)).toEqual([0, 1, 3]);
    expect(rows[1]).toEqual({
      cpu: 1,
      cpuSource: "column",
      columns: 13,
      processed: 0x23456,
      dropped: 0,
      timeSqueeze: 0,
      cpuCollision: 0,
      receivedRps: 3,
      flowLimitCount: 0,
      backlogLen: 4,
      inputQueueLen: null,
      processQueueLen: null,
    });
    expect(rows[2]?.dropped).toBe(5);
  });

  it("marks 4.x's 11 columns: flow_limit_count present, no backlog, CPU from the line index", () => {
    const rows = parseSoftnetStat(fixture("4.19/net-softnet_stat"));
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({
      cpu: 1,
      cpuSource: "line-index",
      columns: 11,
      processed: 0x0393870a,
      dropped: 12,
      timeSqueeze: 0x1f,
      cpuCollision: 0,
      receivedRps: 9,
      flowLimitCount: 1,
      backlogLen: null,
      inputQueueLen: null,
      processQueueLen: null,
    });
    expect(rows[3]?.processed).toBe(0x7fffffff);
  });

  it("marks 3.10's 10 columns: received_rps present, flow_limit_count absent (null, not 0)", () => {
    const rows = parseSoftnetStat(fixture("3.10/net-softnet_stat"));
    expect(rows[0]).toMatchObject({ processed: 0xa1b2c3, timeSqueeze: 5, receivedRps: 16, flowLimitCount: null });
    expect(rows[1]).toMatchObject({ cpu: 1, processed: 0xffff, dropped: 1, receivedRps: 42 });
  });

  it("marks 2.6.34's 9 columns: cpu_collision present, received_rps absent", () => {
    const rows = parseSoftnetStat(fixture("2.6.34/net-softnet_stat"));
    expect(rows[0]).toMatchObject({ columns: 9, processed: 123456, timeSqueeze: 17, cpuCollision: 3, receivedRps: null });
    expect(rows[1]).toMatchObject({ processed: 0xfffffff0, dropped: 2 });
  });

  it("rejects fewer than 9 columns and non-hex tokens", () => {
    expect(() => parseSoftnetStat("00000001 00000000\n")).toThrow(ProcParseError);
    expect(() => parseSoftnetStat("0000000g 0 0 0 0 0 0 0 0\n")).toThrow(ProcParseError);
  });
});
