import { spawnSync } from "node:child_process";

/** Whether a program is on PATH (for one-line "install X" errors before anything starts). */
export function hasCommand(name: string): boolean {
  if (!/^[\w.-]+$/.test(name)) return false;
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}
