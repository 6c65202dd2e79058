import { describe, expect, it } from "vitest";
import { parseProcPidStat } from "../../bench/collector/parse-proc-pid-stat.ts";
import { parseProcPidStatus } from "../../bench/collector/parse-proc-pid-status.ts";
import { parseSchedstat } from "../../bench/collector/parse-schedstat.ts";
import { ProcParseError } from "../../bench/collector/reading.ts";
import { fixture } from "./fixture.ts";

describe("per-process parsers", () => {
  it("reads utime, stime, threads and the last CPU from /proc/<pid>/stat", () => {
    expect(parseProcPidStat(fixture("6.18/pid-stat"))).toEqual({
      pid: 5784,
      comm: "node",
      state: "S",
      ppid: 5775,
      utimeTicks: 7,
      stimeTicks: 0,
      cutimeTicks: 0,
      cstimeTicks: 0,
      numThreads: 7,
      startTimeTicks: 52513,
      vsizeBytes: 745713664,
      rssPages: 10054,
      processor: 1,
      delayacctBlkioTicks: 0,
    });
  });

  it("finds the fields after a comm that contains spaces and parentheses", () => {
    expect(parseProcPidStat(fixture("6.18/pid-stat-comm-with-parens"))).toMatchObject({
      pid: 5827,
      comm: "x) (y z",
      state: "R",
      ppid: 5824,
      utimeTicks: 0,
      stimeTicks: 0,
      numThreads: 1,
      startTimeTicks: 52904,
      processor: 1,
    });
  });

  it("reads context switches, allowed CPUs and RSS from /proc/<pid>/status", () => {
    expect(parseProcPidStatus(fixture("6.18/pid-status"))).toEqual({
      name: "node",
      threads: 7,
      voluntaryCtxtSwitches: 5,
      nonvoluntaryCtxtSwitches: 11,
      cpusAllowedList: "0-1",
      vmRssKiB: 40276,
      vmHwmKiB: 40276,
    });
    expect(parseProcPidStatus(fixture("6.18/task-status"))).toMatchObject({
      voluntaryCtxtSwitches: 1,
      nonvoluntaryCtxtSwitches: 0,
    });
  });

  it("marks fields a kernel thread's status lacks as null", () => {
    const status = parseProcPidStatus("Name:\tksoftirqd/0\nThreads:\t1\nvoluntary_ctxt_switches:\t9\n");
    expect(status).toMatchObject({ vmRssKiB: null, nonvoluntaryCtxtSwitches: null, voluntaryCtxtSwitches: 9 });
  });

  it("reads run ns, wait ns and timeslices from schedstat", () => {
    expect(parseSchedstat(fixture("6.18/pid-schedstat"))).toEqual({ runNs: 78155833, waitNs: 1243185, timeslices: 16 });
    expect(parseSchedstat(fixture("6.18/task-schedstat"))).toEqual({ runNs: 232866, waitNs: 0, timeslices: 1 });
    expect(() => parseSchedstat("12 34\n")).toThrow(ProcParseError);
  });
});
