/**
 * The extension's one verify-and-remember (src/helpers/verify.ts): Verify with Apple in API Key Status and API Keys,
 * the verify-api-key tool, Check API Key and Check Again all check through it, so they remember alike.
 */
import { LocalStorage } from "@raycast/api";
import type { MemoryBackend } from "../support/memory-keychain";
import { describe, expect, it, vi } from "vitest";
import { appleOptions, keyStore } from "../../src/helpers/core";
import { verifyAndRemember } from "../../src/helpers/verify";
import { registerKey, verifyRememberingAcceptance } from "../../src/lib/keys";
import { raycast } from "../raycast/harness";
import { filesMatching } from "../support/source";
import { ISSUER_ID, testWorld, type WorldKey } from "../support/world";

describe("verifyAndRemember", () => {
  const world = testWorld("helpers-verify");
  const LAUNCHER = { name: "check-api-key", type: "background", context: { fromLocalStorage: true } };

  async function save(key: WorldKey, name: string, use: boolean) {
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: key.keyId, p8Text: key.pem },
      { store: keyStore(), verify: false, name, use },
    );
  }

  it("the key LingCode uses: the key and Apple's answer remembered, the launcher asked to redraw", async () => {
    const key = world.key();
    await world.seed(key);
    const { summary, check, remembered } = await verifyAndRemember();
    expect(summary.keyId).toBe(key.keyId);
    expect(check.outcome).toBe("valid");
    expect(remembered).toMatchObject({ keyId: key.keyId, outcome: "valid", message: check.message });
    expect(JSON.parse(String(raycast.localStorage["last-check"]))).toEqual(remembered);
    expect(JSON.parse(String(raycast.localStorage["saved-key"]))).toMatchObject({ summary: { keyId: key.keyId } });
    expect(raycast.launches).toEqual([LAUNCHER]);
    world.expectClean(raycast.localStorage);
  });

  it("refreshLauncher false: remembered the same way, and the launcher left to the caller", async () => {
    const key = world.key();
    await world.seed(key);
    await verifyAndRemember({ refreshLauncher: false });
    expect(JSON.parse(String(raycast.localStorage["last-check"]))).toMatchObject({ keyId: key.keyId });
    expect(raycast.launches).toEqual([]);
  });

  it("another saved key: its answer remembered for it alone; LingCode's last check and the launcher untouched", async () => {
    const [acme, globex] = [world.key(), world.key({ answer: "revoked" })];
    await save(acme, "Acme", true);
    await save(globex, "Globex", false);
    const { check } = await verifyAndRemember({ key: "Globex" });
    expect(check.outcome).toBe("rejected");
    expect(raycast.localStorage["last-check"]).toBeUndefined();
    expect(JSON.parse(String(raycast.localStorage["checks-by-key"]))).toEqual({
      [globex.keyId]: expect.objectContaining({ keyId: globex.keyId, outcome: "rejected" }),
    });
    expect(raycast.launches).toEqual([]);
  });

  it("a key accepted at its last check gets a 401 asked once more after a pause", async () => {
    const key = world.key();
    await world.seed(key);
    await verifyAndRemember();
    world.apple.setBehaviour(key.keyId, "revoked");
    world.apple.requests.length = 0;
    expect((await verifyAndRemember()).check.outcome).toBe("rejected");
    // The 401, the same question after the pause, then as an individual key.
    expect(world.apple.requests).toHaveLength(3);
  });

  describe("one memory with asc-key: the key's line in the saved keys' index (acceptedAt)", () => {
    /** The key's line's acceptedAt, as asc-key reads it. */
    async function acceptedAt(key: WorldKey) {
      const index = await keyStore().saved.readIndex();
      return index.pages.flatMap((page) => page.lines).find((line) => line.keyId === key.keyId)?.acceptedAt;
    }
    /** A check as asc-key runs it (cli/shared.ts), recording whether it paused to ask a 401 again. */
    async function ascKeyVerify() {
      const waited: number[] = [];
      const { check } = await verifyRememberingAcceptance(keyStore(), {
        ...appleOptions(),
        pause: async (ms) => {
          waited.push(ms);
        },
      });
      return { outcome: check.outcome, waited };
    }

    it("accepted in asc-key, never checked here: a stray 401 is asked once more", async () => {
      const key = world.key();
      await save(key, "Acme", true);
      expect((await ascKeyVerify()).outcome).toBe("valid");
      expect(raycast.localStorage["checks-by-key"]).toBeUndefined();
      world.apple.setBehaviour(key.keyId, "revoked");
      world.apple.requests.length = 0;
      expect((await verifyAndRemember()).check.outcome).toBe("rejected");
      // The 401, the same question after the pause, then as an individual key.
      expect(world.apple.requests).toHaveLength(3);
    });

    it("a final 401 here is kept in the line: asc-key's next 401 is not asked again", async () => {
      const key = world.key();
      await save(key, "Acme", true);
      expect((await ascKeyVerify()).outcome).toBe("valid");
      expect(await acceptedAt(key)).toEqual(expect.any(String));
      world.apple.setBehaviour(key.keyId, "revoked");
      expect((await verifyAndRemember()).check.outcome).toBe("rejected");
      expect(await acceptedAt(key)).toBeUndefined();
      expect(await ascKeyVerify()).toEqual({ outcome: "rejected", waited: [] });
    });

    it("an everyday valid check here reads the key alone; a final 401 in asc-key still meets this extension's memory", async () => {
      const key = world.key();
      await save(key, "Acme", true);
      expect((await ascKeyVerify()).outcome).toBe("valid");
      const store = world.backend() as MemoryBackend;
      const before = store.calls.length;
      await verifyAndRemember();
      // One Keychain read, the key's: an acceptance is remembered in LocalStorage, not written to the index.
      expect(store.calls.slice(before).map((call) => call.op)).toEqual(["get"]);
      world.apple.setBehaviour(key.keyId, "revoked");
      expect(await ascKeyVerify()).toEqual({ outcome: "rejected", waited: [expect.any(Number)] });
      expect(await acceptedAt(key)).toBeUndefined();
      world.apple.requests.length = 0;
      expect((await verifyAndRemember()).check.outcome).toBe("rejected");
      // This extension's own last check said valid: the 401 is asked once more, then as an individual key.
      expect(world.apple.requests).toHaveLength(3);
    });
  });

  it("LocalStorage failing: Apple's answer still comes back, with nothing remembered", async () => {
    const key = world.key();
    await world.seed(key);
    const setItem = vi.spyOn(LocalStorage, "setItem").mockRejectedValue(new Error("disk full"));
    try {
      const { check, remembered } = await verifyAndRemember();
      expect(check.outcome).toBe("valid");
      expect(remembered).toBeUndefined();
    } finally {
      setItem.mockRestore();
    }
  });

  it("is the one: no other face verifies and remembers by itself", () => {
    expect(filesMatching(/\bverifySavedKey\(/)).toEqual({
      "lib/keys/accepted.ts": 1,
      "lib/keys/use.ts": 1,
    });
    expect(filesMatching(/\bverifyRememberingAcceptance\(/)).toEqual({
      "cli/shared.ts": 1,
      "helpers/verify.ts": 1,
      "lib/keys/accepted.ts": 1,
    });
    expect(filesMatching(/\brememberVerification\(/)).toEqual({
      "helpers/local-storage.ts": 1,
      "helpers/verify.ts": 1,
    });
  });
});
