import { LocalStorage } from "@raycast/api";
import { describe, expect, it, vi } from "vitest";
import { outcomeSentence } from "../../src/lib/apple";
import { LOCKED_MESSAGE } from "../../src/lib/keychain/linux";
import * as verifyTool from "../../src/tools/verify-api-key";
import { startSecondKeyring } from "../support/keyring";
import { raycast } from "../raycast/harness";
import { keyStore } from "../../src/helpers/core";
import { registerKey } from "../../src/lib/keys";
import { ISSUER_ID, HAS_KEYRING, testWorld, type Answer } from "../support/world";

const verify = verifyTool.default;

describe.skipIf(!HAS_KEYRING)("verify-api-key", () => {
  const world = testWorld("tools-verify");

  it("has no confirmation: one read-only request", () => {
    expect("confirmation" in verifyTool).toBe(false);
  });

  it("another saved key, by name: checked on demand; what is remembered about LingCode's key stays as it was", async () => {
    const acme = world.key();
    const globex = world.key({ answer: "revoked" });
    for (const [key, name, use] of [
      [acme, "Acme", true],
      [globex, "Globex", false],
    ] as const) {
      await registerKey(
        { kind: "team", issuerId: ISSUER_ID, keyId: key.keyId, p8Text: key.pem },
        { store: keyStore(), verify: false, name, use },
      );
    }
    const own = await verify();
    expect(own).toMatchObject({ keyId: acme.keyId, outcome: "valid" });
    const remembered = { ...raycast.localStorage };
    expect(JSON.parse(String(remembered["last-check"]))).toMatchObject({ keyId: acme.keyId });

    const other = await verify({ key: "globex" });
    expect(other).toMatchObject({ keyId: globex.keyId, outcome: "rejected" });
    // The rejected key is asked once more, as an individual key.
    expect(world.apple.requests.map((request) => request.keyId)).toEqual([acme.keyId, globex.keyId, globex.keyId]);
    // Remembered for Globex alone, as API Keys remembers it (the one verify-and-remember): LingCode's key's stays.
    const { "checks-by-key": byKey, ...rest } = raycast.localStorage;
    const { "checks-by-key": byKeyBefore, ...restBefore } = remembered;
    expect(rest).toEqual(restBefore);
    expect(JSON.parse(String(byKey))).toEqual({
      ...JSON.parse(String(byKeyBefore)),
      [globex.keyId]: expect.objectContaining({ keyId: globex.keyId, outcome: "rejected" }),
    });
    expect((await world.saved())?.keyId).toBe(acme.keyId);

    expect(await verify({ key: "Initech" })).toMatchObject({
      checked: false,
      reason: expect.stringMatching(/^No saved key is named "Initech"/),
    });
    expect(world.apple.requests).toHaveLength(3);
  });

  it("LocalStorage failing after Apple answered: the answer is still returned", async () => {
    const key = world.key({ answer: "revoked" });
    await world.seed(key);
    const setItem = vi.spyOn(LocalStorage, "setItem").mockRejectedValue(new Error("disk full"));
    try {
      const result = await verify();
      expect(result).toMatchObject({ keyId: key.keyId, outcome: "rejected" });
      expect(setItem).toHaveBeenCalled();
    } finally {
      setItem.mockRestore();
    }
    expect(world.apple.requests).toHaveLength(2);
  });

  it.each<["team" | "individual", string[]]>([
    ["team", ["revoked", "other-team", "not-app-store-connect", "clock"]],
    ["individual", ["revoked", "team-key", "not-app-store-connect", "clock"]],
  ])("a rejected %s key: the causes, most likely first", async (kind, causes) => {
    const key = world.key({ answer: "revoked", kind });
    await world.seed(key);
    const result = await verify();
    expect(result).toMatchObject({ keyId: key.keyId, outcome: "rejected" });
    const message = (result as { message: string }).message;
    expect(message).toMatch(new RegExp(`^Apple rejected key ${key.keyId} \\(HTTP 401`));
    expect(message).toMatch(/most likely first: \(1\) It was revoked on Team Keys/);
    expect(message).toMatch(/\(4\) The clock: this Mac's clock is within a second of Apple's/);
    expect(message.includes("at the top of the Team Keys page")).toBe(causes.includes("other-team"));
    // A team key is asked once more as an individual key; an individual key is not asked again.
    expect(world.apple.requests).toHaveLength(kind === "team" ? 2 : 1);
    world.expectClean(result);
  });

  it("a key valid at its last check is asked once more after a pause before it is called rejected", async () => {
    const key = world.key();
    await world.seed(key);
    expect(await verify()).toMatchObject({ outcome: "valid" });
    world.apple.setBehaviour(key.keyId, "revoked");
    world.apple.requests.length = 0;
    const result = await verify();
    expect(result).toMatchObject({ keyId: key.keyId, outcome: "rejected" });
    expect((result as { message: string }).message).toMatch(
      /HTTP 401, asked again after a pause and as an individual key/,
    );
    // The 401, the same question again after the pause, then as an individual key.
    expect(world.apple.requests).toHaveLength(3);
  });

  it.each<[Answer, string, "team" | "individual"]>([
    ["ok", "valid", "team"],
    ["ok", "valid", "individual"],
    ["agreement", "agreement-required", "team"],
    ["role-limited", "role-limited", "team"],
    ["rate-limited", "rate-limited", "team"],
  ])("Apple answers %s: outcome %s with its sentence (%s key)", async (answer, outcome, kind) => {
    const key = world.key({ answer, kind });
    await world.seed(key);
    const result = await verify();
    expect(result).toMatchObject({
      keyId: key.keyId,
      outcome,
      message: outcomeSentence(outcome as Parameters<typeof outcomeSentence>[0], { keyId: key.keyId, kind }),
    });
    world.expectClean(result);
    expect(world.apple.requests).toHaveLength(1);
    // Remembered for the status view and the launcher, whose subtitle is asked to refresh.
    expect(JSON.parse(String(raycast.localStorage["last-check"]))).toMatchObject({ keyId: key.keyId, outcome });
    expect(raycast.launches).toEqual([
      expect.objectContaining({ name: "check-api-key", context: { fromLocalStorage: true } }),
    ]);
    // Verifying never changes the saved key.
    expect((await world.saved())?.keyId).toBe(key.keyId);
  });

  it("a locked keyring: refused as a Keychain problem saying what to do, never configured: false; Apple not asked", async () => {
    await world.realKeyring();
    const keyring = await startSecondKeyring();
    const undo = keyring.use();
    try {
      await world.seed(world.key());
      keyring.lock();
      const error = await verify().then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error?.code).toBe("keychain-locked");
      expect(error?.message).toBe(LOCKED_MESSAGE);
      expect(world.apple.requests).toHaveLength(0);
      expect(raycast.localStorage["last-check"]).toBeUndefined();
    } finally {
      undo();
      await keyring.stop();
    }
  });

  it("a valid key: the hourly requests left and the clock offset come along", async () => {
    const key = world.key();
    await world.seed(key);
    const result = await verify();
    expect(result.rateLimitRemaining).toBe(3599);
    expect(Math.abs(result.clockOffsetSeconds ?? 99)).toBeLessThanOrEqual(2);
  });

  it("agreement-required says the key itself is fine and names the Account Holder", async () => {
    const key = world.key({ answer: "agreement" });
    await world.seed(key);
    const { message } = await verify();
    expect(message).toMatch(/is fine/);
    expect(message).toMatch(/Account Holder/);
    expect(message).toMatch(/do not re-enter the key/);
  });

  it("Apple unreachable: outcome unreachable, and the last conclusive answer is kept", async () => {
    const key = world.key();
    await world.seed(key);
    await verify();
    const conclusive = raycast.localStorage["last-conclusive-check"];
    await world.goOffline();
    const result = await verify();
    expect(result).toMatchObject({ keyId: key.keyId, outcome: "unreachable" });
    expect(result.message).toMatch(/^Could not reach App Store Connect at 127\.0\.0\.1:\d+ \(.+\); check the internet/);
    world.expectClean(result);
    expect(JSON.parse(String(raycast.localStorage["last-check"]))).toMatchObject({ outcome: "unreachable" });
    expect(raycast.localStorage["last-conclusive-check"]).toBe(conclusive);
  });

  it("Apple's server error: outcome server-error", async () => {
    const key = world.key({ answer: "server-error" });
    await world.seed(key);
    const result = await verify();
    expect(result).toMatchObject({ keyId: key.keyId, outcome: "server-error" });
    expect(result.message).toMatch(/server error \(HTTP 500\)/);
  });

  it("no key: answers that none is configured, without a request or a remembered check", async () => {
    const result = await verify();
    expect(result).toEqual({ configured: false, sentence: "No, no ASC key configured." });
    expect(world.apple.requests).toHaveLength(0);
    expect(raycast.localStorage).toEqual({});
  });
});
