import { main } from "./cli.ts";

const stop = new Promise<string>((resolve) => {
  process.once("SIGINT", () => resolve("SIGINT"));
  process.once("SIGTERM", () => resolve("SIGTERM"));
});
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, stop);
process.exit();
