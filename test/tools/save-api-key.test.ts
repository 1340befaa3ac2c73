import { promises as fs } from "node:fs";
import path from "node:path";
import { LocalStorage } from "@raycast/api";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { outcomeSentence } from "../../src/lib/apple";
import { roleWords } from "../../src/lib/apple/roles";

const roleNote = (keyId: string) => roleWords(keyId, "yes", undefined, "")?.text;
import { parseIssuerId, parseKeyId } from "../../src/lib/ids";
import { keyFingerprint, loadKeyFile } from "../../src/lib/key";
import { ACCOUNT, LABEL } from "../../src/lib/keychain";
import { LOCKED_MESSAGE } from "../../src/lib/keychain/linux";
import { prepareKey } from "../../src/lib/keys";
import * as keys from "../../src/lib/keys/register";
import { keyStore } from "../../src/helpers/core";
import * as saveTool from "../../src/tools/save-api-key";
import { raycast } from "../raycast/harness";
import { ISSUER_ID, ISSUER_SUFFIX, HAS_KEYRING, testWorld, type WorldKey } from "../support/world";

// The registration's steps, watched: a confirmation then the tool plan once and apply that plan.
vi.mock("../../src/lib/keys/register", async (original) => {
  const actual = await original<typeof import("../../src/lib/keys/register")>();
  return {
    ...actual,
    planRegistration: vi.fn(actual.planRegistration),
    applyRegistration: vi.fn(actual.applyRegistration),
    registerKey: vi.fn(actual.registerKey),
  };
});
beforeEach(() => {
  vi.mocked(keys.planRegistration).mockClear();
  vi.mocked(keys.applyRegistration).mockClear();
  vi.mocked(keys.registerKey).mockClear();
});

const save = saveTool.default;
const confirmation = saveTool.confirmation;

type Input = Parameters<typeof save>[0];

describe.skipIf(!HAS_KEYRING)("save-api-key", () => {
  const world = testWorld("tools-save");
  async function teamInput(key: WorldKey, extra: Partial<Input> = {}): Promise<Input> {
    return { issuerId: ISSUER_ID, keyId: key.keyId, p8Path: await world.writeP8(key), ...extra };
  }

  /** Runs `run` with a fake secret-tool first on PATH (`script` is its shell body), or with none at all (null). */
  async function withSecretTool<T>(script: string | null, run: () => Promise<T>): Promise<T> {
    if (script === null) await world.hideSecretTool();
    else await world.fakeSecretTool(script);
    try {
      return await run();
    } finally {
      world.restorePath();
    }
  }

  const replacesOf = (shown: Awaited<ReturnType<typeof confirmation>>) =>
    shown?.info?.find((entry) => entry.name === "Replaces")?.value;

  describe("confirmation", () => {
    it("a first key: Key ID, masked Issuer ID, file name, and that it replaces nothing", async () => {
      const key = world.key();
      const input = await teamInput(key);
      const shown = await confirmation(input);
      const name = `Unnamed key`;
      expect(shown).toEqual({
        message: `Check key ${key.keyId} with Apple and save it in the Keychain as "${name}"; LingCode will use it?`,
        info: [
          { name: "Key ID", value: key.keyId },
          { name: "Issuer ID", value: `...${ISSUER_SUFFIX}` },
          { name: "File", value: `AuthKey_${key.keyId}.p8` },
          { name: "Name", value: name },
          { name: "LingCode Uses", value: "This key" },
          { name: "Replaces", value: "Nothing (no key saved)" },
        ],
      });
      expect(shown).not.toHaveProperty("style");
      world.expectClean(shown);
      // Confirming asks Apple nothing and saves nothing.
      expect(world.apple.requests).toHaveLength(0);
      expect(await world.saved()).toBeUndefined();
    });

    it("a key of the team LingCode uses: LingCode will use it, and the old key stays saved", async () => {
      const old = world.key();
      await world.seed(old);
      const key = world.key();
      const shown = await confirmation(await teamInput(key, { name: "Acme" }));
      const oldName = `Unnamed key`;
      expect(shown?.message).toBe(
        `Check key ${key.keyId} with Apple and save it in the Keychain as "Acme"; LingCode will use it instead of "${oldName}", which stays saved?`,
      );
      expect(shown?.info).toContainEqual({
        name: "LingCode Uses",
        value: `This key, instead of "${oldName}" (Key ID ${old.keyId})`,
      });
      expect(shown?.info).toContainEqual({ name: "Replaces", value: "Nothing" });
      world.expectClean(shown);
    });

    it("useForLingCode false, or another team: only saved, and LingCode keeps its key", async () => {
      const old = world.key();
      await world.seed(old);
      const key = world.key();
      const oldName = `Unnamed key`;
      const shown = await confirmation(await teamInput(key, { name: "Acme", useForLingCode: false }));
      expect(shown?.message).toBe(
        `Check key ${key.keyId} with Apple and save it in the Keychain as "Acme"; LingCode keeps using "${oldName}"?`,
      );
      expect(shown?.info).toContainEqual({
        name: "LingCode Uses",
        value: `"${oldName}" (Key ID ${old.keyId}) (this key is only saved)`,
      });
      const individual = world.key({ kind: "individual" });
      const other = await confirmation({
        keyId: individual.keyId,
        p8Path: await world.writeP8(individual),
        individual: true,
      });
      expect(other?.message).toContain(`; LingCode keeps using "${oldName}"?`);
    });

    it("a name another key has: no confirmation (the tool says why)", async () => {
      const old = world.key();
      await world.seed(old);
      const key = world.key();
      expect(await confirmation(await teamInput(key, { name: "UNNAMED key" }))).toBeUndefined();
      const result = await save(await teamInput(key, { name: "UNNAMED key" }));
      expect(result).toMatchObject({ saved: false, reason: expect.stringMatching(/has that name: "Unnamed key"/) });
      expect(world.apple.requests).toHaveLength(0);
    });

    it("the same Key ID with other key material still counts as a replacement", async () => {
      const old = world.key();
      await world.seed(old);
      const other = { ...world.key(), keyId: old.keyId };
      const shown = await confirmation(await teamInput(other));
      const oldName = `Unnamed key`;
      expect(shown?.message).toContain(`; LingCode will use it, replacing the saved key "${oldName}"?`);
      expect(shown?.info).toContainEqual({
        name: "Replaces",
        value: `The saved key "${oldName}" (Key ID ${old.keyId}): same Key ID, other key material`,
      });
    });

    it("the very key already saved: replaces nothing, and does not claim no key is saved", async () => {
      const key = world.key();
      await world.seed(key);
      const shown = await confirmation(await teamInput(key));
      expect(shown?.message).toBe(
        `Check key ${key.keyId} with Apple and save it in the Keychain as "Unnamed key"; LingCode will use it?`,
      );
      const replaces = shown?.info?.find((entry) => entry.name === "Replaces")?.value;
      expect(replaces).toMatch(/^Nothing/);
      expect(replaces).not.toMatch(/no key saved/);
      expect(replaces).toContain(key.keyId);
    });

    it("an individual key: says Individual instead of an Issuer ID", async () => {
      const key = world.key({ kind: "individual" });
      const shown = await confirmation({ keyId: key.keyId, p8Path: await world.writeP8(key), individual: true });
      expect(shown?.info).toEqual([
        { name: "Key ID", value: key.keyId },
        { name: "Key Type", value: "Individual" },
        { name: "File", value: `AuthKey_${key.keyId}.p8` },
        { name: "Name", value: "Unnamed key" },
        { name: "LingCode Uses", value: "This key" },
        { name: "Replaces", value: "Nothing (no key saved)" },
      ]);
      world.expectClean(shown);
    });

    it("a pasted, untidy Issuer ID and a lowercase Key ID are shown cleaned, the Issuer ID still masked", async () => {
      const key = world.key();
      const shown = await confirmation(
        await teamInput(key, { issuerId: `Issuer ID: ${ISSUER_ID.toUpperCase()} `, keyId: key.keyId.toLowerCase() }),
      );
      expect(shown?.info?.slice(0, 2)).toEqual([
        { name: "Key ID", value: key.keyId },
        { name: "Issuer ID", value: `...${ISSUER_SUFFIX}` },
      ]);
      world.expectClean(shown);
    });

    it.each([
      ["locked", 'echo "Cannot get secret of a locked object" >&2; exit 1', LOCKED_MESSAGE],
      ["failing", "exit 3", "Could not read the keyring item: secret-tool exited with status 3."],
      ["missing", null, "secret-tool was not found; install libsecret-tools (apt-get install libsecret-tools)."],
    ] as const)(
      "the Keychain %s while the saved key is read: still asks, saying the saved key could not be read",
      async (_name, script, reason) => {
        await world.realKeyring();
        const old = world.key();
        await world.seed(old);
        const key = world.key();
        const input = await teamInput(key);
        const shown = await withSecretTool(script, () => confirmation(input));
        expect(shown).toEqual({
          message: `Check key ${key.keyId} with Apple and save it in the Keychain, replacing any saved key?`,
          info: [
            { name: "Key ID", value: key.keyId },
            { name: "Issuer ID", value: `...${ISSUER_SUFFIX}` },
            { name: "File", value: `AuthKey_${key.keyId}.p8` },
            { name: "Replaces", value: `The saved key, if any (could not be read: ${reason})` },
          ],
        });
        world.expectClean(shown);
        expect(world.apple.requests).toHaveLength(0);
        expect((await world.saved())?.keyId).toBe(old.keyId);
      },
    );

    it.each([
      ["damaged (not JSON)", '{"version":1,"kind":"team"'],
      ["from a newer version", JSON.stringify({ version: 2, kind: "team", keyId: "ABC1234DEF" })],
    ])("a saved entry %s: asks, saying it replaces an unreadable entry", async (_name, text) => {
      await world.backend().set(world.service, ACCOUNT, LABEL, text);
      const key = world.key();
      const shown = await confirmation(await teamInput(key));
      expect(shown?.message).toBe(
        `Check key ${key.keyId} with Apple and save it in the Keychain as "Unnamed key"; LingCode will use it, replacing the unreadable saved entry?`,
      );
      expect(replacesOf(shown)).toBe("An unreadable entry (it cannot be used; saving replaces it)");
      world.expectClean(shown);
    });

    it("an unexpected failure reading the input (not a refusal): still asks, with the input as given", async () => {
      const old = world.key();
      await world.seed(old);
      const key = world.key();
      const input = await teamInput(key, { issuerId: 42 as unknown as string }); // not a string: a TypeError
      const shown = await confirmation(input);
      expect(shown?.message).toBe(
        `Check key ${key.keyId} with Apple and save it in the Keychain, replacing any saved key?`,
      );
      expect(shown?.info).toEqual([
        { name: "Key ID", value: key.keyId },
        { name: "File", value: `AuthKey_${key.keyId}.p8` },
        {
          name: "Replaces",
          value: "The saved key, if any (could not be read: the key could not be read to compare it)",
        },
      ]);
    });

    it("input the tool will refuse, with the Keychain locked too: no confirmation, the Keychain not asked", async () => {
      await world.realKeyring();
      const key = world.key();
      const input = await teamInput(key, { keyId: "2X9R 4HXF34" });
      const log = path.join(await world.dir(), `secret-tool-${key.keyId}.log`);
      const shown = await withSecretTool(`echo "$*" >> '${log}'; echo "locked" >&2; exit 1`, () => confirmation(input));
      expect(shown).toBeUndefined();
      await expect(fs.access(log)).rejects.toThrow();
    });

    it("input the tool will refuse: no confirmation (the tool reports the reason), nothing touched", async () => {
      const key = world.key();
      for (const input of [
        await teamInput(key, { issuerId: "not-an-issuer-id" }),
        await teamInput(key, { keyId: "2X9R 4HXF34" }),
        await teamInput(key, { p8Path: path.join(await world.dir(), "missing", "AuthKey_X.p8") }),
        await teamInput(key, { p8Path: await world.writeP8(key, { name: `SubscriptionKey_${key.keyId}.p8` }) }),
        { ...(await teamInput(key)), individual: true },
      ]) {
        expect(await confirmation(input)).toBeUndefined();
      }
      expect(world.apple.requests).toHaveLength(0);
    });
  });

  describe("the tool", () => {
    it("a first key: checked with Apple once, saved, with the sentence, fingerprint and outcome", async () => {
      const key = world.key();
      const result = await save(await teamInput(key));
      expect(result).toEqual({
        saved: true,
        name: `Unnamed key`,
        usedByLingCode: true,
        sentence: `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${key.keyId}`,
        fingerprint: keyFingerprint(key.pem),
        outcome: "valid",
        message: outcomeSentence("valid", { keyId: key.keyId }),
        // An App Manager key (the stand-in's default) reaches Users and Access: saved, with a note (no warning) saying
        // the one step that tells App Manager from Admin.
        warnings: [],
        roleNote: roleNote(key.keyId),
        previousKeyStaysSaved: undefined,
        lingCodeKeepsUsing: undefined,
        replacedKeyId: undefined,
        revokeReminder: undefined,
        keyId: key.keyId,
      });
      world.expectClean(result);
      expect(world.apple.requests.map((r) => [r.path, r.status])).toEqual([
        ["/v1/apps?limit=1", 200],
        ["/v1/users?limit=1", 200],
      ]);
      const saved = await world.saved();
      expect(saved).toMatchObject({ version: 1, kind: "team", issuerId: ISSUER_ID, keyId: key.keyId });
      expect(keyFingerprint(saved!.privateKey)).toBe(keyFingerprint(key.pem));
      // Remembered for the status view, and the launcher subtitle asked to refresh.
      expect(JSON.parse(String(raycast.localStorage["last-check"]))).toMatchObject({
        keyId: key.keyId,
        outcome: "valid",
      });
      expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");
      expect(raycast.launches).toEqual([
        expect.objectContaining({ name: "check-api-key", context: { fromLocalStorage: true } }),
      ]);
    });

    it.each([
      ["role-limited", "role-limited"],
      ["agreement", "agreement-required"],
      ["rate-limited", "rate-limited"],
    ] as const)("Apple answers %s: the key still works, so it is saved (%s)", async (answer, outcome) => {
      const key = world.key({ answer });
      const result = await save(await teamInput(key));
      expect(result).toMatchObject({ saved: true, outcome });
      expect(result.message).toBe(outcomeSentence(outcome, { keyId: key.keyId }));
      expect((await world.saved())?.keyId).toBe(key.keyId);
      world.expectClean(result);
    });

    it("LocalStorage failing after the save: still saved true, with a note, and the key is in the Keychain", async () => {
      const key = world.key();
      const setItem = vi.spyOn(LocalStorage, "setItem").mockRejectedValue(new Error("disk full"));
      try {
        const result = await save(await teamInput(key));
        expect(result).toMatchObject({ saved: true, outcome: "valid" });
        expect(result.warnings).toEqual([
          "The check's answer could not be remembered; Verify with Apple shows it again.",
        ]);
        expect(setItem).toHaveBeenCalled();
      } finally {
        setItem.mockRestore();
      }
      expect((await world.saved())?.keyId).toBe(key.keyId);
    });

    it("an individual key: saved without an Issuer ID", async () => {
      const key = world.key({ kind: "individual" });
      const result = await save({ keyId: key.keyId, p8Path: await world.writeP8(key), individual: true });
      expect(result).toMatchObject({
        saved: true,
        sentence: `Yes, individual key, Key ID ${key.keyId}`,
        outcome: "valid",
      });
      const saved = await world.saved();
      expect(saved).toMatchObject({ kind: "individual", keyId: key.keyId });
      expect(saved).not.toHaveProperty("issuerId");
    });

    it("a second key of the team: LingCode uses it, the first stays saved, nothing to revoke", async () => {
      const old = world.key();
      await world.seed(old);
      const key = world.key();
      const result = await save(await teamInput(key, { name: "Acme" }));
      expect(result).toMatchObject({
        saved: true,
        name: "Acme",
        usedByLingCode: true,
        previousKeyStaysSaved: { name: `Unnamed key`, keyId: old.keyId },
        replacedKeyId: undefined,
        revokeReminder: undefined,
      });
      expect((await world.saved())?.keyId).toBe(key.keyId);
      expect(await keyStore().saved.readItem(old.keyId)).toBeDefined();
      expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");
      world.expectClean(result);
    });

    it("only saved (useForLingCode false): said so; LingCode's key and its remembered check are untouched", async () => {
      const old = world.key();
      const before = await world.seed(old);
      const key = world.key();
      const result = await save(await teamInput(key, { name: "Acme", useForLingCode: false }));
      const oldName = `Unnamed key`;
      expect(result).toMatchObject({
        saved: true,
        name: "Acme",
        usedByLingCode: false,
        sentence: `Saved "Acme" (Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${key.keyId}); LingCode keeps using "${oldName}".`,
        lingCodeKeepsUsing: { name: oldName, keyId: old.keyId },
        outcome: "valid",
      });
      expect(await world.saved()).toEqual(before);
      expect(raycast.localStorage).not.toHaveProperty("last-check");
      expect(raycast.localStorage).not.toHaveProperty("saved-key");
      world.expectClean(result);
    });

    it("the same Key ID with other key material: replaces that saved key, reminds to revoke it", async () => {
      const old = world.key();
      await world.seed(old);
      const other = world.key();
      const sameId = { ...other, keyId: old.keyId };
      world.apple.register({ keyId: old.keyId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey });
      const result = await save(await teamInput(sameId));
      expect(result).toMatchObject({
        saved: true,
        usedByLingCode: true,
        replacedKeyId: old.keyId,
        revokeReminder: `Revoke "Unnamed key" (Key ID ${old.keyId}) on Team Keys once nothing uses it.`,
      });
      expect(JSON.parse(String(raycast.localStorage["key-to-revoke"]))).toMatchObject({ keyId: old.keyId });
      world.expectClean(result);
    });

    it("the same key again is not a replacement: nothing to revoke", async () => {
      const key = world.key();
      await world.seed(key);
      const result = await save(await teamInput(key));
      expect(result).toMatchObject({ saved: true, replacedKeyId: undefined, revokeReminder: undefined });
      expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");
    });

    it("after its confirmation, applies the plan the confirmation showed: planned once, never again", async () => {
      const old = world.key();
      await world.seed(old);
      const key = world.key();
      const input = await teamInput(key, { name: "Acme" });
      const shown = await confirmation(input);
      expect(shown?.info).toContainEqual({ name: "Replaces", value: "Nothing" });
      expect(keys.planRegistration).toHaveBeenCalledTimes(1);
      const planned = await vi.mocked(keys.planRegistration).mock.results[0].value;

      const result = await save(input);
      expect(result).toMatchObject({ saved: true, name: "Acme", usedByLingCode: true, keyId: key.keyId });
      expect(keys.planRegistration).toHaveBeenCalledTimes(1);
      expect(keys.registerKey).not.toHaveBeenCalled();
      expect(keys.applyRegistration).toHaveBeenCalledTimes(1);
      expect(vi.mocked(keys.applyRegistration).mock.calls[0][0]).toBe(planned);
      expect((await world.saved())?.keyId).toBe(key.keyId);

      // The plan is taken once: the same input again plans afresh.
      await save(input);
      expect(keys.registerKey).toHaveBeenCalledTimes(1);
    });

    it("the saved keys changed after the confirmation: nothing saved, and says so (no second plan applied instead)", async () => {
      const key = world.key();
      const input = await teamInput(key);
      await confirmation(input);
      const other = world.key();
      await world.seed(other);
      const result = await save(input);
      expect(result).toMatchObject({ saved: false });
      expect((result as { reason: string }).reason).toMatch(/changed since this registration was planned/);
      expect((await world.saved())?.keyId).toBe(other.keyId);
      expect(keys.registerKey).not.toHaveBeenCalled();
    });

    it("without a confirmation of the same input, plans for itself", async () => {
      const key = world.key();
      await confirmation(await teamInput(key, { name: "Acme" }));
      const result = await save(await teamInput(key, { name: "Globex" }));
      expect(result).toMatchObject({ saved: true, name: "Globex" });
      expect(keys.registerKey).toHaveBeenCalledTimes(1);
      expect(keys.applyRegistration).not.toHaveBeenCalled();
    });

    it("a file named for another Key ID: saved, with the key model's warning", async () => {
      const key = world.key();
      const file = await world.writeP8(key, { name: "AuthKey_ZZZZ999999.p8" });
      const { warnings } = await loadKeyFile(file, key.keyId);
      expect(warnings).toHaveLength(1);
      const result = await save({ issuerId: ISSUER_ID, keyId: key.keyId, p8Path: file });
      expect(result, JSON.stringify(result)).toMatchObject({
        saved: true,
        warnings,
        roleNote: roleNote(key.keyId),
      });
    });

    it("expands ~/ in the path to the home folder", async () => {
      const key = world.key();
      await world.writeP8(key, { downloads: true });
      const input = { issuerId: ISSUER_ID, keyId: key.keyId, p8Path: `~/Downloads/AuthKey_${key.keyId}.p8` };
      const shown = await confirmation(input);
      expect(shown?.info).toContainEqual({ name: "File", value: `AuthKey_${key.keyId}.p8` });
      const result = await save(input);
      expect(result).toMatchObject({ saved: true, outcome: "valid" });
      expect((await world.saved())?.keyId).toBe(key.keyId);
    });

    describe("refuses bad input with the key model's reason; nothing asked, nothing saved", () => {
      const cases: [string, (key: WorldKey) => Promise<{ input: Input; reason: () => Promise<string> }>][] = [
        [
          "a malformed Issuer ID",
          async (key) => ({
            input: await teamInput(key, { issuerId: "69a6de70-03db-47e3" }),
            reason: () => reasonOf(() => parseIssuerId("69a6de70-03db-47e3")),
          }),
        ],
        [
          "a team key without an Issuer ID",
          async (key) => ({
            input: await teamInput(key, { issuerId: undefined }),
            reason: () => reasonOf(() => parseIssuerId(undefined)),
          }),
        ],
        [
          "a Key ID with a space inside",
          async (key) => ({
            input: await teamInput(key, { keyId: "2X9R 4HXF34" }),
            reason: () => reasonOf(() => parseKeyId("2X9R 4HXF34")),
          }),
        ],
        [
          "a Key ID that is really the Issuer ID",
          async (key) => ({
            input: await teamInput(key, { keyId: ISSUER_ID }),
            reason: () => reasonOf(() => parseKeyId(ISSUER_ID)),
          }),
        ],
        [
          "a missing file",
          async (key) => {
            const p8Path = path.join(await world.dir(), "nowhere", `AuthKey_${key.keyId}.p8`);
            return {
              input: await teamInput(key, { p8Path }),
              reason: () => reasonOf(() => loadKeyFile(p8Path)),
            };
          },
        ],
        [
          "a file that is not a key",
          async (key) => {
            const p8Path = await world.writeP8("Issuer ID and Key ID, written down for later\n", {
              name: "AuthKey_NOTES.p8",
            });
            return {
              input: await teamInput(key, { p8Path }),
              reason: () => reasonOf(() => loadKeyFile(p8Path)),
            };
          },
        ],
        [
          "an In-App Purchase key (SubscriptionKey_<ID>.p8, for the App Store Server API), though Apple would accept it",
          async (key) => {
            const p8Path = await world.writeP8(key, { name: `SubscriptionKey_${key.keyId}.p8` });
            return {
              input: await teamInput(key, { p8Path }),
              reason: () => reasonOf(() => loadKeyFile(p8Path)),
            };
          },
        ],
        [
          "an individual key with an Issuer ID",
          async (key) => {
            const input = { ...(await teamInput(key)), individual: true };
            return {
              input,
              reason: () =>
                reasonOf(() =>
                  prepareKey({ kind: "individual", issuerId: ISSUER_ID, keyId: key.keyId, p8Path: input.p8Path }),
                ),
            };
          },
        ],
      ];

      it.each(cases)("%s", async (_name, make) => {
        const old = world.key();
        await world.seed(old);
        const { input, reason } = await make(world.key());
        const expected = await reason();
        const result = await save(input);
        expect(result).toEqual({ saved: false, reason: expected });
        world.expectClean(result);
        expect(world.apple.requests).toHaveLength(0);
        expect((await world.saved())?.keyId).toBe(old.keyId);
        expect(raycast.localStorage).toEqual({});
      });
    });

    describe("Apple stops the registration: saved false with the reason, the old key intact", () => {
      it("a revoked key: rejected", async () => {
        const old = world.key();
        const before = await world.seed(old);
        const key = world.key({ answer: "revoked" });
        const result = await save(await teamInput(key));
        expect(result).toMatchObject({ saved: false, outcome: "rejected" });
        expect(result.reason).toMatch(
          new RegExp(
            `^Apple rejected key ${key.keyId} \\(HTTP 401, asked as an individual key \\(no Issuer ID\\) too\\)\\. What that can mean, most likely first: \\(1\\) It was revoked`,
          ),
        );
        expect(result.reason).toMatch(
          /\(2\) The Issuer ID is another team's.*\(3\) It is not an App Store Connect key.*\(4\) The clock/,
        );
        expect(result).not.toHaveProperty("individualKey", true);
        world.expectClean(result);
        expect(world.apple.requests).toHaveLength(2);
        expect(await world.saved()).toEqual(before);
        expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");
      });

      it("an individual key registered with an Issuer ID: this is an individual key, saved as one in one more call", async () => {
        const key = world.key({ kind: "individual" });
        const input = await teamInput(key);
        const result = await save(input);
        expect(result).toMatchObject({
          saved: false,
          outcome: "rejected",
          reason: `Key ${key.keyId} is an individual key: Apple accepted it without the Issuer ID; save it as an individual key (no Issuer ID).`,
          individualKey: true,
        });
        expect(result.nextStep).toMatch(/call save-api-key again with individual: true and no issuerId/);
        expect(await world.saved()).toBeUndefined();
        const again = await save({ ...input, issuerId: undefined, individual: true });
        expect(again).toMatchObject({ saved: true, keyId: key.keyId, outcome: "valid" });
        expect(await world.saved()).toMatchObject({ kind: "individual", keyId: key.keyId });
      });

      it("the Issuer ID of another team: rejected", async () => {
        const old = world.key();
        const before = await world.seed(old);
        const key = world.key();
        const otherTeam = "69a6de70-03db-47e3-e053-5b8c7c11a4d1";
        const result = await save(await teamInput(key, { issuerId: otherTeam }));
        expect(result).toMatchObject({ saved: false, outcome: "rejected" });
        expect(JSON.stringify(result)).not.toContain(otherTeam);
        expect(await world.saved()).toEqual(before);
      });

      it("Apple unreachable: saved false, outcome unreachable", async () => {
        const old = world.key();
        const before = await world.seed(old);
        const key = world.key();
        const input = await teamInput(key);
        await world.goOffline();
        const result = await save(input);
        expect(result).toMatchObject({ saved: false, outcome: "unreachable" });
        expect((result as { reason: string }).reason).toMatch(/^Could not reach App Store Connect/);
        world.expectClean(result);
        expect(await world.saved()).toEqual(before);
      });

      it("Apple's server error: saved false, outcome server-error", async () => {
        const key = world.key({ answer: "server-error" });
        const result = await save(await teamInput(key));
        expect(result).toMatchObject({ saved: false, outcome: "server-error" });
        expect(await world.saved()).toBeUndefined();
      });
    });
  });
});

/** The key model's own reason for refusing something: what a tool must pass on, word for word. */
async function reasonOf(refuse: () => unknown): Promise<string> {
  try {
    await refuse();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the key model to refuse");
}
