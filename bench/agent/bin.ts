import { main } from "./cli.ts";

const stop = new Promise<string>((resolve) => {
  process.once("SIGINT", () => resolve("SIGINT"));
  process.once("SIGTERM", () => resolve("SIGTERM"));
  // --exit-with-stdin: an agent the harness started for a simulated host stops when the harness goes away, killed
  // or not (its end of the pipe closes); a real host's agent runs detached from any terminal and has no such flag.
  if (process.argv.includes("--exit-with-stdin")) {
    process.stdin.on("end", () => resolve("the harness went away"));
    process.stdin.resume();
  }
});
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, stop);
process.exit();
