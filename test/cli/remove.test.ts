/**
 * asc-key remove against the private Secret Service, in this process; a child process where a wrapped secret-tool
 * on its PATH plays another removal getting there first.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "../../src/lib/keychain";
import { HAS_KEYRING, lookupDirectly, storeDirectly } from "../support/keyring";
import {
  cli,
  cliProcess,
  expectFailure,
  keyId,
  realSecretTool,
  registerTeam,
  service,
  tmp,
  useCliWorld,
  realKeyring,
} from "../support/asc-key";

describe.skipIf(!HAS_KEYRING)("remove against a private Secret Service", () => {
  useCliWorld();

  describe("remove", () => {
    it("deletes the entry with one line, then exits 1 when there is nothing left", async () => {
      await realKeyring();
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["remove"]);
      expect(run).toEqual({
        status: 0,
        stdout: `Removed "Unnamed key" (Issuer ID ends in ...b6c, Key ID ${keyId}) from the Keychain.\n`,
        stderr: "",
      });
      expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
      expect((await cli(["status"])).status).toBe(1);
      expectFailure(await cli(["remove"]), 1, /nothing to remove/);
    });

    it("a key removed by someone else after it was found is a removal, not a failure", async () => {
      await realKeyring();
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      // A secret-tool whose every clear comes second: another removal got there first.
      const bin = mkdtempSync(path.join(tmp, "bin-"));
      writeFileSync(
        path.join(bin, "secret-tool"),
        `#!/bin/sh\nif [ "$1" = clear ]; then ${JSON.stringify(realSecretTool())} "$@"; fi\nexec ${JSON.stringify(realSecretTool())} "$@"\n`,
        { mode: 0o755 },
      );
      // A child process: the wrapped secret-tool is found on its PATH.
      const run = await cliProcess(["remove"], { env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(
        new RegExp(`^Removed "[^"]+" \\(Issuer ID ends in \\.\\.\\.b6c, Key ID ${keyId}\\) from the Keychain\\.\\n`),
      );
      expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
    });

    it("removes an unreadable entry", async () => {
      await realKeyring();
      storeDirectly(service, ACCOUNT, "{broken");
      const run = await cli(["remove"]);
      expect(run).toEqual({ status: 0, stdout: "Removed the unreadable key entry from the Keychain.\n", stderr: "" });
      expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
    });
  });
});
