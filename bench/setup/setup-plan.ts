/**
 * What `npm run setup` does, decided from facts about the machine: install the missing packages (root on Debian),
 * or name each missing tool and its package (anywhere else). Pure; bench/setup/cli.ts gathers the facts and runs
 * apt-get.
 */
import { assertNever } from "../../contract/index.ts";
import { TOOL_PACKAGES } from "./tool-packages.ts";
import type { ToolNeed, ToolPackage } from "./tool-packages.ts";

export interface SetupFacts {
  readonly root: boolean;
  /** The text of /etc/os-release; null when there is none. */
  readonly osRelease: string | null;
  /** Commands found on PATH or in the sbin directories. */
  readonly present: ReadonlySet<string>;
  /** Also the tools only the test suite uses (`--for-tests`, as .ci/run passes). */
  readonly forTests: boolean;
}

export interface MissingTool {
  readonly command: string;
  readonly tool: ToolPackage;
}

export type SetupPlan =
  | { readonly kind: "ready"; readonly checked: readonly string[] }
  | { readonly kind: "install"; readonly packages: readonly string[]; readonly optionalPackages: readonly string[]; readonly missing: readonly MissingTool[] }
  | { readonly kind: "cannot-install"; readonly reason: string; readonly missing: readonly MissingTool[] };

/** Whether /etc/os-release describes Debian or a derivative of it (`ID=debian`, or `debian` in `ID_LIKE`). */
export function isDebianFamily(osRelease: string | null): boolean {
  if (osRelease === null) return false;
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(osRelease)?.[1]?.replace(/^["']|["']$/g, "") ?? "";
  return field("ID") === "debian" || field("ID_LIKE").split(/\s+/).includes("debian");
}

function wanted(need: ToolNeed, forTests: boolean): boolean {
  switch (need) {
    case "run":
    case "optional":
      return true;
    case "tests":
      return forTests;
    default:
      return assertNever(need);
  }
}

export function missingTools(present: ReadonlySet<string>, forTests: boolean, packages: readonly ToolPackage[] = TOOL_PACKAGES): MissingTool[] {
  return packages
    .filter((tool) => wanted(tool.need, forTests))
    .flatMap((tool) => tool.commands.filter((command) => !present.has(command)).map((command) => ({ command, tool })));
}

function uniquePackages(missing: readonly MissingTool[]): string[] {
  return [...new Set(missing.map((m) => m.tool.debianPackage))];
}

export function planSetup(facts: SetupFacts, packages: readonly ToolPackage[] = TOOL_PACKAGES): SetupPlan {
  const missing = missingTools(facts.present, facts.forTests, packages);
  if (missing.length === 0) {
    return { kind: "ready", checked: packages.filter((t) => wanted(t.need, facts.forTests)).flatMap((t) => t.commands) };
  }
  if (!isDebianFamily(facts.osRelease)) return { kind: "cannot-install", reason: "this is not Debian, so nothing was installed", missing };
  if (!facts.root) return { kind: "cannot-install", reason: "not root, so nothing was installed; run sudo npm run setup", missing };
  return {
    kind: "install",
    packages: uniquePackages(missing.filter((m) => m.tool.need !== "optional")),
    optionalPackages: uniquePackages(missing.filter((m) => m.tool.need === "optional")),
    missing,
  };
}

/** One line per missing tool, naming its package and what needs it. */
export function missingToolLine({ command, tool }: MissingTool): string {
  const optional = tool.need === "optional" ? " (optional)" : "";
  return `${command} is missing${optional}: Debian package ${tool.debianPackage} — ${tool.usedFor}`;
}

/** Whether the missing tools make the machine unfit: optional ones never do. */
export function anyRequired(missing: readonly MissingTool[]): boolean {
  return missing.some((m) => m.tool.need !== "optional");
}

/** The apt-get command lines for a list of packages: quiet, non-interactive, without recommended extras. */
export function aptInstall(packages: readonly string[]): readonly string[] {
  return ["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...packages];
}

export const APT_UPDATE: readonly string[] = ["apt-get", "update", "-qq"];
