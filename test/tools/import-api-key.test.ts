import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keyFingerprint } from "../../src/lib/key";
import { hasUnprintable } from "../../src/lib/text";
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

describe("import-api-key with an Expo project's eas.json", () => {
  const world = testWorld("tools-import-eas");

  /** An eas.json whose production profile names the team key's .p8 beside it, and a staging one another key. */
  async function project(team: ReturnType<typeof world.key>, other?: ReturnType<typeof world.key>) {
    const p8 = await world.writeP8(team);
    const submit: Record<string, unknown> = {
      production: {
        ios: { ascApiKeyPath: `./${path.basename(p8)}`, ascApiKeyId: team.keyId, ascApiKeyIssuerId: ISSUER_ID },
      },
    };
    if (other) submit.staging = { ios: { ascApiKeyPath: await world.writeP8(other), ascApiKeyId: other.keyId } };
    const easJson = path.join(path.dirname(p8), "eas.json");
    await fs.writeFile(easJson, JSON.stringify({ build: {}, submit }));
    return { p8, easJson };
  }

  it("takes an eas.json's path: imports its profile's key and reminds of the .p8 beside it, and of $EXPO_ASC_API_KEY_PATH", async () => {
    const key = world.key();
    const { easJson } = await project(key);
    const result = await run({ path: easJson });
    expect(result).toMatchObject({
      saved: true,
      keyId: key.keyId,
      fileReminder: expect.stringMatching(
        new RegExp(
          `^AuthKey_${key.keyId}\\.p8 still holds the private key in clear.* "ascApiKeyPath": "\\$EXPO_ASC_API_KEY_PATH"`,
        ),
      ),
    });
    world.expectClean(result);
    expect(keyFingerprint((await world.saved())!.privateKey)).toBe(keyFingerprint(key.pem));
  });

  it("the .p8's name, read from eas.json's text, is shown printable in the reminder", async () => {
    const key = world.key();
    const { p8, easJson } = await project(key);
    const odd = path.join(path.dirname(p8), "team\u001b[31m\u202ekey.p8");
    await fs.rename(p8, odd);
    const eas = JSON.parse(await fs.readFile(easJson, "utf8"));
    eas.submit.production.ios.ascApiKeyPath = `./${path.basename(odd)}`;
    await fs.writeFile(easJson, JSON.stringify(eas));
    const result = (await run({ path: easJson })) as { saved: boolean; fileReminder?: string };
    expect(result.saved).toBe(true);
    expect(result.fileReminder).toMatch(/^team\\x1b\[31m\\u202ekey\.p8 still holds the private key in clear/);
    expect(hasUnprintable(result.fileReminder!)).toBe(false);
    world.expectClean(result);
  });

  it("profiles with different keys: the reason lists them, and keyId picks one", async () => {
    const key = world.key();
    const other = world.key({ kind: "individual" });
    const { easJson } = await project(key, other);
    const refused = await run({ path: easJson });
    expect(refused).toEqual({
      saved: false,
      reason: `eas.json holds 2 keys (${key.keyId}, ${other.keyId}); call again with keyId set to one of them.`,
    });
    expect(await world.saved()).toBeUndefined();
    const result = await run({ path: easJson, keyId: other.keyId });
    expect(result).toMatchObject({ saved: true, keyId: other.keyId });
    // The staging profile's .p8 lies outside the project: nothing to remind of.
    expect(result).toMatchObject({ fileReminder: undefined });
    world.expectClean(result);
  });
});
