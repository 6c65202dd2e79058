import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { startKernelTimeTracer } from "./bench/collector/ebpf/tracer.ts";
import { kernelTimeWindow } from "./bench/collector/ebpf/kernel-time-window.ts";
const port = 47200 + Math.floor(Math.random() * 100);
const srv = `const net=require("net");net.createServer(s=>{s.on("data",d=>s.write(d));s.on("error",()=>{})}).listen(${port},"127.0.0.1");setTimeout(()=>process.exit(0),9000)`;
const cli = `const net=require("net");setTimeout(()=>{const c=net.connect(${port},"127.0.0.1",()=>{let n=0;c.on("data",()=>{if(++n<1e9)c.write("x")});c.write("x")});c.on("error",()=>{})},300);setTimeout(()=>process.exit(0),8500)`;
const [cs, cc] = process.argv[2] === "same" ? ["1", "1"] : ["1", "0"];
const a1 = spawn("taskset", ["-c", cs, process.execPath, "-e", srv], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 200));
const b1 = spawn("taskset", ["-c", cc, process.execPath, "-e", cli], { stdio: "ignore" });
const runNs = (pid: number) => readdirSync(`/proc/${pid}/task`).reduce((s, t) => s + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]), 0);
const tracer = await startKernelTimeTracer({ cpus: [0, 1] }, 0);
await new Promise((r) => setTimeout(r, 500));
const a = await tracer.mark(); const s0 = [runNs(a1.pid!), runNs(b1.pid!)];
await new Promise((r) => setTimeout(r, 4000));
const b = await tracer.mark(); const s1 = [runNs(a1.pid!), runNs(b1.pid!)];
const w = kernelTimeWindow([a, b], a.epoch, b.epoch);
for (const [i, p] of [a1.pid!, b1.pid!].entries()) {
  const e = w.tasks.filter((t) => t.pid === p).reduce((s, t) => s + t.ns, 0) / 1e6;
  const ss = (s1[i]! - s0[i]!) / 1e6;
  console.log(process.argv[2] ?? "split", i ? "client" : "server", "ebpf", e.toFixed(1), "sched", ss.toFixed(1), "diff%", ((100 * (e - ss)) / ss).toFixed(2));
}
const idle1 = w.tasks.filter((t) => t.pid === 0 && t.cpu === 1).reduce((s, t) => s + t.ns, 0) / 1e6;
console.log("idle cpu1", idle1.toFixed(1), "switches", JSON.stringify(w.switches));
await tracer.stop(); a1.kill(); b1.kill();
