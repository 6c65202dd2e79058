import { main } from "./main.ts";

// The only place that exits: everything else returns codes.
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
