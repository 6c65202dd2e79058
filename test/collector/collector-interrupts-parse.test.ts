import { describe, expect, it } from "vitest";
import { parseInterrupts, selectInterruptLines } from "../../bench/collector/parse-interrupts.ts";
import { fixture } from "./fixture.ts";

describe("parseInterrupts", () => {
  const lines = parseInterrupts(fixture("6.18/interrupts"));
  const byId = new Map(lines.map((line) => [line.id, line]));

  it("reads every line of this machine's /proc/interrupts, numbered and named", () => {
    expect(lines).toHaveLength(35);
    expect(lines.map((line) => line.id).slice(-16)).toEqual([
      "NMI", "LOC", "SPU", "PMI", "IWI", "RTR", "RES", "CAL", "TLB", "TRM", "HYP", "ERR", "MIS", "PIN", "NPI", "PIW",
    ]);
  });

  it("splits a numbered line into per-CPU counts, chip text and handler names", () => {
    expect(byId.get("36")).toEqual({
      id: "36",
      irq: 36,
      perCpu: { "0": 0, "1": 33909 },
      count: null,
      description: "PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0",
      devices: ["virtio1-req.0"],
    });
    expect(byId.get("24")?.devices).toEqual(["ACPI:Ged"]);
  });

  it("reads IPI lines with their description and no handler names", () => {
    expect(byId.get("CAL")).toEqual({
      id: "CAL",
      irq: null,
      perCpu: { "0": 80281, "1": 65570 },
      count: null,
      description: "Function call interrupts",
      devices: [],
    });
    expect(byId.get("LOC")?.perCpu).toEqual({ "0": 20296, "1": 19427 });
  });

  it("reads ERR and MIS, which print one global count, as count with no per-CPU map", () => {
    expect(byId.get("ERR")).toEqual({ id: "ERR", irq: null, perCpu: null, count: 0, description: "", devices: [] });
    expect(byId.get("MIS")?.count).toBe(0);
  });

  it("reads a 4.19 machine with a real NIC's MSI-X lines, a shared line and a 4-digit prec", () => {
    const old = parseInterrupts(fixture("4.19/interrupts"));
    const get = (id: string) => old.find((line) => line.id === id);
    expect(get("120")).toMatchObject({
      irq: 120,
      perCpu: { "0": 181923, "1": 0, "2": 0, "3": 0 },
      devices: ["eth0-TxRx-0"],
    });
    expect(get("123")?.perCpu?.["3"]).toBe(4294967295);
    expect(get("16")?.devices).toEqual(["i801_smbus", "ehci_hcd:usb1"]);
    expect(get("125")?.devices).toEqual(["ahci[0000:00:17.0]"]);
    expect(get("ERR")).toMatchObject({ perCpu: null, count: 3 });
    expect(get("MCP")?.perCpu).toEqual({ "0": 171, "1": 171, "2": 171, "3": 171 });
  });

  it("picks a NIC's lines by name prefix, not other NICs whose names share the prefix", () => {
    const old = parseInterrupts(fixture("4.19/interrupts"));
    const picked = selectInterruptLines(old, { device: "eth0" }).map((line) => line.id);
    expect(picked).toEqual(["120", "121", "122", "123", "124"]);
    expect(selectInterruptLines(old, { device: "eth" })).toEqual([]);
  });

  it("picks lines by MSI irq number, for drivers that do not name vectors after the interface", () => {
    const old = parseInterrupts(fixture("4.19/interrupts"));
    expect(selectInterruptLines(old, { irqs: [121, 126, 999] }).map((line) => line.id)).toEqual(["121", "126"]);
    expect(selectInterruptLines(lines, { device: "virtio2" }).map((line) => line.id)).toEqual(["37", "38", "39"]);
  });
});
