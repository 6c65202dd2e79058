/**
 * When a scenario's failure is a mistake in a user's entry (bench/run/subject-server.ts): before any load, not in
 * the collector's baseline unless the server itself died, and never for an arm's own server.
 */
import { describe, expect, it } from "vitest";
import { subjectFailure, subjectServerLabel } from "../../bench/run/subject-server.ts";
import { userServerEntry } from "../support/user-server-entry.ts";

const PY = userServerEntry({ name: "py", protocol: "http1", command: ["python3", "-m", "http.server", "{port}"] });
const WARM_UP = "generator failed: warm-up request failed (status): HTTP status 404, expected 200";
const DIED = "server entry py: its command (python3) was killed by SIGKILL; last stderr: -";

describe("a user entry's failure", () => {
  it("is one before load: named with the entry and where to look, or the server's own line as it is", () => {
    const before = { baselineStarted: false, loadStarted: false };
    expect(subjectFailure(WARM_UP, PY, before)).toEqual({ error: `server entry py: ${WARM_UP}; check its request and expect`, beforeLoad: true });
    expect(subjectFailure(DIED, PY, before)).toEqual({ error: DIED, beforeLoad: true });
    // The server dying during the collector's baseline is still its own.
    expect(subjectFailure(DIED, PY, { baselineStarted: true, loadStarted: false })).toEqual({ error: DIED, beforeLoad: true });
  });

  it("is not one under load, in the collector's baseline, or for an arm's own server", () => {
    expect(subjectFailure(DIED, PY, { baselineStarted: true, loadStarted: true })).toEqual({ error: DIED });
    expect(subjectFailure("idle baseline: cannot read /proc/stat", PY, { baselineStarted: true, loadStarted: false })).toEqual({ error: "idle baseline: cannot read /proc/stat" });
    expect(subjectFailure(WARM_UP, undefined, { baselineStarted: false, loadStarted: false })).toEqual({ error: WARM_UP });
    expect([subjectServerLabel("h2c", undefined), subjectServerLabel("http1", PY)]).toEqual(["h2c server", "server entry py"]);
  });
});
