import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CheckResult } from "../../../src/lib/apple";
import { AscKeyError, type ErrorCode } from "../../../src/lib/errors";
import { createKeyStore, createSecretToolBackend, type KeyStore } from "../../../src/lib/keychain";
import {
  AppleCheckError,
  mintSavedToken,
  planRegistration,
  prepareKey,
  readStatus,
  registerKey,
  type KeyInput,
  type RegistrationStep,
  removeKey,
  verifySavedKey,
} from "../../../src/lib/keys";
import { serializeRecord, type KeyRecord } from "../../../src/lib/record";
import { decodeTokenClaims } from "../../../src/lib/token";
import { type Answer, useAppleStandIn } from "../../support/apple-stand-in";
import { ISSUER_ID, makeKey, makeKeyId, makeRecord, type TestKey } from "../../support/keys";
import { expectNoSecret } from "../../support/leaks";
import { memoryStore as memoryStoreIn } from "../../support/memory-keychain";
import { closedPortUrl } from "../../support/network";

const KEYRING = process.env.LINGCODE_TEST_KEYRING === "1" && process.platform === "linux";
const NOW = Date.parse("2026-11-26T04:00:00.000Z");

const apple = useAppleStandIn();
let dir: string;
/** Every PEM made in this file: no result, JSON or message may carry any part of one. */
const pems: string[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "lingcode-pipeline-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// helpers

function key(curve?: string): TestKey {
  const made = makeKey(curve);
  pems.push(made.pem);
  return made;
}

/** A fresh key with a unique Key ID, registered with the stand-in under `answer`. */
function appleKey(kind: "team" | "individual" = "team", answer: Answer = "ok") {
  const k = key();
  const keyId = makeKeyId();
  apple.register({ keyId, kind, issuerId: kind === "team" ? ISSUER_ID : undefined, publicKey: k.publicKey }, answer);
  return { ...k, keyId };
}

let fileCounter = 0;
async function writeKeyFile(contents: string, name = "AuthKey_X.p8"): Promise<string> {
  fileCounter += 1;
  const sub = path.join(dir, String(fileCounter));
  await fs.mkdir(sub);
  const file = path.join(sub, name);
  await fs.writeFile(file, contents);
  return file;
}

/** Every PEM made in this file: no result, JSON or message may carry any part of one (test/support/leaks.ts). */
function expectNoKeyMaterial(value: unknown) {
  expectNoSecret({ pems }, value);
}

async function rejection(promise: Promise<unknown>): Promise<AscKeyError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AscKeyError);
  expectNoKeyMaterial(error);
  expect((error as Error).message).not.toMatch(/[\r\n]/);
  return error as AscKeyError;
}

const locked = () => new AscKeyError("keychain-locked", "The keyring is locked and could not be unlocked.");

const memoryStore = () => memoryStoreIn("pipeline-mem");

async function appsAnswer(token: string): Promise<number> {
  const response = await fetch(`${apple.url}/v1/apps?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  await response.text();
  return response.status;
}

function teamInput(k: { pem: string; keyId: string }, extra: Partial<KeyInput> = {}): KeyInput {
  return { kind: "team", issuerId: ISSUER_ID, keyId: k.keyId, p8Text: k.pem, ...extra };
}

// ---------------------------------------------------------------------------------------------------------------

describe("the key-material detector used below", () => {
  it("catches a PEM, its body, a single line of it, and a record holding it", () => {
    const k = key();
    const line = k.pem.split("\n")[2];
    for (const leak of [k.pem, k.pem.replace(/-----[^-]+-----/g, ""), `oops ${line}`, makeRecord({}, k)]) {
      expect(() => expectNoKeyMaterial(leak)).toThrow();
    }
    expect(() => expectNoKeyMaterial({ keyId: "ABC1234DEF", note: "-----BEGIN PRIVATE KEY-----" })).not.toThrow();
  });
});

describe("prepareKey", () => {
  it("team key from a path: cleaned IDs, canonical PEM, fingerprint, file name, savedAt from the clock", async () => {
    const k = key();
    const file = await writeKeyFile(k.pem.replace(/\n/g, "\r\n"), "AuthKey_ABC1234DEF.p8");
    const prepared = await prepareKey(
      { kind: "team", issuerId: `  ${ISSUER_ID.toUpperCase()} `, keyId: " abc1234def ", p8Path: file },
      () => NOW,
    );
    expect(prepared.record).toEqual({
      version: 1,
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "ABC1234DEF",
      privateKey: k.pem,
      savedAt: "2026-11-26T04:00:00.000Z",
    });
    expect(prepared.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(prepared.fileName).toBe("AuthKey_ABC1234DEF.p8");
    expect(prepared.warnings).toEqual([]);
    expectNoKeyMaterial({ ...prepared, record: { ...prepared.record, privateKey: "" } });
  });

  it("team key from text: no file name, same fingerprint as from the file", async () => {
    const k = key();
    const fromText = await prepareKey({
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "ABC1234DEF",
      p8Text: `\n${k.pem}  `,
    });
    const fromFile = await prepareKey({
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "ABC1234DEF",
      p8Path: await writeKeyFile(k.pem, "AuthKey_ABC1234DEF.p8"),
    });
    expect(fromText.fileName).toBeUndefined();
    expect(fromText.record.privateKey).toBe(k.pem);
    expect(fromText.fingerprint).toBe(fromFile.fingerprint);
    expect(fromText.warnings).toEqual([]);
  });

  it("individual key from a path: no Issuer ID in the record", async () => {
    const k = key();
    const prepared = await prepareKey({
      kind: "individual",
      keyId: "ZYX9876WVU",
      p8Path: await writeKeyFile(k.pem, "AuthKey_ZYX9876WVU.p8"),
    });
    expect(prepared.record.kind).toBe("individual");
    expect(prepared.record).not.toHaveProperty("issuerId");
    expect(prepared.record.keyId).toBe("ZYX9876WVU");
    expect(prepared.fileName).toBe("AuthKey_ZYX9876WVU.p8");
  });

  it("individual key from text; an empty or blank Issuer ID field is fine", async () => {
    const k = key();
    for (const issuerId of [undefined, "", "   "]) {
      const prepared = await prepareKey({ kind: "individual", issuerId, keyId: "ZYX9876WVU", p8Text: k.pem });
      expect(prepared.record).not.toHaveProperty("issuerId");
      expect(prepared.record.privateKey).toBe(k.pem);
      expect(prepared.fileName).toBeUndefined();
    }
  });

  it("warns about an unusual Key ID but accepts it", async () => {
    const k = key();
    const prepared = await prepareKey({ kind: "team", issuerId: ISSUER_ID, keyId: "abc-123", p8Text: k.pem });
    expect(prepared.record.keyId).toBe("ABC-123");
    expect(prepared.warnings).toHaveLength(1);
    expect(prepared.warnings[0]).toContain("ABC-123");
    expect(prepared.warnings[0]).toMatch(/not the usual ten letters and digits/);
  });

  it("warns when the file is named for another Key ID", async () => {
    const k = key();
    const prepared = await prepareKey({
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "ABC1234DEF",
      p8Path: await writeKeyFile(k.pem, "AuthKey_OTHER12345.p8"),
    });
    expect(prepared.warnings).toEqual([
      expect.stringContaining("named for Key ID OTHER12345 but you entered ABC1234DEF"),
    ]);
  });

  it("a browser's duplicate suffix does not count as another Key ID", async () => {
    const k = key();
    const prepared = await prepareKey({
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "abc1234def",
      p8Path: await writeKeyFile(k.pem, "AuthKey_ABC1234DEF (1).p8"),
    });
    expect(prepared.warnings).toEqual([]);
    expect(prepared.fileName).toBe("AuthKey_ABC1234DEF (1).p8");
  });

  it("both warnings at once, the Key ID one first", async () => {
    const k = key();
    const prepared = await prepareKey({
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "SHORT1",
      p8Path: await writeKeyFile(k.pem, "AuthKey_ABC1234DEF.p8"),
    });
    expect(prepared.warnings).toHaveLength(2);
    expect(prepared.warnings[0]).toMatch(/not the usual/);
    expect(prepared.warnings[1]).toMatch(/named for Key ID ABC1234DEF but you entered SHORT1/);
  });
});

describe("refusals: each has its code, and nothing is checked or written", () => {
  const goodPem = () => key().pem;
  const cases: Array<[string, () => Promise<KeyInput> | KeyInput, ErrorCode]> = [
    [
      "team key without Issuer ID",
      () => ({ kind: "team", keyId: "ABC1234DEF", p8Text: goodPem() }),
      "issuer-id-missing",
    ],
    [
      "team key with a blank Issuer ID",
      () => ({ kind: "team", issuerId: "  ", keyId: "ABC1234DEF", p8Text: goodPem() }),
      "issuer-id-missing",
    ],
    [
      "team key with a malformed Issuer ID",
      () => ({ kind: "team", issuerId: "57246542-96fe-1a63-e053", keyId: "ABC1234DEF", p8Text: goodPem() }),
      "issuer-id-invalid",
    ],
    [
      "individual key with an Issuer ID",
      () => ({ kind: "individual", issuerId: ISSUER_ID, keyId: "ABC1234DEF", p8Text: goodPem() }),
      "issuer-id-not-allowed",
    ],
    ["empty Key ID", () => ({ kind: "team", issuerId: ISSUER_ID, keyId: " ", p8Text: goodPem() }), "key-id-missing"],
    [
      "Key ID with a space inside",
      () => ({ kind: "team", issuerId: ISSUER_ID, keyId: "ABC 1234DEF", p8Text: goodPem() }),
      "key-id-invalid",
    ],
    [
      "Key ID that is the Issuer ID",
      () => ({ kind: "team", issuerId: ISSUER_ID, keyId: ISSUER_ID, p8Text: goodPem() }),
      "key-id-invalid",
    ],
    ["no file and no text", () => ({ kind: "team", issuerId: ISSUER_ID, keyId: "ABC1234DEF" }), "file-not-found"],
    [
      "a path where there is no file",
      () => ({
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: "ABC1234DEF",
        p8Path: path.join(dir, "nope", "AuthKey_X.p8"),
      }),
      "file-not-found",
    ],
    [
      "a folder",
      async () => ({
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: "ABC1234DEF",
        p8Path: path.dirname(await writeKeyFile("x")),
      }),
      "file-is-directory",
    ],
    [
      "an empty file",
      async () => ({ kind: "team", issuerId: ISSUER_ID, keyId: "ABC1234DEF", p8Path: await writeKeyFile("") }),
      "file-empty",
    ],
    [
      "a file that is not a key",
      async () => ({
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: "ABC1234DEF",
        p8Path: await writeKeyFile("Hello, this is a note about keys."),
      }),
      "not-a-key",
    ],
    [
      "a key file cut short",
      async () => ({
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: "ABC1234DEF",
        p8Path: await writeKeyFile(goodPem().split("\n").slice(0, 3).join("\n")),
      }),
      "corrupt-key",
    ],
    [
      "a P-384 key as text",
      () => ({ kind: "team", issuerId: ISSUER_ID, keyId: "ABC1234DEF", p8Text: key("P-384").pem }),
      "wrong-curve",
    ],
    [
      "a SubscriptionKey file, though its contents are a fine key",
      async () => ({
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: "ABC1234DEF",
        p8Path: await writeKeyFile(goodPem(), "SubscriptionKey_ABC1234DEF.p8"),
      }),
      "subscription-key",
    ],
  ];

  it.each(cases)("%s → %s", async (_name, makeInput, code) => {
    const input = await makeInput();
    expect((await rejection(prepareKey(input))).code).toBe(code);

    const { store, backend } = memoryStore();
    const old = makeRecord({}, key());
    await store.write(old);
    const rawBefore = await store.readRaw();
    backend.count.set = 0;
    const steps: RegistrationStep[] = [];
    const error = await rejection(
      registerKey(input, { store, check: { baseUrl: apple.url }, onStep: (s) => steps.push(s) }),
    );
    expect(error.code).toBe(code);
    expect(error).not.toBeInstanceOf(AppleCheckError);
    expect(steps).toEqual(["reading"]);
    expect(backend.count.set).toBe(0);
    expect(await store.readRaw()).toBe(rawBefore);
    expect(apple.requests).toHaveLength(0);
  });
});

describe("AppleCheckError", () => {
  const result = (outcome: CheckResult["outcome"]): CheckResult => ({
    outcome,
    message: `sentence for ${outcome}`,
    checkedAt: new Date(NOW).toISOString(),
  });

  it("rejected → apple-rejected; unreachable and server-error → apple-unavailable", () => {
    expect(new AppleCheckError(result("rejected")).code).toBe("apple-rejected");
    expect(new AppleCheckError(result("unreachable")).code).toBe("apple-unavailable");
    expect(new AppleCheckError(result("server-error")).code).toBe("apple-unavailable");
  });

  it("is an AscKeyError carrying Apple's sentence and the whole check", () => {
    const check = result("rejected");
    const error = new AppleCheckError(check);
    expect(error).toBeInstanceOf(AscKeyError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe("sentence for rejected");
    expect(error.check).toBe(check);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// registration against a store: every expectation on the in-memory backend; on the real Secret Service, the cases
// where the keyring matters (what is written and read back, the old record kept, replaced, removed, the status read)

function registrationSuite(makeStore: () => KeyStore, keyring = false) {
  /** A case about the registration's logic, not about the store: the in-memory pass alone runs it. */
  const logic = (keyring ? () => undefined : it) as (name: string, fn: () => Promise<void>, timeout?: number) => void;
  const logicEach = <T>(cases: readonly T[]) => (keyring ? [] : cases);
  let store: KeyStore;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(async () => {
    await store.remove();
  });

  describe.each<[Answer, CheckResult["outcome"]]>([
    ["ok", "valid"],
    ...logicEach<[Answer, CheckResult["outcome"]]>([
      ["role-limited", "role-limited"],
      ["agreement", "agreement-required"],
      ["rate-limited", "rate-limited"],
    ]),
  ])("Apple answers %s", (answer, outcome) => {
    it(`saves the key (${outcome}) after one request`, async () => {
      const k = appleKey("team", answer);
      const steps: RegistrationStep[] = [];
      const registration = await registerKey(teamInput(k), {
        store,
        check: { baseUrl: apple.url },
        onStep: (step) => steps.push(step),
        now: () => NOW,
      });
      expect(steps).toEqual(["reading", "checking", "saving"]);
      expect(apple.requests).toHaveLength(1);
      expect(apple.requests[0].keyId).toBe(k.keyId);
      expect(registration.check?.outcome).toBe(outcome);
      expect(registration.summary).toMatchObject({
        configured: true,
        kind: "team",
        keyId: k.keyId,
        issuerIdSuffix: "b6c",
      });
      expect(registration.sentence).toBe(`Yes, Issuer ID ends in ...b6c, Key ID ${k.keyId}`);
      expect(registration.replaced).toBeUndefined();
      expect(await store.read()).toEqual({
        version: 1,
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: k.keyId,
        privateKey: k.pem,
        savedAt: new Date(NOW).toISOString(),
      });
      expectNoKeyMaterial(registration);
    });
  });

  it("individual key from a file, verified", async () => {
    const k = appleKey("individual");
    const p8Path = await writeKeyFile(k.pem, `AuthKey_${k.keyId}.p8`);
    const registration = await registerKey(
      { kind: "individual", keyId: k.keyId.toLowerCase(), p8Path },
      { store, check: { baseUrl: apple.url } },
    );
    expect(registration.check?.outcome).toBe("valid");
    expect(registration.fileName).toBe(`AuthKey_${k.keyId}.p8`);
    expect(registration.sentence).toBe(`Yes, individual key, Key ID ${k.keyId}`);
    expect(registration.summary).not.toHaveProperty("issuerIdSuffix");
    const saved = await store.read();
    expect(saved).toMatchObject({ kind: "individual", keyId: k.keyId, privateKey: k.pem });
    expect(saved).not.toHaveProperty("issuerId");
    expectNoKeyMaterial(registration);
  });

  logic("warnings travel through to the registration", async () => {
    const k = appleKey();
    const p8Path = await writeKeyFile(k.pem, "AuthKey_OTHER12345.p8");
    const registration = await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: k.keyId, p8Path },
      { store, check: { baseUrl: apple.url } },
    );
    expect(registration.warnings).toEqual([expect.stringContaining("OTHER12345")]);
  });

  describe("Apple stops the registration and the old record stays", () => {
    let old: KeyRecord;
    let rawBefore: string | undefined;
    beforeEach(async () => {
      old = makeRecord({}, key());
      await store.write(old);
      rawBefore = await store.readRaw();
    });

    async function refused(input: KeyInput, baseUrl: string, code: ErrorCode, timeoutMs?: number) {
      const steps: RegistrationStep[] = [];
      const error = await rejection(
        registerKey(input, { store, check: { baseUrl, timeoutMs }, onStep: (s) => steps.push(s) }),
      );
      expect(error).toBeInstanceOf(AppleCheckError);
      expect(error.code).toBe(code);
      expect(steps).toEqual(["reading", "checking"]);
      expect(await store.readRaw()).toBe(rawBefore);
      expect(await store.read()).toEqual(old);
      return error as AppleCheckError;
    }

    it("revoked key → apple-rejected", async () => {
      const k = appleKey("team", "revoked");
      const error = await refused(teamInput(k), apple.url, "apple-rejected");
      expect(error.check.outcome).toBe("rejected");
      expect(error.check.httpStatus).toBe(401);
      expect(error.message).toContain(k.keyId);
      expect(error.message).not.toContain(ISSUER_ID);
      // One more request, as an individual key; then what the 401 can mean, most likely first.
      expect(apple.requests).toHaveLength(2);
      expect(error.explained?.individualAccepted).toBe(false);
      expect(error.message).toMatch(/What that can mean, most likely first: \(1\) It was revoked/);
    });

    logic("wrong Issuer ID → apple-rejected", async () => {
      const k = appleKey();
      const error = await refused(
        teamInput(k, { issuerId: "69a6de70-0000-47e3-e053-5b8c7c11a4d1" }),
        apple.url,
        "apple-rejected",
      );
      expect(error.check.outcome).toBe("rejected");
      expect(apple.requests[0].reason).toMatch(/iss/);
    });

    logic("an individual key registered as a team key → apple-rejected", async () => {
      const k = appleKey("individual");
      await refused(teamInput(k), apple.url, "apple-rejected");
    });

    logic("unreachable (closed port) → apple-unavailable", async () => {
      const k = appleKey();
      const error = await refused(teamInput(k), await closedPortUrl(), "apple-unavailable");
      expect(error.check.outcome).toBe("unreachable");
      expect(error.message).toMatch(/connection refused/);
    });

    logic("no answer in time → apple-unavailable", async () => {
      const k = appleKey("team", "hang");
      const error = await refused(teamInput(k), apple.url, "apple-unavailable", 300);
      expect(error.check.outcome).toBe("unreachable");
    });

    it.each<Answer>(logicEach<Answer>(["server-error", "unavailable", "garbage"]))(
      "%s → apple-unavailable",
      async (answer) => {
        const k = appleKey("team", answer);
        const error = await refused(teamInput(k), apple.url, "apple-unavailable");
        expect(error.check.outcome).toBe("server-error");
      },
    );
  });

  logic("verify: false saves without any request to Apple, and without the checking step", async () => {
    const k = { ...key(), keyId: makeKeyId() }; // not even known to Apple
    const steps: RegistrationStep[] = [];
    const registration = await registerKey(teamInput(k), {
      store,
      verify: false,
      check: { baseUrl: apple.url },
      onStep: (s) => steps.push(s),
    });
    expect(apple.requests).toHaveLength(0);
    expect(steps).toEqual(["reading", "saving"]);
    expect(registration.check).toBeUndefined();
    expect((await store.read())?.keyId).toBe(k.keyId);
  });

  it("a second key of the same team: LingCode uses it, the first stays saved; nothing is replaced", async () => {
    const a = appleKey();
    const b = appleKey();
    const first = await registerKey(teamInput(a), { store, check: { baseUrl: apple.url } });
    const second = await registerKey(teamInput(b), { store, check: { baseUrl: apple.url } });
    expect(first).toMatchObject({ active: true, name: "Unnamed key" });
    expect(first.switchedFrom).toBeUndefined();
    expect(second).toMatchObject({ active: true, switchedFrom: { ...first.summary, name: first.name } });
    expect(second.replaced).toBeUndefined();
    expect(second.switchedFrom).not.toHaveProperty("privateKey");
    expect((await store.read())?.keyId).toBe(b.keyId);
    expect((await store.saved.readItem(a.keyId))?.record.keyId).toBe(a.keyId);
    expectNoKeyMaterial(second);
  });

  it("replaced is absent when the same key is registered again (even from another form of the PEM)", async () => {
    const a = appleKey();
    await registerKey(teamInput(a), { store, check: { baseUrl: apple.url } });
    const again = await registerKey(
      teamInput(a, { keyId: a.keyId.toLowerCase(), p8Text: a.pem.replace(/\n/g, "\r\n") }),
      {
        store,
        verify: false,
      },
    );
    expect(again.replaced).toBeUndefined();
  });

  it("replaced is set for the same Key ID with other key material; the same material under another Key ID is another key", async () => {
    const a = appleKey();
    await registerKey(teamInput(a), { store, verify: false });
    const other = key();
    const sameId = await registerKey(teamInput({ keyId: a.keyId, pem: other.pem }), { store, verify: false });
    expect(sameId.replaced?.keyId).toBe(a.keyId);
    expect(sameId.replaced?.fingerprint).not.toBe(sameId.summary.fingerprint);
    const otherId = await registerKey(teamInput({ keyId: "NEWID12345", pem: other.pem }), { store, verify: false });
    expect(otherId.replaced).toBeUndefined();
    expect(otherId.switchedFrom?.keyId).toBe(a.keyId);
  });

  logic("accepts an already prepared key without reading it again", async () => {
    const k = appleKey();
    const p8Path = await writeKeyFile(k.pem, "AuthKey_OTHER12345.p8");
    const prepared = await prepareKey({ kind: "team", issuerId: ISSUER_ID, keyId: k.keyId, p8Path }, () => NOW);
    await fs.rm(p8Path); // registering a prepared key must not read the file again
    const steps: RegistrationStep[] = [];
    const registration = await registerKey(prepared, {
      store,
      check: { baseUrl: apple.url },
      onStep: (s) => steps.push(s),
    });
    expect(steps).toEqual(["reading", "checking", "saving"]);
    expect(registration.fileName).toBe("AuthKey_OTHER12345.p8");
    expect(registration.warnings).toEqual(prepared.warnings);
    expect(registration.fingerprint).toBe(prepared.fingerprint);
    expect(await store.read()).toEqual(prepared.record);
  });

  it("readStatus: no key, team key, individual key", async () => {
    expect(await readStatus(store)).toEqual({ status: { configured: false }, sentence: "No, no ASC key configured." });

    const team = makeRecord({ keyId: "ABC1234DEF" }, key());
    await store.write(team);
    const teamStatus = await readStatus(store);
    expect(teamStatus.sentence).toBe("Yes, Issuer ID ends in ...b6c, Key ID ABC1234DEF");
    expect(teamStatus.status).toMatchObject({
      configured: true,
      kind: "team",
      keyId: "ABC1234DEF",
      issuerIdSuffix: "b6c",
      savedAt: team.savedAt,
      fingerprint: expect.stringMatching(/^SHA256:/),
    });
    expectNoKeyMaterial(teamStatus);
    expect(JSON.stringify(teamStatus)).not.toContain(ISSUER_ID);

    await store.write(makeRecord({ kind: "individual", keyId: "ZYX9876WVU" }, key()));
    const individual = await readStatus(store);
    expect(individual.sentence).toBe("Yes, individual key, Key ID ZYX9876WVU");
    expect(individual.status).not.toHaveProperty("issuerIdSuffix");
    expectNoKeyMaterial(individual);
  });

  logic("planRegistration: no current key when empty, LingCode's key when saved", async () => {
    const prepared = await prepareKey(teamInput(appleKey()));
    expect((await planRegistration(prepared, store)).current).toBeUndefined();
    const record = makeRecord({}, key());
    await store.write(record);
    expect((await planRegistration(prepared, store)).current).toMatchObject({ keyId: record.keyId });
  });

  logic("verifySavedKey: no key → no-key without a request; then each answer for the saved key", async () => {
    const none = await rejection(verifySavedKey(store, { baseUrl: apple.url }));
    expect(none.code).toBe("no-key");
    expect(none.message).toMatch(/^No, no ASC key configured\./);
    expect(apple.requests).toHaveLength(0);

    const k = appleKey();
    await registerKey(teamInput(k), { store, verify: false });
    const ok = await verifySavedKey(store, { baseUrl: apple.url });
    expect(ok.check.outcome).toBe("valid");
    expect(ok.summary).toMatchObject({ configured: true, keyId: k.keyId });
    expectNoKeyMaterial(ok);

    apple.setBehaviour(k.keyId, "revoked");
    const revoked = await verifySavedKey(store, { baseUrl: apple.url });
    expect(revoked.check.outcome).toBe("rejected");
    expect((await store.read())?.keyId).toBe(k.keyId); // a check never deletes
    expectNoKeyMaterial(revoked);

    const offline = await verifySavedKey(store, { baseUrl: await closedPortUrl() });
    expect(offline.check.outcome).toBe("unreachable");
  });

  logic("mintSavedToken: no key → no-key; a token Apple accepts, reused within the process", async () => {
    expect((await rejection(mintSavedToken(store))).code).toBe("no-key");

    for (const kind of ["team", "individual"] as const) {
      const k = appleKey(kind);
      await registerKey(kind === "team" ? teamInput(k) : { kind, keyId: k.keyId, p8Text: k.pem }, {
        store,
        verify: false,
        use: true,
      });
      const token = await mintSavedToken(store);
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(decodeTokenClaims(token)).toMatchObject({ keyId: k.keyId, kind, lifetimeSeconds: 600 });
      expect(await appsAnswer(token)).toBe(200);
      expect(await mintSavedToken(store)).toBe(token);
      expectNoKeyMaterial(token);
    }
  });

  logic("mintSavedToken passes options: a scoped token with a short lifetime", async () => {
    const k = appleKey();
    await registerKey(teamInput(k), { store, verify: false });
    const token = await mintSavedToken(store, { scope: ["GET /v1/apps"], ttlSeconds: 120 });
    expect(decodeTokenClaims(token)).toMatchObject({ scope: ["GET /v1/apps"], lifetimeSeconds: 120 });
    expect(await appsAnswer(token)).toBe(200);
    expect((await rejection(mintSavedToken(store, { ttlSeconds: 1201 }))).code).toBe("token-lifetime");
  });

  logic("a new registration drops the old key's token", async () => {
    const a = appleKey();
    await registerKey(teamInput(a), { store, verify: false });
    const first = await mintSavedToken(store);
    const b = appleKey();
    await registerKey(teamInput(b), { store, verify: false });
    const second = await mintSavedToken(store);
    expect(second).not.toBe(first);
    expect(decodeTokenClaims(second).keyId).toBe(b.keyId);
    expect(await appsAnswer(second)).toBe(200);
  });

  it("removeKey: {removed, previous}, then {removed: false}; the token goes with it", async () => {
    const k = appleKey();
    const registration = await registerKey(teamInput(k), { store, verify: false });
    await mintSavedToken(store);
    const removal = await removeKey(store);
    expect(removal).toEqual({
      removed: true,
      wasActive: true,
      previous: { ...registration.summary, name: registration.name },
      next: null,
    });
    expect(await store.saved.readItem(k.keyId)).toBeUndefined();
    expectNoKeyMaterial(removal);
    expect(await store.read()).toBeUndefined();
    expect(await readStatus(store)).toEqual({ status: { configured: false }, sentence: "No, no ASC key configured." });
    expect((await rejection(mintSavedToken(store))).code).toBe("no-key");

    const nothing = await removeKey(store);
    expect(nothing).toStrictEqual({ removed: false });
  });
}

describe("registration with an in-memory store", () => {
  registrationSuite(() => memoryStore().store);
});

describe.skipIf(!KEYRING)("registration with the real Secret Service (private gnome-keyring)", () => {
  let counter = 0;
  registrationSuite(() => {
    counter += 1;
    const service = `LingCode-test-pipeline-${process.pid}-${counter}`;
    expect(service).not.toBe("LingCode");
    return createKeyStore({ service });
  }, true);

  it("writes the record where secret-tool finds it, and a corrupt entry there is replaced and removable", async () => {
    const service = `LingCode-test-pipeline-${process.pid}-raw`;
    const backend = createSecretToolBackend();
    const store = createKeyStore({ service });
    try {
      const k = appleKey();
      const registration = await registerKey(teamInput(k), { store, check: { baseUrl: apple.url } });
      expect(await backend.get(service, store.account)).toBe(serializeRecord((await store.read())!));

      await backend.set(service, store.account, "test", "{ not json");
      await expect(readStatus(store)).rejects.toMatchObject({ code: "record-corrupt" });
      expect(await planRegistration(await prepareKey(teamInput(k)), store)).toMatchObject({ currentUnreadable: true });
      const again = await registerKey(teamInput(k), { store, verify: false });
      expect(again.replaced).toBeUndefined();
      expect((await readStatus(store)).sentence).toBe(registration.sentence);

      await backend.set(service, store.account, "test", "{ not json");
      // The key is saved besides: what LingCode uses next is asked for.
      await expect(removeKey(store)).rejects.toMatchObject({ code: "next-key-needed" });
      expect(await removeKey(store, { next: null })).toEqual({ removed: true, wasActive: true, next: null });
      expect(await backend.get(service, store.account)).toBeUndefined();
    } finally {
      await backend.delete(service, store.account);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("fault injection through an in-memory backend", () => {
  const corruptValues: Array<[string, string]> = [
    ["not JSON", "{ not json"],
    ["an unknown version", JSON.stringify({ version: 2, kind: "team", keyId: "ABC1234DEF" })],
    [
      "a damaged private key",
      JSON.stringify({
        version: 1,
        kind: "team",
        issuerId: ISSUER_ID,
        keyId: "ABC1234DEF",
        privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        savedAt: "2026-11-26T04:00:00.000Z",
      }),
    ],
  ];

  async function corruptStore(value: string) {
    const { store, backend } = memoryStore();
    await backend.set(store.service, store.account, "test", value);
    backend.count.set = 0;
    return { store, backend };
  }

  it.each(corruptValues)(
    "an entry with %s: readStatus throws its code; it counts as no previous key",
    async (_n, value) => {
      const { store } = await corruptStore(value);
      const code = value.includes('"version":2') ? "record-version" : "record-corrupt";
      expect((await rejection(readStatus(store))).code).toBe(code);
      const plan = await planRegistration(await prepareKey(teamInput(appleKey())), store);
      expect(plan).toMatchObject({ currentUnreadable: true, current: undefined });
      expect((await rejection(verifySavedKey(store, { baseUrl: apple.url }))).code).toBe(code);
      expect((await rejection(mintSavedToken(store))).code).toBe(code);
      expect(apple.requests).toHaveLength(0);
    },
  );

  it.each(corruptValues)("an entry with %s is replaced by a registration, without `replaced`", async (_n, value) => {
    const { store, backend } = await corruptStore(value);
    const k = appleKey();
    const registration = await registerKey(teamInput(k), { store, check: { baseUrl: apple.url } });
    expect(registration.replaced).toBeUndefined();
    expect(registration.active).toBe(true);
    expect(registration.switchedFrom).toBeUndefined();
    expect(backend.count.set).toBe(3); // the list of saved keys, the key's item, LingCode's entry
    expect((await store.read())?.keyId).toBe(k.keyId);
  });

  it.each(corruptValues)("an entry with %s is removed, with no previous", async (_n, value) => {
    const { store } = await corruptStore(value);
    const removal = await removeKey(store);
    expect(removal).toEqual({ removed: true, wasActive: true, next: null });
    expect(removal.previous).toBeUndefined();
    expect(await store.readRaw()).toBeUndefined();
  });

  it("a locked keychain on write: registration throws keychain-locked after the check, the old record stays", async () => {
    const { store, backend } = memoryStore();
    const old = makeRecord({}, key());
    await store.write(old);
    const a = appleKey();
    await registerKey(teamInput(a), { store, verify: false });
    const token = await mintSavedToken(store);
    const rawBefore = await store.readRaw();

    backend.fail.set = locked();
    const b = appleKey();
    const steps: RegistrationStep[] = [];
    const error = await rejection(
      registerKey(teamInput(b), { store, check: { baseUrl: apple.url }, onStep: (s) => steps.push(s) }),
    );
    expect(error.code).toBe("keychain-locked");
    expect(error).not.toBeInstanceOf(AppleCheckError);
    expect(steps).toEqual(["reading", "checking", "saving"]);
    expect(apple.requests).toHaveLength(1);
    backend.fail.set = undefined;
    expect(await store.readRaw()).toBe(rawBefore);
    expect((await store.read())?.keyId).toBe(a.keyId);
    expect(await mintSavedToken(store)).toBe(token); // the saved key's token is still good
  });

  it("a locked keychain on read: registration stops before asking Apple", async () => {
    const { store, backend } = memoryStore();
    backend.fail.get = locked();
    const k = appleKey();
    const steps: RegistrationStep[] = [];
    const error = await rejection(
      registerKey(teamInput(k), { store, check: { baseUrl: apple.url }, onStep: (s) => steps.push(s) }),
    );
    expect(error.code).toBe("keychain-locked");
    expect(steps).toEqual(["reading"]);
    expect(apple.requests).toHaveLength(0);
    expect(backend.count.set).toBe(0);
  });

  it("a locked keychain: status, verify, mint and remove pass keychain-locked on", async () => {
    const { store, backend } = memoryStore();
    await store.write(makeRecord({}, key()));
    backend.fail.get = locked();
    expect((await rejection(readStatus(store))).code).toBe("keychain-locked");
    const prepared = await prepareKey(teamInput(appleKey()));
    expect((await rejection(planRegistration(prepared, store))).code).toBe("keychain-locked");
    expect((await rejection(verifySavedKey(store, { baseUrl: apple.url }))).code).toBe("keychain-locked");
    expect((await rejection(mintSavedToken(store))).code).toBe("keychain-locked");
    expect((await rejection(removeKey(store))).code).toBe("keychain-locked");
    expect(backend.count.delete).toBe(0);
    expect(apple.requests).toHaveLength(0);
  });

  it("a failing delete is passed on and the entry stays", async () => {
    const { store, backend } = memoryStore();
    const record = makeRecord({}, key());
    await store.write(record);
    backend.fail.delete = new AscKeyError("keychain-denied", "Access to the Keychain item was denied.");
    expect((await rejection(removeKey(store))).code).toBe("keychain-denied");
    expect(await store.read()).toEqual(record);
  });

  it("a store that reads back something else: keychain-mismatch, never reported as saved", async () => {
    const { store, backend } = memoryStore();
    const realGet = backend.get;
    let writes = 0;
    backend.set = async () => {
      writes += 1;
    };
    backend.get = async (service, account) => (writes > 0 ? "{}" : realGet(service, account));
    const k = appleKey();
    const error = await rejection(registerKey(teamInput(k), { store, check: { baseUrl: apple.url } }));
    expect(error.code).toBe("keychain-mismatch");
  });
});

describe("prepareKey refuses an unknown key type", () => {
  it.each(["Individual", "Team", "personal", ""])("kind %j", async (kind) => {
    const error = await prepareKey({ kind: kind as "team", keyId: "ABC1234DEF", p8Text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AscKeyError);
    expect((error as AscKeyError).code).toBe("kind-invalid");
  });
});
