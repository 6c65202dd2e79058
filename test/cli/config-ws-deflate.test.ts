/** `--ws-deflate`: accepted only where it changes what is measured, refused in one line otherwise. */
import { describe, expect, it } from "vitest";
import { configFromArgv } from "../../bench/cli/argv.ts";
import { DEFAULTS } from "../../bench/config/resolve.ts";
import { UsageError } from "../../bench/support/errors.ts";

describe("--ws-deflate", () => {
  it("is off by default, and sets the server's wsDeflate for a WebSocket arm on the library client", () => {
    expect(DEFAULTS.server.wsDeflate).toBe(false);
    const config = configFromArgv(["--protocols", "ws,h2c", "--client", "library", "--ws-deflate"]);
    expect(config !== "help" && config.server.wsDeflate).toBe(true);
  });

  it("is refused without a WebSocket arm", () => {
    expect(() => configFromArgv(["--protocols", "h2c", "--client", "library", "--ws-deflate"])).toThrow(
      new UsageError("WC_BAD_FLAG", "--ws-deflate only applies to the ws and wss arms; add ws or wss to --protocols, or drop --ws-deflate"),
    );
  });

  it("is refused with the wire client, which never offers permessage-deflate", () => {
    for (const client of ["wire", "wire,library"]) {
      expect(() => configFromArgv(["--protocols", "wss", "--client", client, "--ws-deflate"])).toThrow(
        new UsageError("WC_BAD_FLAG", "--ws-deflate: the wire WebSocket client does not offer permessage-deflate, so it would run uncompressed; add --client library"),
      );
    }
  });
});
