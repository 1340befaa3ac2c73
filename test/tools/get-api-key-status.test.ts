import { LocalStorage } from "@raycast/api";
import { describe, expect, it, vi } from "vitest";
import { itemAccount, savedKeysService, ACCOUNT, LABEL } from "../../src/lib/keychain";
import { LOCKED_MESSAGE } from "../../src/lib/keychain/linux";
import { startSecondKeyring } from "../support/keyring";
import { keyFingerprint } from "../../src/lib/key";
import { keyStore } from "../../src/helpers/core";
import { registerKey, removeKey } from "../../src/lib/keys";
import { saveCheck } from "../../src/helpers/local-storage";
import { outcomeSentence } from "../../src/lib/apple";
import * as statusTool from "../../src/tools/get-api-key-status";
import { raycast } from "../raycast/harness";
import { ISSUER_ID, ISSUER_SUFFIX, HAS_KEYRING, testWorld } from "../support/world";

const getStatus = statusTool.default;

describe.skipIf(!HAS_KEYRING)("get-api-key-status", () => {
  const world = testWorld("tools-status");

  it("has no confirmation: it only reads", () => {
    expect("confirmation" in statusTool).toBe(false);
  });

  it("no key: the sentence and configured false, nothing else", async () => {
    const result = await getStatus();
    expect(result).toEqual({ sentence: "No, no ASC key configured.", configured: false, otherKeys: [] });
  });

  it("team key: the status sentence word for word and the masked metadata", async () => {
    const key = world.key();
    const record = await world.seed(key, { savedAt: "2026-05-01T09:30:00.000Z" });
    const result = await getStatus();
    expect(result).toEqual({
      sentence: `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${key.keyId}`,
      configured: true,
      kind: "team",
      keyId: key.keyId,
      issuerIdSuffix: ISSUER_SUFFIX,
      fingerprint: keyFingerprint(record.privateKey),
      savedAt: "2026-05-01T09:30:00.000Z",
      name: `Unnamed key`,
      lastCheck: undefined,
      otherKeys: [],
    });
    world.expectClean(result);
    // Reading the status asks Apple nothing and leaves nothing behind.
    expect(world.apple.requests).toHaveLength(0);
    expect(raycast.launches).toEqual([]);
    expect(raycast.localStorage).toEqual({});
  });

  it("individual key: says so, and has no Issuer ID suffix at all", async () => {
    const key = world.key({ kind: "individual" });
    await world.seed(key);
    const result = await getStatus();
    expect(result.sentence).toBe(`Yes, individual key, Key ID ${key.keyId}`);
    expect(result).toMatchObject({ configured: true, kind: "individual", keyId: key.keyId });
    expect(result).not.toHaveProperty("issuerIdSuffix");
    world.expectClean(result);
  });

  it("includes the last check with Apple for this key, and ignores one about another key", async () => {
    const key = world.key();
    await world.seed(key);
    const message = outcomeSentence("agreement-required", { keyId: key.keyId });
    await saveCheck("OTHERKEY01", {
      outcome: "rejected",
      message: outcomeSentence("rejected", { keyId: "OTHERKEY01" }),
      checkedAt: "2026-05-02T10:00:00.000Z",
    });
    expect(await getStatus()).toMatchObject({ configured: true, lastCheck: undefined });

    await saveCheck(key.keyId, {
      outcome: "agreement-required",
      message,
      checkedAt: "2026-05-03T10:00:00.000Z",
      httpStatus: 403,
    });
    const result = await getStatus();
    expect(result).toHaveProperty("lastCheck", {
      outcome: "agreement-required",
      message,
      checkedAt: "2026-05-03T10:00:00.000Z",
    });
    world.expectClean(result);
  });

  it("a locked keyring: answered as a Keychain problem saying what to do, never configured: false", async () => {
    await world.realKeyring();
    const keyring = await startSecondKeyring();
    const undo = keyring.use();
    try {
      await world.seed(world.key());
      keyring.lock();
      const result = await getStatus();
      expect(result).toEqual({
        entry: "keychain-problem",
        sentence: `Couldn't read the Keychain, so whether a key is set up is unknown: ${LOCKED_MESSAGE}`,
      });
    } finally {
      undo();
      await keyring.stop();
    }
  });

  it("an unreadable entry: said so (as the status view does), quoting nothing of the entry", async () => {
    const key = world.key();
    // A damaged entry holding key material: the reason must not echo it.
    await world
      .backend()
      .set(world.service, ACCOUNT, LABEL, `{"version":1,"kind":"team","privateKey":${JSON.stringify(key.pem)}}`);
    const result = await getStatus();
    expect(result).toMatchObject({ entry: "unreadable", otherKeys: [] });
    expect(result).not.toHaveProperty("configured");
    expect(result.sentence).toMatch(
      /^A LingCode key entry is saved but unusable: .*unreadable.*register the key again/,
    );
    world.expectClean(result);
  });

  it("a Keychain that does not answer: a Keychain problem, never no key", async () => {
    await world.realKeyring();
    const key = world.key();
    await world.seed(key);
    await world.fakeSecretTool("echo 'Cannot get secret of a locked object' >&2; exit 1");
    const result = await getStatus();
    expect(result).toMatchObject({ entry: "keychain-problem" });
    expect(result).not.toHaveProperty("configured");
    expect(result.sentence).toMatch(/^Couldn't read the Keychain, so whether a key is set up is unknown: .*locked/);
    expect(result.sentence).not.toContain("No, no ASC key");
  });

  it("several keys: answers for LingCode's key by name, and lists the others masked, reading no other secret", async () => {
    const acme = world.key();
    const globex = world.key();
    const mine = world.key({ kind: "individual" });
    const store = keyStore();
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: acme.keyId, p8Text: acme.pem },
      {
        store,
        verify: false,
        name: "Acme",
      },
    );
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: globex.keyId, p8Text: globex.pem },
      {
        store,
        verify: false,
        name: "Globex",
        use: false,
      },
    );
    const m = await registerKey(
      { kind: "individual", keyId: mine.keyId, p8Text: mine.pem },
      {
        store,
        verify: false,
        name: "My App",
      },
    );
    // Globex's item damaged behind the list's back: still listed as saved, so its item (a secret) was not read.
    await world.backend().set(savedKeysService(world.service), itemAccount(globex.keyId), "test", "{}");
    const result = await getStatus();
    expect(result).toMatchObject({
      sentence: `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${acme.keyId}`,
      configured: true,
      keyId: acme.keyId,
      name: "Acme",
    });
    expect((result as { otherKeys: unknown[] }).otherKeys).toEqual([
      { name: "Globex", keyId: globex.keyId, kind: "team", issuerIdSuffix: ISSUER_SUFFIX, savedAt: expect.any(String) },
      { name: "My App", keyId: mine.keyId, kind: "individual", savedAt: m.summary.savedAt },
    ]);
    world.expectClean(result);

    // LingCode using no key: the others are still listed.
    await removeKey(store, { next: null });
    const none = await getStatus();
    expect(none).toMatchObject({ configured: false, sentence: "No, no ASC key configured." });
    expect((none as { otherKeys: { name: string }[] }).otherKeys.map((key) => key.name)).toEqual(["Globex", "My App"]);
  });

  it("LocalStorage failing: the key's status still answers, without a last check", async () => {
    const key = world.key();
    await world.seed(key);
    const getItem = vi.spyOn(LocalStorage, "getItem").mockRejectedValue(new Error("broken"));
    try {
      expect(await getStatus()).toMatchObject({ configured: true, keyId: key.keyId, lastCheck: undefined });
    } finally {
      getItem.mockRestore();
    }
  });
});
