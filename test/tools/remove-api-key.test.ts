import { describe, expect, it } from "vitest";
import { saveCheck, rememberKeyToRevoke } from "../../src/helpers/local-storage";
import { TEAM_KEYS_URL, outcomeSentence } from "../../src/lib/apple";
import { ACCOUNT, itemAccount, LABEL, savedKeysService } from "../../src/lib/keychain";
import * as removeTool from "../../src/tools/remove-api-key";
import { Action } from "@raycast/api";
import { raycast } from "../raycast/harness";
import { keyStore } from "../../src/helpers/core";
import { registerKey } from "../../src/lib/keys";
import { ISSUER_ID, HAS_KEYRING, testWorld, type WorldKey } from "../support/world";
import { lookupDirectly, storeDirectly } from "../support/keyring";

const remove = removeTool.default;
const confirmation = removeTool.confirmation;

describe.skipIf(!HAS_KEYRING)("remove-api-key", () => {
  const world = testWorld("tools-remove");

  describe("confirmation", () => {
    it("destructive, naming the Key ID in the message and the info", async () => {
      const key = world.key();
      await world.seed(key);
      const shown = await confirmation({});
      const name = `Unnamed key`;
      expect(shown).toEqual({
        style: Action.Style.Destructive,
        message: `Remove "${name}" (Key ID ${key.keyId}) from the Keychain? LingCode can't reach App Store Connect until a key is registered again.`,
        info: [
          { name: "Key ID", value: key.keyId },
          { name: "Name", value: name },
        ],
      });
      expect(shown?.style).toBe("destructive");
      world.expectClean(shown);
      // Asking removes nothing.
      expect((await world.saved())?.keyId).toBe(key.keyId);
    });

    it("an individual key: the same, with its Key ID", async () => {
      const key = world.key({ kind: "individual" });
      await world.seed(key);
      const shown = await confirmation({});
      expect(shown?.style).toBe(Action.Style.Destructive);
      expect(shown?.message).toContain(`Remove "Unnamed key" (Key ID ${key.keyId})`);
    });

    it("a damaged saved item the list lost (a crash): listed again from the items, asked first naming its Key ID, then removed", async () => {
      await world.realKeyring();
      const [acme, stray] = [world.key(), world.key()];
      await registerKey(
        { kind: "team", issuerId: ISSUER_ID, keyId: acme.keyId, p8Text: acme.pem },
        { store: keyStore(), verify: false, name: "Acme" },
      );
      storeDirectly(savedKeysService(world.service), itemAccount(stray.keyId), '{"version":1}');
      const shown = await confirmation({ key: stray.keyId });
      expect(shown).toMatchObject({
        style: Action.Style.Destructive,
        message: `Remove "Unnamed key" (Key ID ${stray.keyId}) from the Keychain? LingCode keeps using "Acme".`,
      });
      expect(await remove({ key: stray.keyId })).toMatchObject({ removed: true });
      expect(lookupDirectly(savedKeysService(world.service), itemAccount(stray.keyId))).toBeUndefined();
      expect(lookupDirectly(world.service, ACCOUNT)).toBeDefined();
    });

    it("a key to use next that the removal would refuse: nothing asked (the tool says why)", async () => {
      const [acme, globex] = [world.key(), world.key()];
      for (const [k, name] of [
        [acme, "Acme"],
        [globex, "Globex"],
      ] as const) {
        await registerKey(
          { kind: "team", issuerId: ISSUER_ID, keyId: k.keyId, p8Text: k.pem },
          { store: keyStore(), verify: false, name, use: name === "Acme" },
        );
      }
      expect(await confirmation({ next: "Acme" })).toBeUndefined();
      expect(await remove({ next: "Acme" })).toMatchObject({ removed: false });
      expect(await confirmation({ key: "Globex", next: "Acme" })).toBeUndefined();
    });

    it("no key: nothing to confirm", async () => {
      expect(await confirmation({})).toBeUndefined();
    });

    it("an unreadable entry: still a destructive confirmation, quoting nothing of the entry", async () => {
      const key = world.key();
      await world.backend().set(world.service, ACCOUNT, LABEL, `{"version":1,"privateKey":${JSON.stringify(key.pem)}}`);
      const shown = await confirmation({});
      expect(shown?.style).toBe(Action.Style.Destructive);
      expect(shown?.message).toMatch(/unreadable/);
      world.expectClean(shown);
    });
  });

  describe("the tool", () => {
    it("removes the key, names it, points at Team Keys, and forgets its checks", async () => {
      const key = world.key();
      await world.seed(key);
      await saveCheck(key.keyId, {
        outcome: "valid",
        message: outcomeSentence("valid", { keyId: key.keyId }),
        checkedAt: new Date().toISOString(),
      });
      await rememberKeyToRevoke("OLDKEY0001", key.keyId);
      const result = await remove();
      const name = `Unnamed key`;
      expect(result).toEqual({
        removed: true,
        keyId: key.keyId,
        name,
        lingCodeUses: null,
        revokeAt: TEAM_KEYS_URL,
        sentence: `Removed "${name}" (Key ID ${key.keyId}) from the Keychain; it keeps working at Apple until you revoke it on Team Keys.`,
      });
      world.expectClean(result);
      expect(await world.saved()).toBeUndefined();
      expect(raycast.localStorage).not.toHaveProperty("last-check");
      expect(raycast.localStorage).not.toHaveProperty("last-conclusive-check");
      // A replaced key still to revoke stays remembered: removing this one does not revoke that one.
      expect(JSON.parse(String(raycast.localStorage["key-to-revoke"]))).toMatchObject({ keyId: "OLDKEY0001" });
      expect(raycast.launches).toEqual([
        expect.objectContaining({ name: "check-api-key", context: { fromLocalStorage: true } }),
      ]);
      // Nothing is sent to Apple: removal does not revoke.
      expect(world.apple.requests).toHaveLength(0);
    });

    it("no key: removed false, with the status sentence", async () => {
      const result = await remove();
      expect(result).toEqual({ removed: false, sentence: "No, no ASC key configured." });
    });

    it("an unreadable entry is removed too, without naming a Key ID", async () => {
      const key = world.key();
      await world.backend().set(world.service, ACCOUNT, LABEL, `{"version":1,"privateKey":${JSON.stringify(key.pem)}}`);
      const result = await remove();
      expect(result).toEqual({
        removed: true,
        keyId: undefined,
        name: undefined,
        lingCodeUses: null,
        revokeAt: TEAM_KEYS_URL,
        sentence: "Removed the key from the Keychain; it keeps working at Apple until you revoke it on Team Keys.",
      });
      world.expectClean(result);
      expect(await world.backend().get(world.service, ACCOUNT)).toBeUndefined();
    });
  });

  describe("several keys", () => {
    async function save(key: WorldKey, name: string, use?: boolean) {
      return registerKey(
        { kind: "team", issuerId: ISSUER_ID, keyId: key.keyId, p8Text: key.pem },
        { store: keyStore(), verify: false, name, use },
      );
    }

    it("the key LingCode uses, with others saved: nothing asked or removed until the next key is given", async () => {
      await world.realKeyring();
      const acme = world.key();
      const globex = world.key();
      await save(acme, "Acme");
      await save(globex, "Globex", false);
      const before = lookupDirectly(world.service, ACCOUNT);
      expect(await confirmation({})).toBeUndefined();
      const result = await remove();
      expect(result).toEqual({
        removed: false,
        needsNext: true,
        reason: `"Acme" is the key LingCode uses: say which key LingCode should use next ("Globex" (Key ID ${globex.keyId})), or none.`,
        savedKeys: `"Acme" (Key ID ${acme.keyId}), "Globex" (Key ID ${globex.keyId})`,
      });
      expect(lookupDirectly(world.service, ACCOUNT)).toBe(before);

      const shown = await confirmation({ next: "globex" });
      expect(shown).toEqual({
        style: Action.Style.Destructive,
        message: `Remove "Acme" (Key ID ${acme.keyId}) from the Keychain? LingCode will use "Globex" next.`,
        info: [
          { name: "Key ID", value: acme.keyId },
          { name: "Name", value: "Acme" },
          { name: "LingCode Uses Next", value: `"Globex" (Key ID ${globex.keyId})` },
        ],
      });
      const removed = await remove({ next: "Globex" });
      expect(removed).toMatchObject({
        removed: true,
        keyId: acme.keyId,
        name: "Acme",
        lingCodeUses: { name: "Globex", keyId: globex.keyId },
      });
      expect((await world.saved())?.keyId).toBe(globex.keyId);
      expect(await keyStore().saved.readItem(acme.keyId)).toBeUndefined();
      expect(JSON.parse(String(raycast.localStorage["saved-key"]))).toMatchObject({ summary: { keyId: globex.keyId } });
      world.expectClean(removed);
    });

    it("another saved key by name: removed without a question about LingCode, which keeps its key", async () => {
      const acme = world.key();
      const globex = world.key();
      await save(acme, "Acme");
      await save(globex, "Globex", false);
      const shown = await confirmation({ key: "globex" });
      expect(shown?.message).toBe(
        `Remove "Globex" (Key ID ${globex.keyId}) from the Keychain? LingCode keeps using "Acme".`,
      );
      expect(await confirmation({ key: "Globex", next: "Acme" })).toBeUndefined();
      expect(await remove({ key: "Globex", next: "Acme" })).toMatchObject({ removed: false });
      const result = await remove({ key: "Globex" });
      expect(result).toMatchObject({ removed: true, keyId: globex.keyId, lingCodeUses: undefined });
      expect((await world.saved())?.keyId).toBe(acme.keyId);
      expect(raycast.launches).toEqual([]);
      expect(await remove({ key: "Initech" })).toMatchObject({
        removed: false,
        reason: expect.stringMatching(/^No saved key is named "Initech"/),
      });
      expect(await confirmation({ key: "Initech" })).toBeUndefined();
    });

    it("none next: LingCode's entry goes, the other keys stay saved", async () => {
      const acme = world.key();
      const globex = world.key();
      await save(acme, "Acme");
      await save(globex, "Globex", false);
      const shown = await confirmation({ next: "none" });
      expect(shown?.message).toContain("LingCode can't reach App Store Connect until a key is registered again.");
      expect(await remove({ next: "none" })).toMatchObject({ removed: true, lingCodeUses: null });
      expect(await world.saved()).toBeUndefined();
      expect(await keyStore().saved.readItem(globex.keyId)).toBeDefined();
    });
  });
});
