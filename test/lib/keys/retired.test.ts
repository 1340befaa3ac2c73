/**
 * Retired keys with the Apple stand-in: rotate A → B; while A works, it says so; once A is revoked at Apple, one
 * refusal is not proof, two 10 minutes apart by Apple's clock are, and A's material is then gone; a run while Apple is
 * down, or while B is refused too, proves nothing. The first two cases run on the private Secret Service (what is kept
 * and deleted is what a bare `secret-tool lookup` finds); the others, about the same logic, in memory.
 */
import { describe, expect, it } from "vitest";
import { createKeyStore, type KeyStore } from "../../../src/lib/keychain";
import { retiredAccount } from "../../../src/lib/keychain/retired";
import { savedKeysService } from "../../../src/lib/keychain/saved";
import { listKeys } from "../../../src/lib/keys";
import { registerKey, verifySavedKey, type KeyInput } from "../../../src/lib/keys";
import {
  checkRetiredKeys,
  forgetRetiredKey,
  listRetiredKeys,
  revocationSteps,
  stepAfterReplacing,
  type RetiredKeyView,
} from "../../../src/lib/keys";
import { retiredHealthLines } from "../../../src/lib/health";
import { MIN_REQUESTS_LEFT, retiredKeySentence } from "../../../src/lib/apple";
import { useAppleStandIn } from "../../support/apple-stand-in";
import { HAS_KEYRING, lookupDirectly, testService } from "../../support/keyring";
import { ISSUER_ID, makeKey, makeKeyId } from "../../support/keys";
import { memoryStore } from "../../support/memory-keychain";
import { filesMatching } from "../../support/source";

const apple = useAppleStandIn();
const pems: string[] = [];

function appleKey(): KeyInput & { keyId: string } {
  const k = makeKey();
  pems.push(k.pem);
  const keyId = makeKeyId();
  apple.register({ keyId, kind: "team", issuerId: ISSUER_ID, publicKey: k.publicKey });
  return { kind: "team", issuerId: ISSUER_ID, keyId, p8Text: k.pem };
}

let counter = 0;
/** How the current test reads an item as stored: a bare `secret-tool lookup`, or the in-memory backend's. */
let raw: (service: string, account: string) => Promise<string | undefined>;

/**
 * A fresh store: on the private Secret Service (`real`, where the keyring is the point: what is kept and deleted is
 * what a bare lookup finds), else in memory (the same logic, cheaper).
 */
function freshStore(real = false): KeyStore {
  counter += 1;
  if (!real) {
    const { store, backend } = memoryStore("retired");
    raw = (service, account) => backend.get(service, account);
    return store;
  }
  const service = testService(`retired-${counter}`);
  expect(service).not.toBe("LingCode");
  raw = async (service, account) => lookupDirectly(service, account);
  return createKeyStore({ service });
}

/** A registered as LingCode's key, then rotated to B: A is retired. */
async function rotated(store: KeyStore) {
  const a = appleKey();
  const b = appleKey();
  const check = { baseUrl: apple.url };
  await registerKey(a, { store, check, name: "Acme" });
  await registerKey(b, { store, check, rotates: "Acme" });
  return { a, b, check };
}

/** One run as Check API Key makes it: the key LingCode uses, then each retired key. */
async function run(store: KeyStore, check: { baseUrl: string }) {
  const current = await verifySavedKey(store, check);
  return checkRetiredKeys(store, current.check, check);
}

describe.skipIf(!HAS_KEYRING)("retired keys", () => {
  it("keeps the rotated key as a retired key, never among the usable keys, and checks it with one request", async () => {
    const store = freshStore(true);
    const { a, b, check } = await rotated(store);
    const saved = savedKeysService(store.service);
    // The retired item holds A's record; A's usable item is gone; only B is listed.
    expect(await raw(saved, retiredAccount(a.keyId))).toContain(a.keyId);
    expect(await raw(saved, `key-${a.keyId}`)).toBeUndefined();
    const list = await listKeys(store);
    expect(list.keys.map((key) => key.keyId)).toEqual([b.keyId]);
    // The list of retired keys holds nothing secret.
    const line = (await raw(saved, "retired"))!;
    for (const pem of pems) expect(line).not.toContain(pem.split("\n")[1]);

    let retired = await listRetiredKeys(store);
    expect(retired).toMatchObject([{ keyId: a.keyId, name: "Acme", state: { state: "pending", refusedAt: [] } }]);

    apple.requests.length = 0;
    const reports = await run(store, check);
    // One request for B, one for A.
    expect(apple.requests.map((request) => request.keyId)).toEqual([b.keyId, a.keyId]);
    expect(reports).toMatchObject([{ keyId: a.keyId, asked: true, state: { state: "still-works" } }]);
    expect(reports[0].sentence).toMatch(
      new RegExp(`^Key ${a.keyId} still works at Apple \\(checked .+\\): revoke it on Team Keys$`),
    );
    retired = await listRetiredKeys(store);
    expect(retired[0].state.state).toBe("still-works");
  });

  it("one refusal is not proof; two 10 minutes apart by Apple's clock are, and A's material is then gone", async () => {
    const store = freshStore(true);
    const { a, check } = await rotated(store);
    const saved = savedKeysService(store.service);
    await run(store, check); // still works
    apple.setBehaviour(a.keyId, "revoked");

    let reports = await run(store, check);
    expect(reports[0].state).toMatchObject({ state: "pending" });
    expect(reports[0].sentence).toMatch(
      /not proven revoked yet: Apple refused it at .+; one more refusal at .+ or later proves it\./,
    );
    // A second refusal 5 minutes later (Apple's clock) is not enough either.
    apple.setDateOffset(5 * 60);
    reports = await run(store, check);
    expect(reports[0].state.state).toBe("pending");
    expect(await raw(saved, retiredAccount(a.keyId))).toBeDefined();

    apple.setDateOffset(11 * 60);
    reports = await run(store, check);
    expect(reports[0]).toMatchObject({ keyId: a.keyId, provenNow: true, state: { state: "revoked" } });
    expect(reports[0].sentence).toMatch(new RegExp(`^Key ${a.keyId} revoked: Apple refused it at .+ and .+\\.$`));
    expect(await raw(saved, retiredAccount(a.keyId))).toBeUndefined();
    // Only the record is left, and it is no longer asked about.
    const proof = reports[0].state;
    if (proof.state !== "revoked") throw new Error("not revoked");
    expect(await raw(saved, "retired")).toBe(
      JSON.stringify({ version: 1, retired: [{ keyId: a.keyId, refusedAt: proof.refusedAt }] }),
    );
    apple.requests.length = 0;
    reports = await run(store, check);
    expect(apple.requests).toHaveLength(1);
    expect(reports[0]).toMatchObject({ asked: false, state: { state: "revoked" } });

    // Dismissed: nothing remains.
    await forgetRetiredKey(store, a.keyId);
    expect(await listRetiredKeys(store)).toEqual([]);
    expect(await raw(saved, "retired")).toBeUndefined();
  });

  it("a run while Apple is down, or while the key LingCode uses is refused too, proves nothing", async () => {
    const store = freshStore();
    const { a, b, check } = await rotated(store);
    apple.setBehaviour(a.keyId, "revoked");
    await run(store, check); // the first refusal

    // B refused too: nothing is sent for A, and nothing counts.
    apple.setBehaviour(b.keyId, "revoked");
    apple.setDateOffset(11 * 60);
    apple.requests.length = 0;
    let reports = await run(store, check);
    // B's refusal is explained (asked once more, as an individual key); nothing is sent for A.
    expect(apple.requests.map((request) => request.keyId)).toEqual([b.keyId, b.keyId]);
    expect(reports[0]).toMatchObject({ asked: false, state: { state: "pending" } });
    expect(reports[0].note).toMatch(/^Not checked at .+: Apple refused the key LingCode uses too\.$/);

    // Apple down for A alone (B accepted): the run is recorded and proves nothing.
    apple.setBehaviour(b.keyId, "ok");
    apple.setBehaviour(a.keyId, "server-error");
    reports = await run(store, check);
    expect(reports[0]).toMatchObject({ asked: true, state: { state: "pending" } });
    expect(reports[0].note).toMatch(/proved nothing: App Store Connect answered with an error\.$/);
    expect(await raw(savedKeysService(store.service), retiredAccount(a.keyId))).toBeDefined();

    // Apple down for everyone: nothing is sent for A.
    const down = { baseUrl: "http://127.0.0.1:9" };
    const current = await verifySavedKey(store, down);
    reports = await checkRetiredKeys(store, current.check, down);
    expect(reports[0]).toMatchObject({ asked: false, state: { state: "pending" } });

    // Then a refusal while B is accepted, 11 minutes after the first: proof.
    apple.setBehaviour(a.keyId, "revoked");
    reports = await run(store, check);
    expect(reports[0].state.state).toBe("revoked");
  });

  it("asks no retired key below MIN_REQUESTS_LEFT, the capability check's own line, defined once", async () => {
    const store = freshStore();
    const { a, check } = await rotated(store);
    const current = (await verifySavedKey(store, check)).check;
    apple.requests.length = 0;
    const few = await checkRetiredKeys(store, { ...current, rateLimitRemaining: MIN_REQUESTS_LEFT - 1 }, check);
    expect(apple.requests).toHaveLength(0);
    expect(few[0]).toMatchObject({ keyId: a.keyId, asked: false });
    const enough = await checkRetiredKeys(store, { ...current, rateLimitRemaining: MIN_REQUESTS_LEFT }, check);
    expect(apple.requests.map((request) => request.keyId)).toEqual([a.keyId]);
    expect(enough[0]).toMatchObject({ keyId: a.keyId, asked: true });
    expect(filesMatching(/\bMIN_REQUESTS_LEFT\s*=/)).toEqual({ "lib/apple/check.ts": 1 });
  });

  it("forgets a retired key without proof: its item, then its line", async () => {
    const store = freshStore();
    const { a } = await rotated(store);
    await expect(forgetRetiredKey(store, "NOSUCHKEY1")).rejects.toMatchObject({ code: "key-unknown" });
    const forgotten = await forgetRetiredKey(store, a.keyId);
    expect(forgotten.keyId).toBe(a.keyId);
    expect(await raw(savedKeysService(store.service), retiredAccount(a.keyId))).toBeUndefined();
    expect(await listRetiredKeys(store)).toEqual([]);
  });

  it("registering the retired key again makes it a saved key again and drops its retired item and line", async () => {
    const store = freshStore();
    const { a, check } = await rotated(store);
    await registerKey(a, { store, check, use: false, name: "Acme again" });
    expect(await listRetiredKeys(store)).toEqual([]);
    expect(await raw(savedKeysService(store.service), retiredAccount(a.keyId))).toBeUndefined();
  });
});

describe("Health: a retired key still working after the rotation-age days", () => {
  const now = Date.parse("2026-12-07T12:00:00.000Z");
  const view = (state: RetiredKeyView["state"], retiredAt: string): RetiredKeyView => ({
    keyId: "ABC1234DEF",
    state,
    sentence: "",
    retiredAt,
  });
  const works = { state: "still-works", checkedAt: "2026-12-07T09:14:00.000Z" } as const;

  it("warns once the days have passed, and only while Apple still accepts it", () => {
    expect(retiredHealthLines([view(works, "2026-11-01T12:00:00.000Z")], now, 30)).toEqual([
      {
        check: "retired-key",
        level: "warn",
        text: "Key ABC1234DEF was rotated out 36 days ago and still works at Apple.",
        fix: "revoke it at https://appstoreconnect.apple.com/access/integrations/api",
      },
    ]);
    expect(retiredHealthLines([view(works, "2026-11-20T12:00:00.000Z")], now, 30)).toEqual([]);
    expect(
      retiredHealthLines([view({ state: "pending", refusedAt: [] }, "2026-01-01T00:00:00.000Z")], now, 30),
    ).toEqual([]);
    // 0: reminders are off.
    expect(retiredHealthLines([view(works, "2026-01-01T00:00:00.000Z")], now, 0)).toEqual([]);
  });
});

describe("the step that ends a rotation", () => {
  const view = (keyId: string, state: RetiredKeyView["state"], note?: string): RetiredKeyView => ({
    keyId,
    state,
    sentence: retiredKeySentence(keyId, state, { now: Date.parse("2026-12-07T12:00:00.000Z"), timeZone: "UTC" }),
    ...(note ? { note } : {}),
  });
  const step = (keyId: string) => `Revoke key ${keyId} on Team Keys.`;
  const waiting = (keyId: string) =>
    `Key ${keyId} not proven revoked yet: once it is revoked on Team Keys, two refusals by Apple at least 10 minutes apart prove it.`;

  it("is said first while Apple has not refused the old key, with its sentence after it once it is read", () => {
    // Not read yet: the step alone, for the key known to be replaced.
    expect(revocationSteps(undefined, ["AAAAAAAAA1"])).toEqual([{ keyId: "AAAAAAAAA1", step: step("AAAAAAAAA1") }]);
    // Read: the same step, then the proof; a note rides along.
    const pending = view("AAAAAAAAA1", { state: "pending", refusedAt: [] }, "The check at 09:40 proved nothing.");
    expect(revocationSteps([pending], ["AAAAAAAAA1"])).toEqual([
      { keyId: "AAAAAAAAA1", step: step("AAAAAAAAA1"), proof: waiting("AAAAAAAAA1"), note: pending.note },
    ]);
    const works = view("BBBBBBBBB2", { state: "still-works", checkedAt: "2026-12-07T09:14:00.000Z" });
    expect(revocationSteps([works])).toEqual([
      {
        keyId: "BBBBBBBBB2",
        step: step("BBBBBBBBB2"),
        proof: "Key BBBBBBBBB2 still works at Apple (checked 09:14): revoke it on Team Keys",
      },
    ]);
  });

  it("is no longer said once Apple refused the key; a replaced key never kept as retired keeps its step", () => {
    const refused = view("AAAAAAAAA1", {
      state: "pending",
      refusedAt: ["2026-12-07T09:14:00.000Z"],
      provableFrom: "2026-12-07T09:24:00.000Z",
    });
    const revoked = view("BBBBBBBBB2", {
      state: "revoked",
      refusedAt: ["2026-12-07T09:14:00.000Z", "2026-12-07T09:31:00.000Z"],
    });
    expect(revocationSteps([refused, revoked], ["AAAAAAAAA1", "BBBBBBBBB2"])).toEqual([]);
    expect(revocationSteps([refused], ["CCCCCCCCC3"])).toEqual([{ keyId: "CCCCCCCCC3", step: step("CCCCCCCCC3") }]);
  });

  it("after a registration that replaced a key: the step, then the proof of a key just retired", () => {
    expect(stepAfterReplacing("AAAAAAAAA1")).toEqual({
      keyId: "AAAAAAAAA1",
      step: step("AAAAAAAAA1"),
      proof: waiting("AAAAAAAAA1"),
    });
  });
});
