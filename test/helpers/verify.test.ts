/**
 * The extension's one verify-and-remember (src/helpers/verify.ts): Verify with Apple in API Key Status and API Keys,
 * the verify-api-key tool, Check API Key and Check Again all check through it, so they remember alike.
 */
import { LocalStorage } from "@raycast/api";
import { describe, expect, it, vi } from "vitest";
import { keyStore } from "../../src/helpers/core";
import { verifyAndRemember } from "../../src/helpers/verify";
import { registerKey } from "../../src/lib/keys";
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
      "cli/shared.ts": 1,
      "helpers/verify.ts": 1,
      "lib/keys/use.ts": 1,
    });
    expect(filesMatching(/\brememberVerification\(/)).toEqual({
      "helpers/local-storage.ts": 1,
      "helpers/verify.ts": 1,
    });
  });
});
