/**
 * A resolved user server (bench/config/user-servers.ts `UserServer`) for tests that need one as the run is told it:
 * `GET /` expecting 200, on a free port, with `over` in place. test/cli/config-user-servers.test.ts spells the
 * defaults out instead, since they are what it checks.
 */
import type { UserServer } from "../../bench/config/user-servers.ts";

export function userServerEntry(over: Partial<UserServer> & Pick<UserServer, "name" | "protocol" | "command">): UserServer {
  return {
    port: 0,
    exchange: { method: "GET", path: "/", headers: [], bodyBase64: "", expect: { status: 200, bodyBytes: null } },
    grpc: null,
    readyTimeoutMs: 10_000,
    versionCommand: null,
    configFile: null,
    ...over,
  };
}
