import { describe, expect, it } from "vitest";
import { keyStore } from "../../src/helpers/core";
import { ACCOUNT, itemAccount, savedKeysService } from "../../src/lib/keychain";
import { registerKey } from "../../src/lib/keys";
import { serializeRecord } from "../../src/lib/record";
import { listKeys, removeKey } from "../../src/lib/keys";
import * as switchTool from "../../src/tools/switch-api-key";
import { raycast } from "../raycast/harness";
import { lookupDirectly } from "../support/keyring";
import { ISSUER_ID, ISSUER_SUFFIX, HAS_KEYRING, testWorld, type WorldKey } from "../support/world";

const switchKey = switchTool.default;
const confirmation = switchTool.confirmation;

describe.skipIf(!HAS_KEYRING)("switch-api-key", () => {
  const world = testWorld("tools-switch");

  async function save(key: WorldKey, name: string, use?: boolean) {
    const input =
      key.kind === "team"
        ? { kind: "team" as const, issuerId: ISSUER_ID, keyId: key.keyId, p8Text: key.pem }
        : { kind: "individual" as const, keyId: key.keyId, p8Text: key.pem };
    return registerKey(input, { store: keyStore(), verify: false, name, use });
  }

  /** LingCode's entry: as a plain `secret-tool lookup` reads it in a test on the real keyring, else in memory. */
  const lingCodeReads = async () =>
    world.usesRealKeyring ? lookupDirectly(world.service, ACCOUNT) : world.backend().get(world.service, ACCOUNT);
  const savedCopy = async (keyId: string) => serializeRecord((await keyStore().saved.readItem(keyId))!.record);

  describe("confirmation", () => {
    it("names both keys, masked, and says the one in use stays saved; asking changes nothing", async () => {
      const globex = world.key();
      const acme = world.key({ kind: "individual" });
      await save(globex, "Globex");
      await save(acme, "Acme", false);
      const before = await lingCodeReads();
      const shown = await confirmation({ key: "acme" });
      expect(shown).toEqual({
        message: `Switch LingCode from "Globex" (Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${globex.keyId}) to "Acme" (individual key, Key ID ${acme.keyId})? "Globex" stays saved.`,
        info: [
          { name: "From", value: `"Globex" (Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${globex.keyId})` },
          { name: "To", value: `"Acme" (individual key, Key ID ${acme.keyId})` },
        ],
      });
      world.expectClean(shown);
      expect(await lingCodeReads()).toBe(before);
    });

    it("nothing to confirm for an unknown name, the key already in use, or a damaged key", async () => {
      const globex = world.key();
      const acme = world.key();
      await save(globex, "Globex");
      await save(acme, "Acme", false);
      expect(await confirmation({ key: "Initech" })).toBeUndefined();
      expect(await confirmation({ key: "Globex" })).toBeUndefined();
      expect(await confirmation({ key: globex.keyId.toLowerCase() })).toBeUndefined();
      // Acme's line in the list is cut down to its Key ID and its item damaged: listed as damaged, never offered.
      // (With its item intact, the line would be rebuilt from the item.)
      const index = await keyStore().saved.readIndex();
      await keyStore().saved.putLine(index, { keyId: acme.keyId });
      await world.backend().set(savedKeysService(keyStore().service), itemAccount(acme.keyId), "test", "{broken");
      expect((await listKeys(keyStore())).keys.find((k) => k.keyId === acme.keyId)?.state).toBe("damaged");
      expect(await confirmation({ key: acme.keyId })).toBeUndefined();
    });

    it("LingCode using no key: asks to make it use the key", async () => {
      const globex = world.key();
      const acme = world.key();
      await save(globex, "Globex");
      await save(acme, "Acme", false);
      await removeKey(keyStore(), { key: "Globex", next: null });
      const shown = await confirmation({ key: "Acme" });
      expect(shown?.message).toBe(
        `Make LingCode use "Acme" (Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${acme.keyId})?`,
      );
      expect(shown?.info?.[0]).toEqual({ name: "From", value: "No key" });
    });
  });

  describe("the tool", () => {
    it("switches with one update of LingCode's entry; the previous key stays saved; the launcher is refreshed", async () => {
      // On the real keyring: what a plain `secret-tool lookup` (as a native app) reads after each switch.
      await world.realKeyring();
      const globex = world.key();
      const acme = world.key();
      await save(globex, "Globex");
      await save(acme, "Acme", false);
      expect(await lingCodeReads()).toBe(await savedCopy(globex.keyId));

      const result = await switchKey({ key: "ACME" });
      expect(result).toEqual({
        switched: true,
        sentence: `LingCode now uses "Acme" (Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${acme.keyId}); "Globex" stays saved.`,
        name: "Acme",
        keyId: acme.keyId,
        previous: { name: "Globex", keyId: globex.keyId },
      });
      world.expectClean(result);
      expect(await lingCodeReads()).toBe(await savedCopy(acme.keyId));
      expect(await keyStore().saved.readItem(globex.keyId)).toBeDefined();
      expect(JSON.parse(String(raycast.localStorage["saved-key"]))).toMatchObject({
        state: "key",
        summary: { keyId: acme.keyId },
      });
      expect(raycast.launches).toEqual([
        expect.objectContaining({ name: "check-api-key", context: { fromLocalStorage: true } }),
      ]);
      // Nothing is asked of Apple.
      expect(world.apple.requests).toHaveLength(0);

      // And back, by Key ID.
      expect(await switchKey({ key: globex.keyId })).toMatchObject({ switched: true, name: "Globex" });
      expect(await lingCodeReads()).toBe(await savedCopy(globex.keyId));
    });

    it("a name that means no key: switched false, with the reason and the saved keys' names; nothing written", async () => {
      const globex = world.key();
      await save(globex, "Globex");
      const before = await lingCodeReads();
      const result = await switchKey({ key: "Initech" });
      expect(result).toMatchObject({
        switched: false,
        reason: expect.stringMatching(/^No saved key is named "Initech"/),
        savedKeys: `"Globex" (Key ID ${globex.keyId})`,
      });
      expect(await lingCodeReads()).toBe(before);
      expect(await switchKey({ key: "globex" })).toMatchObject({
        switched: false,
        sentence: expect.stringMatching(/^LingCode already uses "Globex"/),
      });

      // A key a rotation took out of use: said to be retired, with the keys that can be used instead.
      const next = world.key();
      await registerKey(
        { kind: "team", issuerId: ISSUER_ID, keyId: next.keyId, p8Text: next.pem },
        { store: keyStore(), verify: false, rotates: "Globex" },
      );
      expect(await switchKey({ key: globex.keyId })).toEqual({
        switched: false,
        reason: `"Globex" (Key ID ${globex.keyId}) is retired: it is kept only to ask Apple whether it still works.`,
        savedKeys: `"Globex" (Key ID ${next.keyId})`,
      });
    });

    it("a key saved before there were several keys is kept, under its default name, when LingCode switches away", async () => {
      const old = world.key();
      const record = await world.seed(old);
      const acme = world.key({ kind: "individual" });
      await save(acme, "Acme", false);
      const result = await switchKey({ key: "Acme" });
      expect(result).toMatchObject({
        switched: true,
        previous: { name: `Unnamed key`, keyId: old.keyId },
      });
      expect(await savedCopy(old.keyId)).toBe(serializeRecord(record));
      expect(await switchKey({ key: old.keyId })).toMatchObject({ switched: true });
      expect(await lingCodeReads()).toBe(serializeRecord(record));
    });

    it("a damaged saved key: switched false with the reason; LingCode keeps its key", async () => {
      const globex = world.key();
      const acme = world.key();
      await save(globex, "Globex");
      await save(acme, "Acme", false);
      await world.backend().set(savedKeysService(world.service), itemAccount(acme.keyId), "test", '{"version":1}');
      const before = await lingCodeReads();
      const result = await switchKey({ key: "Acme" });
      expect(result).toMatchObject({ switched: false, reason: expect.stringMatching(/"Acme" .*cannot be used/) });
      expect(await lingCodeReads()).toBe(before);
    });
  });
});
