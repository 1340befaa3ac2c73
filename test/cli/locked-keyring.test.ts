/**
 * A locked keyring is a Keychain problem (exit 4) for every asc-key command, never "no key": child processes
 * pointed at a second, lockable keyring through their D-Bus address.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT } from "../../src/lib/keychain";
import { HAS_KEYRING, startSecondKeyring, type SecondKeyring } from "../support/keyring";
import { ISSUER_ID, makeKeyId } from "../support/keys";
import { apple, cliProcess, expectFailure, keyId, p8, realKeyring, service, useCliWorld } from "../support/asc-key";

describe.skipIf(!HAS_KEYRING)("every command against a locked keyring", () => {
  useCliWorld();
  // Every run here is a child process of the bundle against a keyring of its own: never the in-memory one.
  beforeEach(realKeyring);

  describe("a locked keyring is a Keychain problem (exit 4), never no key", () => {
    let keyring: SecondKeyring;
    beforeEach(async () => {
      keyring = await startSecondKeyring();
    });
    afterEach(async () => {
      await keyring.stop();
    });

    /** Runs asc-key against the second keyring: a child process, whose secret-tool gets the keyring's address. */
    const inKeyring = (args: string[]) =>
      cliProcess(args, { env: { DBUS_SESSION_BUS_ADDRESS: keyring.env.DBUS_SESSION_BUS_ADDRESS } });
    const LOCKED = /^asc-key: The keyring is locked .*: unlock it, .*then try again\.\n$/;

    async function expectEveryCommandLocked() {
      expectFailure(await inKeyring(["status"]), 4, LOCKED);
      expectFailure(await inKeyring(["status", "--json"]), 4, LOCKED);
      expectFailure(await inKeyring(["token"]), 4, LOCKED);
      expectFailure(await inKeyring(["verify"]), 4, LOCKED);
      expectFailure(await inKeyring(["remove"]), 4, LOCKED);
      const register = await inKeyring(["register", "--issuer-id", ISSUER_ID, "--key-id", makeKeyId(), "--p8", p8]);
      expectFailure(register, 4, LOCKED);
      // The saved key is still there, locked away, and Apple was asked nothing.
      expect(keyring.items(service, ACCOUNT)).toEqual({ unlocked: [], locked: [expect.any(String)] });
      expect(apple.requests).toHaveLength(0);
    }

    it("locked (or its unlock prompt dismissed): every command says so and what to do; the key stays", async () => {
      expect(
        (await inKeyring(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", p8, "--skip-verify"]))
          .status,
      ).toBe(0);
      keyring.lock();
      await expectEveryCommandLocked();
    });

    it("the keyring daemon restarted without unlocking: the same", async () => {
      expect(
        (await inKeyring(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", p8, "--skip-verify"]))
          .status,
      ).toBe(0);
      await keyring.restartWithoutUnlocking();
      await expectEveryCommandLocked();
    });
  });
});
