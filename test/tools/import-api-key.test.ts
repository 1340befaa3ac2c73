import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keyFingerprint } from "../../src/lib/key";
import * as importTool from "../../src/tools/import-api-key";
import { fastlaneJsonOf, ISSUER_ID, ISSUER_SUFFIX, HAS_KEYRING, testWorld } from "../support/world";

const run = importTool.default;
const confirmation = importTool.confirmation;

describe.skipIf(!HAS_KEYRING)("import-api-key", () => {
  const world = testWorld("tools-import");

  it("asks first, naming the key, the masked Issuer ID, the file, the name and what LingCode uses; nothing is read from Apple", async () => {
    const key = world.key();
    const file = await world.writeFile("asc.json", fastlaneJsonOf(key));
    const shown = await confirmation({ path: file });
    const name = `Unnamed key`;
    expect(shown).toEqual({
      message: `Import key ${key.keyId} from asc.json: check it with Apple and save it in the Keychain as "${name}"; LingCode will use it?`,
      info: [
        { name: "Key ID", value: key.keyId },
        { name: "Issuer ID", value: `...${ISSUER_SUFFIX}` },
        { name: "File", value: "asc.json" },
        { name: "Name", value: name },
        { name: "LingCode Uses", value: "This key" },
        { name: "Replaces", value: "Nothing (no key saved)" },
      ],
    });
    world.expectClean(shown);
    expect(world.apple.requests).toHaveLength(0);
    expect(await world.saved()).toBeUndefined();
  });

  it("imports ~/ci/asc.json through Apple's check and the Keychain, and reminds that the file holds the key", async () => {
    const key = world.key();
    await fs.mkdir(path.join(world.home, "ci"), { recursive: true });
    await fs.writeFile(path.join(world.home, "ci", "asc.json"), fastlaneJsonOf(key));
    const result = await run({ path: "~/ci/asc.json", name: "CI" });
    expect(result).toMatchObject({
      saved: true,
      name: "CI",
      keyId: key.keyId,
      usedByLingCode: true,
      sentence: `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${key.keyId}`,
      fingerprint: keyFingerprint(key.pem),
      outcome: "valid",
      fileReminder: expect.stringMatching(/^asc\.json still holds the private key in clear/),
    });
    world.expectClean(result);
    const saved = await world.saved();
    expect(saved).toMatchObject({ keyId: key.keyId, issuerId: ISSUER_ID });
    expect(keyFingerprint(saved!.privateKey)).toBe(keyFingerprint(key.pem));
  });

  it("a key saved already: no question, nothing written, nothing asked of Apple", async () => {
    const key = world.key();
    await world.seed(key);
    const before = await world.saved();
    const file = await world.writeFile("asc.json", fastlaneJsonOf(key));
    expect(await confirmation({ path: file })).toBeUndefined();
    const result = await run({ path: file });
    expect(result).toMatchObject({ saved: false, alreadySaved: true, keyId: key.keyId });
    expect(world.apple.requests).toHaveLength(0);
    expect(await world.saved()).toEqual(before);
  });

  it("a file that is not a usable fastlane key: no question, one reason naming the file, no key text", async () => {
    const key = world.key();
    const notJson = await world.writeFile("broken.json", `key_id: ${key.keyId}\nkey: ${key.pem}`);
    expect(await confirmation({ path: notJson })).toBeUndefined();
    const result = await run({ path: notJson });
    expect(result).toEqual({
      saved: false,
      reason: "broken.json is not JSON; fastlane's API key file is a JSON object with key_id, issuer_id and key.",
    });
    world.expectClean(result);
    expect(await world.saved()).toBeUndefined();
  });

  it("a key Apple rejects is not saved", async () => {
    const key = world.key({ answer: "revoked" });
    const file = await world.writeFile("asc.json", fastlaneJsonOf(key));
    const result = await run({ path: file });
    expect(result).toMatchObject({ saved: false, outcome: "rejected" });
    world.expectClean(result);
    expect(await world.saved()).toBeUndefined();
  });
});
