import { describe, expect, it } from "vitest";
import { saveCheck } from "../../src/helpers/local-storage";
import { roleWords } from "../../src/lib/apple/roles";
import * as capabilitiesTool from "../../src/tools/check-key-capabilities";
import { raycast } from "../raycast/harness";
import { ROLE_CASES } from "../support/apple-stand-in";
import { HAS_KEYRING, testWorld } from "../support/world";

const tool = capabilitiesTool.default;

/** The tool's answer for a saved key (the no-key answer has none of these fields). */
async function check() {
  const result = await tool();
  const { areas, conclusions, unknownBecause } = result;
  if (!areas || !conclusions || !unknownBecause) throw new Error("expected a capability answer");
  return { ...result, areas, conclusions, unknownBecause };
}

/** A valid check of `keyId` at `checkedAt`, remembered as the extension remembers one, with Apple's hourly count. */
function rememberCheckOf(keyId: string, checkedAt: Date, rateLimitRemaining: number) {
  return saveCheck(keyId, { outcome: "valid", message: "x", checkedAt: checkedAt.toISOString(), rateLimitRemaining });
}

describe.skipIf(!HAS_KEYRING)("check-key-capabilities", () => {
  const world = testWorld("tools-capabilities");

  it("has no confirmation: read-only requests", () => {
    expect("confirmation" in capabilitiesTool).toBe(false);
  });

  /** The warnings each role's key gets, beside the stand-in's table of what it can do. */
  // A team key reaching Users and Access gets a note (info), not a warning: no role is recorded here.
  const WARNINGS: Record<string, string[]> = {
    Admin: [],
    "App Manager": ["Xcode's automatic signing with this key will fail"],
    "Developer without access to certificates": [
      "cannot manage TestFlight",
      "Xcode's automatic signing with this key will fail",
    ],
    "Developer with access to certificates": ["cannot manage TestFlight"],
    Finance: ["LingCode cannot upload", "cannot manage TestFlight", "automatic signing"],
    "individual key of an App Manager with certificate access": [
      "can reach Users and Access",
      "provisioning endpoints or notarytool",
    ],
  };

  it.each(ROLE_CASES.map((c) => ({ ...c, warns: WARNINGS[c.name] })))(
    "$name: the areas and the documented conclusions",
    async (c) => {
      const key = world.key({ kind: c.kind });
      world.apple.setBehaviour(key.keyId, c.behaviour);
      await world.seed(key);
      const result = await check();
      expect(result).toMatchObject({ keyId: key.keyId, kind: c.kind, outcome: "valid", requests: 6 });
      expect(result.areas).toEqual(c.areas);
      expect(result.unknownBecause).toEqual({});
      const warnings = result.conclusions.filter((x) => x.level === "warn").map((x) => x.text);
      expect(warnings).toHaveLength(c.warns.length);
      c.warns.forEach((words, i) => expect(warnings[i]).toContain(words));
      for (const conclusion of result.conclusions) {
        for (const source of conclusion.sources) expect(source).toMatch(/^https:\/\/developer\.apple\.com\//);
      }
      expect(world.apple.requests).toHaveLength(6);
      world.expectClean(result);
      // Checking never changes the saved key, and is not remembered as a plain check.
      expect((await world.saved())?.keyId).toBe(key.keyId);
      expect(raycast.localStorage["last-check"]).toBeUndefined();
    },
  );

  it("a team key reaching Users and Access gets the note that settles its role (no warning)", async () => {
    const key = world.key();
    world.apple.setBehaviour(key.keyId, { role: "admin" });
    await world.seed(key);
    const result = await check();
    expect(result.conclusions.map((c) => c.text)).toContain(roleWords(key.keyId, "yes", undefined, "")?.text);
  });

  it("the last check saw fewer than 20 requests left this hour: asks nothing, says why", async () => {
    const key = world.key();
    await world.seed(key);
    await rememberCheckOf(key.keyId, new Date(Date.now() - 60_000), 12);
    const result = await check();
    expect(world.apple.requests).toHaveLength(0);
    expect(result.outcome).toBe("rate-limited");
    expect(Object.values(result.areas)).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown"]);
    expect(result.unknownBecause.users).toBe("not probed: only 12 requests left this hour");
  });

  it("an hour-old count, or another key's, does not stop it", async () => {
    const key = world.key();
    await world.seed(key);
    await rememberCheckOf(key.keyId, new Date(Date.now() - 3_700_000), 12);
    expect(await check()).toMatchObject({ requests: 6 });
    await rememberCheckOf("OTHER00001", new Date(), 1);
    expect(await check()).toMatchObject({ requests: 6 });
  });

  it("rate limited by Apple: unknown with the reason, never no", async () => {
    const key = world.key({ answer: "rate-limited" });
    await world.seed(key);
    const result = await check();
    expect(Object.values(result.areas)).not.toContain("no");
    expect(result.unknownBecause.builds).toMatch(/^rate limited/);
  });

  it("offline: unknown with the reason, never no", async () => {
    const key = world.key();
    await world.seed(key);
    await world.goOffline();
    const result = await check();
    expect(result.outcome).toBe("unreachable");
    expect(Object.values(result.areas)).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown"]);
    expect(result.unknownBecause.apps).toBe("offline: connection refused");
  });

  it("no key: answers that none is configured, without a request", async () => {
    expect(await tool()).toEqual({ configured: false, sentence: "No, no ASC key configured." });
    expect(world.apple.requests).toHaveLength(0);
  });
});
