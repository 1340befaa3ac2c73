import { describe, expect, it } from "vitest";
import { saveCheck } from "../../src/helpers/local-storage";
import { rememberKeyToRevoke } from "../../src/helpers/local-storage";
import { TEAM_KEYS_URL, outcomeSentence } from "../../src/lib/asc-client";
import { ACCOUNT, createSecretToolBackend, LABEL } from "../../src/lib/keychain";
import * as removeTool from "../../src/tools/remove-api-key";
import { Action } from "@raycast/api";
import { raycast } from "../raycast/harness";
import { KEYRING, toolFixture } from "./fixture";

const remove = removeTool.default;
const confirmation = removeTool.confirmation;

describe.skipIf(!KEYRING)("remove-api-key", () => {
  const t = toolFixture("remove");

  describe("confirmation", () => {
    it("destructive, naming the Key ID in the message and the info", async () => {
      const key = t.appleKey();
      await t.saveDirectly(key);
      const shown = await confirmation({});
      expect(shown).toEqual({
        style: Action.Style.Destructive,
        message: `Remove key ${key.keyId} from the Keychain? LingCode can't reach App Store Connect until a key is registered again.`,
        info: [{ name: "Key ID", value: key.keyId }],
      });
      expect(shown?.style).toBe("destructive");
      t.expectClean(shown);
      // Asking removes nothing.
      expect((await t.saved())?.keyId).toBe(key.keyId);
    });

    it("an individual key: the same, with its Key ID", async () => {
      const key = t.appleKey("ok", "individual");
      await t.saveDirectly(key);
      const shown = await confirmation({});
      expect(shown?.style).toBe(Action.Style.Destructive);
      expect(shown?.message).toContain(`Remove key ${key.keyId}`);
    });

    it("no key: nothing to confirm", async () => {
      expect(await confirmation({})).toBeUndefined();
    });

    it("an unreadable entry: still a destructive confirmation, quoting nothing of the entry", async () => {
      const key = t.appleKey();
      await createSecretToolBackend().set(
        t.service,
        ACCOUNT,
        LABEL,
        `{"version":1,"privateKey":${JSON.stringify(key.pem)}}`,
      );
      const shown = await confirmation({});
      expect(shown?.style).toBe(Action.Style.Destructive);
      expect(shown?.message).toMatch(/unreadable/);
      t.expectClean(shown);
    });
  });

  describe("the tool", () => {
    it("removes the key, names it, points at Team Keys, and forgets its checks", async () => {
      const key = t.appleKey();
      await t.saveDirectly(key);
      await saveCheck(key.keyId, {
        outcome: "valid",
        message: outcomeSentence("valid", { keyId: key.keyId }),
        checkedAt: new Date().toISOString(),
      });
      await rememberKeyToRevoke("OLDKEY0001", key.keyId);
      const result = await remove();
      expect(result).toEqual({
        removed: true,
        keyId: key.keyId,
        revokeAt: TEAM_KEYS_URL,
        sentence: `Removed key ${key.keyId} from the Keychain; revoke it on Team Keys if nobody needs it.`,
      });
      t.expectClean(result);
      expect(await t.saved()).toBeUndefined();
      expect(raycast.localStorage).not.toHaveProperty("last-check");
      expect(raycast.localStorage).not.toHaveProperty("last-conclusive-check");
      // A replaced key still to revoke stays remembered: removing this one does not revoke that one.
      expect(JSON.parse(String(raycast.localStorage["key-to-revoke"]))).toMatchObject({ keyId: "OLDKEY0001" });
      expect(raycast.launches).toEqual([
        expect.objectContaining({ name: "check-api-key", context: { fromLocalStorage: true } }),
      ]);
      // Nothing is sent to Apple: removal does not revoke.
      expect(t.apple.requests).toHaveLength(0);
    });

    it("no key: removed false, with the status sentence", async () => {
      const result = await remove();
      expect(result).toEqual({ removed: false, sentence: "No, no ASC key configured." });
    });

    it("an unreadable entry is removed too, without naming a Key ID", async () => {
      const key = t.appleKey();
      await createSecretToolBackend().set(
        t.service,
        ACCOUNT,
        LABEL,
        `{"version":1,"privateKey":${JSON.stringify(key.pem)}}`,
      );
      const result = await remove();
      expect(result).toEqual({
        removed: true,
        keyId: undefined,
        revokeAt: TEAM_KEYS_URL,
        sentence: "Removed the key from the Keychain; revoke it on Team Keys if nobody needs it.",
      });
      t.expectClean(result);
      expect(await createSecretToolBackend().get(t.service, ACCOUNT)).toBeUndefined();
    });
  });
});
