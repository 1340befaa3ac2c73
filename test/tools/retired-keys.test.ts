/** "Did I revoke my old key?": get-api-key-status lists the retired keys with their sentences; verify-api-key checks them. */
import { describe, expect, it } from "vitest";
import { keyStore } from "../../src/helpers/core";
import { registerKey } from "../../src/lib/keys";
import getStatus from "../../src/tools/get-api-key-status";
import verifyTool from "../../src/tools/verify-api-key";
import { raycast } from "../raycast/harness";
import { HAS_KEYRING, ISSUER_ID, testWorld } from "../support/world";

describe.skipIf(!HAS_KEYRING)("get-api-key-status and verify-api-key: did I revoke my old key?", () => {
  const world = testWorld("tools-retired");

  it("lists the old key with its sentence (no request); verify-api-key with retired checks it now", async () => {
    const old = world.key();
    const key = world.key();
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: old.keyId, p8Text: old.pem },
      { store: keyStore(), verify: false, name: "Acme" },
    );
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: key.keyId, p8Text: key.pem },
      { store: keyStore(), verify: false, rotates: "Acme" },
    );
    type Answer = { retiredKeys?: { keyId: string; state: string; sentence: string }[]; otherKeys?: unknown };
    let result = (await getStatus()) as Answer;
    expect(result.retiredKeys).toEqual([
      {
        keyId: old.keyId,
        state: "pending",
        sentence: `Key ${old.keyId} not proven revoked yet: once it is revoked on Team Keys, two refusals by Apple at least 10 minutes apart prove it.`,
      },
    ]);
    expect(world.apple.requests).toHaveLength(0);
    // The old key is not among the keys at hand.
    expect(JSON.stringify(result.otherKeys)).not.toContain(old.keyId);

    const verified = await verifyTool({ retired: true });
    expect(world.apple.requests.map((request) => request.keyId)).toEqual([key.keyId, old.keyId]);
    expect(verified.retiredKeys).toMatchObject([{ keyId: old.keyId, state: "still-works" }]);
    expect(verified.retiredKeys?.[0].sentence).toMatch(
      /still works at Apple \(checked \d\d:\d\d\): revoke it on Team Keys$/,
    );
    result = (await getStatus()) as Answer;
    expect(result.retiredKeys).toMatchObject([{ keyId: old.keyId, state: "still-works" }]);
    // Without retired, verify-api-key asks about the key LingCode uses only.
    world.apple.requests.length = 0;
    expect((await verifyTool({})).retiredKeys).toBeUndefined();
    expect(world.apple.requests).toHaveLength(1);
    world.expectClean(result);
    world.expectClean(verified);
    world.expectClean(raycast.localStorage);
  });
});
