/**
 * Several keys in the core: the saved keys beside LingCode's entry, listed from an index that holds nothing secret,
 * switched with one update of the entry, renamed, rotated and removed; against an in-memory backend that keeps the
 * macOS `security -i` line limit and counts every call, and against the private Secret Service (with keytar and a
 * plain `secret-tool lookup` reading LingCode's entry after each step).
 */
import { spawnSync } from "node:child_process";
import { beforeEach, describe, expect, it } from "vitest";
import { AscKeyError, type ErrorCode } from "../../../src/lib/errors";
import {
  ACCOUNT,
  addGenericPasswordLine,
  createKeyStore,
  indexAccount,
  itemAccount,
  savedKeysService,
  type KeyStore,
} from "../../../src/lib/keychain";
import { pageBudget, serializePage, serializeSavedItem } from "../../../src/lib/keychain/saved";
import {
  forgetRetiredKey,
  recordKeyRole,
  planRegistration,
  prepareKey,
  readStatus,
  registerKey,
  type KeyInput,
} from "../../../src/lib/keys";
import { DEFAULT_KEY_NAME, freeDefaultName, MAX_NAME_LENGTH, parseKeyName } from "../../../src/lib/names";
import { serializeRecord, type KeyRecord } from "../../../src/lib/record";
import {
  findKey,
  listKeys,
  readSavedKey,
  removeKey,
  renameSavedKey,
  useSavedKey,
  type ListedKey,
  type ListedOkKey,
} from "../../../src/lib/keys";
import { HAS_KEYRING, HAS_KEYTAR, loadKeytar, lookupDirectly, testService } from "../../support/keyring";
import { makeKey, makeKeyId, makeRecord, type TestKey } from "../../support/keys";
import { expectNoSecret } from "../../support/leaks";
import { rememberAcceptance } from "../../../src/lib/keys/accepted";
import { rememberUsersAccess } from "../../../src/lib/keys/roles";
import { memoryBackend, memoryStore as memoryStoreIn, type MemoryBackend } from "../../support/memory-keychain";

const TEAM_A = "3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c"; // ends in b6c
const TEAM_B = "69a6de70-03db-47e3-e053-5b8c7c11a4d1"; // ends in 4d1

const pems: string[] = [];
function key(): TestKey {
  const made = makeKey();
  pems.push(made.pem);
  return made;
}

/** No piece of any key made here, no full Issuer ID (test/support/leaks.ts). */
function expectClean(value: unknown) {
  expectNoSecret({ pems, issuerIds: [TEAM_A, TEAM_B] }, value);
}

const memoryStore = () => memoryStoreIn("saved");

function teamInput(k: TestKey, keyId: string, issuerId = TEAM_A): KeyInput {
  return { kind: "team", issuerId, keyId, p8Text: k.pem };
}

function individualInput(k: TestKey, keyId: string): KeyInput {
  return { kind: "individual", keyId, p8Text: k.pem };
}

async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<AscKeyError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AscKeyError);
  expect((error as AscKeyError).code).toBe(code);
  expectClean((error as Error).message);
  return error as AscKeyError;
}

const names = (keys: ListedKey[]) => keys.map((k) => k.name);
const activeOf = (keys: ListedKey[]) => keys.filter((k) => k.active).map((k) => k.keyId);
const writes = (backend: MemoryBackend) => backend.calls.filter((c) => c.op !== "get");

/** Three keys as a freelancer has them: Acme (team A), Globex (team B), and an individual key. */
async function threeKeys(store: KeyStore) {
  const acme = { k: key(), keyId: makeKeyId() };
  const globex = { k: key(), keyId: makeKeyId() };
  const mine = { k: key(), keyId: makeKeyId() };
  const a = await registerKey(teamInput(acme.k, acme.keyId), { store, verify: false, name: "Acme" });
  const g = await registerKey(teamInput(globex.k, globex.keyId, TEAM_B), { store, verify: false, name: "Globex" });
  const m = await registerKey(individualInput(mine.k, mine.keyId), { store, verify: false });
  return { acme, globex, mine, a, g, m };
}

describe("names", () => {
  it("trims; refuses empty, control and direction characters, more than 40 characters and the word none", () => {
    expect(parseKeyName("  Acme Corp  ")).toBe("Acme Corp");
    expect(parseKeyName("Ünïcode 🚀 client")).toBe("Ünïcode 🚀 client");
    expect(parseKeyName("x".repeat(MAX_NAME_LENGTH))).toHaveLength(40);
    for (const bad of [
      "",
      "   ",
      "a\nb",
      "a\u0007b",
      "a\u009bb",
      "abc\u202edef",
      "a\u200bb",
      "a\ufeffb",
      "a\u2066b",
      "x".repeat(41),
      "none",
      " NONE ",
    ]) {
      expect(() => parseKeyName(bad), JSON.stringify(bad)).toThrow(AscKeyError);
    }
  });

  it("a key saved without a name is an Unnamed key, repeating neither its team nor its Key ID; a second is numbered", () => {
    expect(DEFAULT_KEY_NAME).toBe("Unnamed key");
    expect(freeDefaultName([])).toBe("Unnamed key");
    expect(freeDefaultName([{ name: "unnamed KEY", keyId: "OTHER00001" }])).toBe("Unnamed key (2)");
    expect(
      freeDefaultName([
        { name: "Unnamed key", keyId: "OTHER00001" },
        { name: "Unnamed key (2)", keyId: "OTHER00002" },
      ]),
    ).toBe("Unnamed key (3)");
    // The key being named keeps its own default name.
    expect(freeDefaultName([{ name: "Unnamed key", keyId: "2X9R4HXF34" }], ["2X9R4HXF34"])).toBe("Unnamed key");
  });
});

describe("the saved keys, in memory", () => {
  let store: KeyStore;
  let backend: MemoryBackend;
  beforeEach(() => {
    ({ store, backend } = memoryStore());
  });

  it("an install with one key (LingCode's entry only): listed as LingCode's key, with no migration and no write", async () => {
    const record = makeRecord({ issuerId: TEAM_A }, key());
    await store.write(record);
    backend.calls.length = 0;
    const list = await listKeys(store);
    expect(list.keys).toEqual([
      expect.objectContaining({
        state: "ok",
        name: "Unnamed key",
        keyId: record.keyId,
        active: true,
        saved: false,
      }),
    ]);
    expect(list.entry).toMatchObject({ state: "key", summary: { keyId: record.keyId } });
    expect(list.reads).toBe(2); // the index (not there) and LingCode's entry
    expect(writes(backend)).toEqual([]);
    expectClean(list);
  });

  it("no key at all: an empty list, entry none; a reference is no-key", async () => {
    const list = await listKeys(store);
    expect(list).toEqual({ keys: [], entry: { state: "none" }, problems: [], reads: 2 });
    await refusal(useSavedKey(store, "Acme"), "no-key");
    await refusal(readSavedKey(store, "Acme"), "no-key");
  });

  it("three keys: names, the default use (same team or nothing active), the order they were saved in", async () => {
    const { acme, globex, a, g, m } = await threeKeys(store);
    expect(a).toMatchObject({ name: "Acme", active: true });
    // Another team: saved, LingCode keeps Acme.
    expect(g).toMatchObject({ name: "Globex", active: false, inUse: { name: "Acme", keyId: acme.keyId } });
    expect(m).toMatchObject({ name: "Unnamed key", active: false });
    const list = await listKeys(store);
    expect(names(list.keys)).toEqual(["Acme", "Globex", "Unnamed key"]);
    expect(activeOf(list.keys)).toEqual([acme.keyId]);
    expect(list.keys.every((k) => k.saved)).toBe(true);
    expect(list.problems).toEqual([]);
    expect(list.reads).toBe(2); // one page of the index, LingCode's entry
    expect((await store.read())?.keyId).toBe(acme.keyId);
    expect(list.keys.find((k) => k.keyId === globex.keyId)).toMatchObject({
      kind: "team",
      issuerIdSuffix: "4d1",
      fingerprint: g.fingerprint,
    });
    expectClean(list);
    expectClean([a, g, m]);
  });

  it("the index and the items: nothing secret in the index, the full record and the name in each item", async () => {
    const { acme, mine } = await threeKeys(store);
    const service = savedKeysService(store.service);
    const index = backend.items.get(`${service}\u0000${indexAccount(1)}`)!;
    expect(JSON.parse(index)).toMatchObject({
      version: 1,
      pages: 1,
      keys: [
        { name: "Acme", keyId: acme.keyId, kind: "team", issuerIdSuffix: "b6c" },
        expect.anything(),
        { keyId: mine.keyId, kind: "individual" },
      ],
    });
    expectClean(index);
    const item = JSON.parse(backend.items.get(`${service}\u0000${itemAccount(acme.keyId)}`)!) as Record<
      string,
      unknown
    >;
    expect(Object.keys(item)).toEqual(["version", "kind", "issuerId", "keyId", "privateKey", "savedAt", "name"]);
    expect(item).toMatchObject({ keyId: acme.keyId, issuerId: TEAM_A, privateKey: acme.k.pem, name: "Acme" });
    // LingCode's service holds its one entry and nothing else.
    const lingCode = [...backend.items.keys()].filter((id) => id.startsWith(`${store.service}\u0000`));
    expect(lingCode).toEqual([`${store.service}\u0000${ACCOUNT}`]);
  });

  it("switching: one update of LingCode's entry, exactly today's record; the key that was active stays saved", async () => {
    const { acme, globex } = await threeKeys(store);
    backend.calls.length = 0;
    const switched = await useSavedKey(store, "globex");
    expect(switched).toMatchObject({
      changed: true,
      current: { name: "Globex", keyId: globex.keyId },
      previous: { name: "Acme", keyId: acme.keyId },
    });
    expect(writes(backend)).toEqual([{ op: "set", service: store.service, account: ACCOUNT }]);
    const entry = backend.items.get(`${store.service}\u0000${ACCOUNT}`)!;
    expect(entry).toBe(serializeRecord((await store.saved.readItem(globex.keyId))!.record));
    expect(JSON.parse(entry)).not.toHaveProperty("name");
    expect(activeOf((await listKeys(store)).keys)).toEqual([globex.keyId]);
    expectClean(switched);

    // By Key ID, any case; using the key in use again writes nothing.
    expect(await useSavedKey(store, acme.keyId.toLowerCase())).toMatchObject({ changed: true });
    backend.calls.length = 0;
    expect(await useSavedKey(store, "ACME")).toMatchObject({ changed: false, current: { name: "Acme" } });
    expect(writes(backend)).toEqual([]);
  });

  it("a key only in LingCode's entry joins the saved keys, under its default name, when a second one is saved", async () => {
    const old = makeRecord({ issuerId: TEAM_A }, key());
    await store.write(old);
    const next = { k: key(), keyId: makeKeyId() };
    const registration = await registerKey(teamInput(next.k, next.keyId, TEAM_B), { store, verify: false });
    expect(registration.active).toBe(false);
    expect(registration.inUse).toMatchObject({ keyId: old.keyId, name: "Unnamed key" });
    expect((await store.saved.readItem(old.keyId))?.record).toEqual(old);
    const switched = await useSavedKey(store, next.keyId);
    expect(switched.previous).toMatchObject({ keyId: old.keyId, name: "Unnamed key" });
    const list = await listKeys(store);
    expect(list.keys.map((k) => [k.keyId, k.saved, k.active])).toEqual([
      [old.keyId, true, false],
      [next.keyId, true, true],
    ]);
    // And back: the old key is at hand.
    await useSavedKey(store, "Unnamed key");
    expect(await store.read()).toEqual(old);
  });

  it("a name or Key ID that means no key, or two: refused with the names there are, nothing written", async () => {
    const { acme } = await threeKeys(store);
    backend.calls.length = 0;
    const unknown = await refusal(useSavedKey(store, "Initech"), "key-unknown");
    expect(unknown.message).toContain('No saved key is named "Initech"');
    expect(unknown.message).toContain(`"Acme" (Key ID ${acme.keyId})`);
    expect(unknown.message).toContain('"Globex"');
    // Something that looks like a pasted key is never repeated.
    const pasted = await refusal(useSavedKey(store, pems[0].split("\n")[1]), "key-unknown");
    expect(pasted.message).toMatch(/^No saved key has that name or Key ID/);
    expect(writes(backend)).toEqual([]);
    // A name another key's Key ID is can only come from outside; then the reference is ambiguous.
    const keys = (await listKeys(store)).keys;
    const tampered = keys.map((k, i) => (i === 1 ? { ...k, name: acme.keyId } : k));
    expect(() => findKey(tampered, acme.keyId)).toThrow(expect.objectContaining({ code: "key-ambiguous" }));
  });

  it("two keys with the same name: refused with a reason, whatever the case, before anything is written", async () => {
    await threeKeys(store);
    backend.calls.length = 0;
    const another = { k: key(), keyId: makeKeyId() };
    const taken = await refusal(
      registerKey(teamInput(another.k, another.keyId), { store, verify: false, name: " ACME " }),
      "name-taken",
    );
    expect(taken.message).toMatch(/has that name: "Acme" \(Key ID \w+\); choose another name/);
    expect(writes(backend)).toEqual([]);
    await refusal(renameSavedKey(store, "Globex", "acme"), "name-taken");
    await refusal(renameSavedKey(store, "Globex", "none"), "name-invalid");
    const keyIdName = await refusal(
      registerKey(teamInput(another.k, another.keyId), { store, verify: false, name: (await store.read())!.keyId }),
      "name-taken",
    );
    expect(keyIdName.message).toMatch(/is the Key ID of another saved key/);
    expect(writes(backend)).toEqual([]);
    // Its own name in another case is fine.
    expect(await renameSavedKey(store, "Acme", "ACME")).toMatchObject({ previousName: "Acme", key: { name: "ACME" } });
  });

  it("the same Key ID registered again with other key material replaces that key's entry in place, keeping its name", async () => {
    const { globex } = await threeKeys(store);
    const other = key();
    const prepared = await prepareKey(teamInput(other, globex.keyId, TEAM_B));
    const plan = await planRegistration(prepared, store);
    expect(plan).toMatchObject({
      name: "Globex",
      use: false,
      replaces: { keyId: globex.keyId, name: "Globex", why: "same-key-id", active: false },
    });
    const registration = await registerKey(prepared, { store, verify: false });
    expect(registration.replaced?.keyId).toBe(globex.keyId);
    expect(registration.replaced?.fingerprint).not.toBe(registration.fingerprint);
    const list = await listKeys(store);
    expect(names(list.keys)).toEqual(["Acme", "Globex", expect.stringMatching(/^Unnamed key$/)]);
    expect(list.keys[1]).toMatchObject({ fingerprint: registration.fingerprint });
    // The very same key again replaces nothing.
    const again = await planRegistration(await prepareKey(teamInput(other, globex.keyId, TEAM_B)), store);
    expect(again.replaces).toBeUndefined();
    expect(again.alreadySaved?.name).toBe("Globex");
  });

  it("Apple's last Users and Access answer stays with the key's material, for a role recorded later", async () => {
    const { acme, a } = await threeKeys(store);
    // Nothing known yet: the recording carries no answer.
    expect((await recordKeyRole(store, "Acme", "admin")).users).toBeUndefined();
    // Another key material's answer is not this key's: nothing written.
    const before = writes(backend).length;
    await rememberUsersAccess(store, acme.keyId, "SHA256:" + "A".repeat(43), "no");
    expect(writes(backend)).toHaveLength(before);
    await rememberUsersAccess(store, acme.keyId, a.fingerprint, "no");
    expect(await recordKeyRole(store, acme.keyId, "app-manager")).toMatchObject({ role: "app-manager", users: "no" });
    // The same answer again writes nothing.
    const kept = writes(backend).length;
    await rememberUsersAccess(store, acme.keyId, a.fingerprint, "no");
    expect(writes(backend)).toHaveLength(kept);
    // Registered again, the same .p8: kept; other key material under that Key ID: gone with the old material.
    await registerKey(teamInput(acme.k, acme.keyId), { store, verify: false });
    expect((await recordKeyRole(store, "Acme", "admin")).users).toBe("no");
    await registerKey(teamInput(key(), acme.keyId), { store, verify: false });
    expect((await recordKeyRole(store, "Acme", "admin")).users).toBeUndefined();
  });

  it("register's use choice: explicit yes switches, and a key of the team in use is used by default", async () => {
    const { globex } = await threeKeys(store);
    const sameTeam = { k: key(), keyId: makeKeyId() };
    const plan = await planRegistration(await prepareKey(teamInput(sameTeam.k, sameTeam.keyId)), store);
    expect(plan).toMatchObject({ useByDefault: true, use: true, current: { name: "Acme" } });
    const chosen = await planRegistration(await prepareKey(teamInput(sameTeam.k, sameTeam.keyId)), store, {
      use: false,
    });
    expect(chosen).toMatchObject({ useByDefault: true, use: false });

    const otherTeam = { k: key(), keyId: makeKeyId() };
    const used = await registerKey(teamInput(otherTeam.k, otherTeam.keyId, TEAM_B), {
      store,
      verify: false,
      name: "Globex 2",
      use: true,
    });
    expect(used).toMatchObject({ active: true, switchedFrom: { name: "Acme" } });
    expect((await store.read())?.keyId).toBe(otherTeam.keyId);
    expect(globex.keyId).not.toBe(otherTeam.keyId);
  });

  it("an unreadable entry: a new key is used by default, and the entry is replaced", async () => {
    await store.saved.writeItem(makeRecord({}, key()), "Old");
    await createKeyStore({ service: store.service, backend }).write(makeRecord({}, key()));
    backend.items.set(`${store.service}\u0000${ACCOUNT}`, "{ not json");
    const list = await listKeys(store);
    expect(list.entry).toMatchObject({ state: "unreadable" });
    expect(activeOf(list.keys)).toEqual([]);
    const k = { k: key(), keyId: makeKeyId() };
    const plan = await planRegistration(await prepareKey(individualInput(k.k, k.keyId)), store);
    expect(plan).toMatchObject({ currentUnreadable: true, useByDefault: true, use: true });
    await registerKey(individualInput(k.k, k.keyId), { store, verify: false });
    expect((await readStatus(store)).status).toMatchObject({ keyId: k.keyId });
  });

  it("rotating a saved key: the new key takes its name and place; the old one is gone, named for revoking", async () => {
    const { acme, globex } = await threeKeys(store);
    const fresh = { k: key(), keyId: makeKeyId() };
    const rotated = await registerKey(teamInput(fresh.k, fresh.keyId, TEAM_B), {
      store,
      verify: false,
      rotates: "Globex",
    });
    expect(rotated).toMatchObject({ name: "Globex", active: false, replaced: { keyId: globex.keyId, name: "Globex" } });
    const list = await listKeys(store);
    expect(list.keys.map((k) => [k.name, k.keyId])).toEqual([
      ["Acme", acme.keyId],
      ["Globex", fresh.keyId],
      [expect.stringMatching(/^Unnamed key$/), expect.any(String)],
    ]);
    expect(await store.saved.readItem(globex.keyId)).toBeUndefined();
    expect((await store.read())?.keyId).toBe(acme.keyId);

    // Globex rotated again, now to a key of LingCode's own team: it still takes Globex's place, not LingCode's.
    const sameTeam = { k: key(), keyId: makeKeyId() };
    const plan = await planRegistration(await prepareKey(teamInput(sameTeam.k, sameTeam.keyId, TEAM_A)), store, {
      rotates: "Globex",
    });
    expect(plan).toMatchObject({ useByDefault: false, use: false });
    await registerKey(teamInput(sameTeam.k, sameTeam.keyId, TEAM_A), { store, verify: false, rotates: "Globex" });
    expect((await store.read())?.keyId).toBe(acme.keyId);
    // Asked for, LingCode may use it.
    const chosen = { k: key(), keyId: makeKeyId() };
    const used = await registerKey(teamInput(chosen.k, chosen.keyId, TEAM_A), {
      store,
      verify: false,
      rotates: "Globex",
      use: true,
    });
    expect(used).toMatchObject({ name: "Globex", active: true });
    expect((await store.read())?.keyId).toBe(chosen.keyId);
    await registerKey(teamInput(acme.k, acme.keyId), { store, verify: false, use: true });

    // Rotating the key LingCode uses: LingCode uses the new one, and the old one is neither used nor saved.
    const next = { k: key(), keyId: makeKeyId() };
    const active = await registerKey(teamInput(next.k, next.keyId), { store, verify: false, rotates: "Acme" });
    expect(active).toMatchObject({ name: "Acme", active: true, replaced: { keyId: acme.keyId } });
    expect(active.switchedFrom).toBeUndefined();
    expect((await store.read())?.keyId).toBe(next.keyId);
    expect(names((await listKeys(store)).keys)[0]).toBe("Acme");
    expect(await store.saved.readItem(acme.keyId)).toBeUndefined();
    await refusal(
      registerKey(teamInput(key(), makeKeyId()), { store, verify: false, rotates: "Acme", use: false }),
      "choice-invalid",
    );
  });

  it("a name or Key ID that means a retired key says so, in every action that takes one; a revoked one too", async () => {
    const { globex } = await threeKeys(store);
    const fresh = { k: key(), keyId: makeKeyId() };
    await registerKey(teamInput(fresh.k, fresh.keyId, TEAM_B), {
      store,
      verify: false,
      rotates: "Globex",
      name: "Globex 2",
    });
    // Each started only when awaited, one at a time, as a user would run them.
    const actions = (reference: string) => [
      () => useSavedKey(store, reference),
      () => readSavedKey(store, reference),
      () => renameSavedKey(store, reference, "Old"),
      () => removeKey(store, { key: reference }),
      () => recordKeyRole(store, reference, "app-manager"),
    ];
    const retired = `"Globex" (Key ID ${globex.keyId}) is retired: it is kept only to ask Apple whether it still works.`;
    for (const reference of [globex.keyId, globex.keyId.toLowerCase(), " globex "]) {
      for (const action of actions(reference)) expect((await refusal(action(), "key-retired")).message).toBe(retired);
    }
    // A name that means nothing is still "no saved key"; nothing was changed by any of the refusals.
    await refusal(useSavedKey(store, "Initech"), "key-unknown");
    expect((await store.retired.readList()).map((line) => line.keyId)).toEqual([globex.keyId]);

    // Proven revoked: only the record is left, found by its Key ID alone.
    await store.retired.deleteItem(globex.keyId);
    const refusedAt: [string, string] = ["2026-12-07T09:14:00.000Z", "2026-12-07T09:31:00.000Z"];
    await store.retired.writeList([{ state: "revoked", keyId: globex.keyId, refusedAt }]);
    const revoked = `Key ${globex.keyId} is revoked: Apple refused it twice, and only that record is kept.`;
    for (const action of actions(globex.keyId)) expect((await refusal(action(), "key-retired")).message).toBe(revoked);
    await refusal(useSavedKey(store, "Globex"), "key-unknown");
  });

  it("a retired key's name never hides a usable key; a key only in LingCode's entry is found without asking the retired list", async () => {
    const a = { k: key(), keyId: makeKeyId() };
    const b = { k: key(), keyId: makeKeyId() };
    await registerKey(teamInput(a.k, a.keyId), { store, verify: false });
    await registerKey(teamInput(b.k, b.keyId), { store, verify: false, rotates: a.keyId });
    await renameSavedKey(store, b.keyId, "Beta");
    // The retired key is "Unnamed key"; so is a key LingCode itself then wrote to its entry (not yet saved apart).
    expect((await store.retired.readList()).map((line) => [line.keyId, "name" in line && line.name])).toEqual([
      [a.keyId, "Unnamed key"],
    ]);
    const c = makeRecord({ issuerId: TEAM_A }, key());
    await store.write(c);
    expect((await readSavedKey(store, "Unnamed key")).record.keyId).toBe(c.keyId);
    backend.calls.length = 0;
    expect((await readSavedKey(store, c.keyId)).record.keyId).toBe(c.keyId);
    expect(backend.calls.filter((call) => call.account === "retired")).toEqual([]);
    // Only a reference that means no usable key at all is the retired key's.
    expect((await refusal(readSavedKey(store, a.keyId), "key-retired")).message).toContain("is retired");
  });

  it("a key with no name anywhere gets a default name no other key has; two keys with one name are said to be two", async () => {
    // A Keychain that lists its items, as the real ones do: a stray item the list lost is found.
    const listing = memoryBackend({ listing: true });
    store = createKeyStore({ service: store.service, backend: listing });
    const { acme } = await threeKeys(store); // the third is "Unnamed key"
    // A stray, damaged item the list lost (a crash), with no name: listed, named apart from the unnamed key.
    await listing.set(savedKeysService(store.service), itemAccount("STRAY00001"), "test", '{"version":1}');
    const listed = await listKeys(store, { items: true });
    const names = listed.keys.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["Unnamed key", "Unnamed key (2)"]));
    expect((await useSavedKey(store, "Unnamed key")).current.name).toBe("Unnamed key");
    await useSavedKey(store, acme.keyId);

    const [first, second] = listed.keys.filter((k): k is ListedOkKey => k.state === "ok").slice(0, 2);
    const twins = [first, { ...second, name: "acme" }];
    const error = (() => {
      try {
        findKey(twins, "ACME");
      } catch (thrown) {
        return thrown as AscKeyError;
      }
    })();
    expect(error?.code).toBe("key-ambiguous");
    expect(error?.message).toBe(
      `"ACME" is the name of 2 saved keys ("Acme" (Key ID ${first.keyId}), "acme" (Key ID ${second.keyId})); give the Key ID.`,
    );
  });

  it("renaming: the list and the item follow; a key only in LingCode's entry is saved under its new name", async () => {
    const old = makeRecord({ issuerId: TEAM_A }, key());
    await store.write(old);
    const renamed = await renameSavedKey(store, old.keyId, "  Acme  ");
    expect(renamed).toMatchObject({ previousName: "Unnamed key", key: { name: "Acme" } });
    expect(await store.saved.readItem(old.keyId)).toEqual({ record: old, name: "Acme" });
    expect((await listKeys(store)).keys).toEqual([
      expect.objectContaining({ name: "Acme", saved: true, active: true }),
    ]);
    await refusal(renameSavedKey(store, "Acme", "a\u001b[31mb"), "name-invalid");
  });

  it("removing the key LingCode uses asks what next: another saved key, or none", async () => {
    const { acme, globex, mine } = await threeKeys(store);
    backend.calls.length = 0;
    const asked = await refusal(removeKey(store), "next-key-needed");
    expect(asked.message).toContain('"Acme" is the key LingCode uses');
    expect(asked.message).toContain('"Globex"');
    expect(writes(backend)).toEqual([]);
    await refusal(removeKey(store, { key: "Acme", next: "Acme" }), "choice-invalid");
    await refusal(removeKey(store, { key: "Globex", next: "Acme" }), "choice-invalid");

    const removal = await removeKey(store, { key: "acme", next: "Globex" });
    expect(removal).toMatchObject({
      removed: true,
      wasActive: true,
      previous: { name: "Acme", keyId: acme.keyId },
      next: { name: "Globex", keyId: globex.keyId },
    });
    expect((await store.read())?.keyId).toBe(globex.keyId);
    expect(await store.saved.readItem(acme.keyId)).toBeUndefined();
    expect(names((await listKeys(store)).keys)).toEqual(["Globex", "Unnamed key"]);

    // A key LingCode does not use: just removed.
    expect(await removeKey(store, { key: mine.keyId })).toMatchObject({ removed: true, wasActive: false });
    // The last one, with none next: LingCode's entry and the index are gone.
    expect(await removeKey(store, { next: null })).toMatchObject({ removed: true, next: null });
    expect(await store.read()).toBeUndefined();
    expect(backend.items.size).toBe(0);
    expect(await removeKey(store)).toEqual({ removed: false });
  });

  it("a damaged saved item is listed as such (with items: true) and never hides the others; it can be removed", async () => {
    const { globex } = await threeKeys(store);
    const service = savedKeysService(store.service);
    backend.items.set(`${service}\u0000${itemAccount(globex.keyId)}`, '{"version":1,"kind":"team","keyId":"X"}');
    const quick = await listKeys(store);
    expect(quick.keys.every((k) => k.state === "ok")).toBe(true); // the index alone cannot tell
    const checked = await listKeys(store, { items: true });
    expect(checked.keys.map((k) => k.state)).toEqual(["ok", "damaged", "ok"]);
    expect(checked.keys[1]).toMatchObject({ name: "Globex", reason: expect.stringMatching(/damaged/) });
    expect(checked.reads).toBe(2 + 3);
    await refusal(useSavedKey(store, "Globex"), "record-corrupt");
    await refusal(readSavedKey(store, "Globex"), "record-corrupt");
    expect(await removeKey(store, { key: "Globex" })).toMatchObject({ removed: true, wasActive: false });
    expect((await listKeys(store, { items: true })).keys.map((k) => k.state)).toEqual(["ok", "ok"]);
  });

  it("a crash between the index and the item: listed as missing, removable; an item left unlisted is found by Key ID", async () => {
    await threeKeys(store);
    const k = { k: key(), keyId: makeKeyId() };
    // The index line is written, then the item write "crashes" (fails without the rollback running).
    backend.failOn = (call) =>
      call.op === "set" && call.account === itemAccount(k.keyId)
        ? new AscKeyError("keychain-failed", "simulated crash")
        : undefined;
    await refusal(registerKey(teamInput(k.k, k.keyId), { store, verify: false, use: false }), "keychain-failed");
    backend.failOn = undefined;
    // The rollback took the line out again.
    expect((await listKeys(store)).keys.map((x) => x.keyId)).not.toContain(k.keyId);

    // A real crash leaves the line without an item.
    const index = await store.saved.readIndex();
    await store.saved.putLine(index, {
      keyId: k.keyId,
      name: "Halfway",
      kind: "individual",
      fingerprint: `SHA256:${"A".repeat(43)}`,
      savedAt: new Date().toISOString(),
    });
    const listed = await listKeys(store, { items: true });
    expect(listed.keys.find((x) => x.keyId === k.keyId)).toMatchObject({
      state: "damaged",
      name: "Halfway",
      reason: "its saved item is missing from the Keychain",
    });
    await refusal(readSavedKey(store, "Halfway"), "saved-key-missing");
    await removeKey(store, { key: "Halfway" });
    expect((await listKeys(store)).keys).toHaveLength(3);

    // An item nobody lists (written by hand here) is found by its Key ID, and switching lists it.
    const stray = makeRecord({ issuerId: TEAM_A }, key());
    await store.saved.writeItem(stray, "Stray");
    expect((await readSavedKey(store, stray.keyId)).summary).toMatchObject({ name: "Stray", keyId: stray.keyId });
    await useSavedKey(store, stray.keyId);
    expect((await listKeys(store)).keys.find((x) => x.keyId === stray.keyId)).toMatchObject({
      name: "Stray",
      active: true,
      saved: true,
    });
  });

  it("a damaged page of the index: its Key IDs are listed as damaged, the other pages as they are", async () => {
    // Enough keys for two pages.
    const made: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const k = { k: key(), keyId: makeKeyId() };
      made.push(k.keyId);
      await registerKey(teamInput(k.k, k.keyId), { store, verify: false, name: `Client ${i}`, use: false });
    }
    const before = await store.saved.readIndex();
    expect(before.pages.length).toBeGreaterThan(1);
    const service = savedKeysService(store.service);
    const page1 = backend.items.get(`${service}\u0000${indexAccount(1)}`)!;
    backend.items.set(`${service}\u0000${indexAccount(1)}`, page1.slice(0, page1.length - 40)); // cut short
    const list = await listKeys(store);
    expect(list.problems).toEqual([expect.stringMatching(/^Page 1 of the list is damaged \(it is not JSON\)/)]);
    expect(list.keys.map((k) => k.keyId)).toEqual(made);
    const damaged = list.keys.filter((k) => k.state === "damaged");
    expect(damaged.length).toBeGreaterThan(0);
    expect(list.keys.slice(before.pages[0].lines.length).every((k) => k.state === "ok")).toBe(true);
    // Removing a damaged one rewrites the page whole again.
    await removeKey(store, { key: damaged[0].keyId });
    expect((await listKeys(store)).problems).toEqual([]);
  });

  it("50 keys: every page fits the macOS line, a list reads the pages and the entry (no item, no other secret)", async () => {
    const budget = pageBudget(savedKeysService(store.service));
    const reads: number[] = [];
    for (let i = 1; i <= 50; i += 1) {
      const k = { k: key(), keyId: makeKeyId() };
      // Long names make the pages fuller; the macOS line check in the backend would refuse an oversized page.
      await registerKey(teamInput(k.k, k.keyId), {
        store,
        verify: false,
        name: `Client ${i} ${"ü".repeat(28)}`,
        use: i === 1,
      });
      if (i === 1 || i === 10 || i === 50) {
        backend.calls.length = 0;
        const list = await listKeys(store);
        expect(list.keys).toHaveLength(i);
        const gets = backend.calls.filter((c) => c.op === "get");
        expect(gets.every((c) => c.account === ACCOUNT || c.account.startsWith("index"))).toBe(true);
        expect(list.reads).toBe(gets.length);
        reads.push(list.reads);
        const noEntry = await listKeys(store, { entry: false });
        expect(noEntry.reads).toBe(list.reads - 1);
      }
    }
    const index = await store.saved.readIndex();
    for (const page of index.pages) {
      expect(
        Buffer.byteLength(serializePage(page, page.number === 1 ? index.pages.length : undefined)),
      ).toBeLessThanOrEqual(budget);
    }
    // Grows at most linearly: far fewer reads than keys.
    expect(reads[0]).toBe(2);
    expect(reads[2]).toBeLessThan(50 / 3);
    expect(reads[2] - 1).toBe(index.pages.length);
  });

  it("an item is never larger than the macOS line allows, even with the longest name", async () => {
    const record = makeRecord({ issuerId: TEAM_A, keyId: "A".repeat(20) }, key());
    const name = "😀".repeat(40);
    expect(() =>
      addGenericPasswordLine(
        savedKeysService("LingCode"),
        itemAccount(record.keyId),
        "label",
        serializeSavedItem(record, name),
      ),
    ).not.toThrow();
  });

  it("an odd Key ID makes a safe account name", () => {
    expect(itemAccount("2X9R4HXF34")).toBe("key-2X9R4HXF34");
    expect(itemAccount('AB"C')).toBe(`key-x${Buffer.from('AB"C').toString("hex")}`);
  });

  it("LingCode's entry fails to update: the new key stays saved, LingCode keeps its key", async () => {
    const { acme } = await threeKeys(store);
    const k = { k: key(), keyId: makeKeyId() };
    backend.failOn = (call) =>
      call.op === "set" && call.account === ACCOUNT
        ? new AscKeyError("keychain-denied", "Keychain access was denied.")
        : undefined;
    const error = await refusal(
      registerKey(teamInput(k.k, k.keyId), { store, verify: false, name: "New", use: true }),
      "keychain-denied",
    );
    expect(error.message).toContain('kept among the saved keys as "New"');
    backend.failOn = undefined;
    expect((await store.read())?.keyId).toBe(acme.keyId);
    expect(names((await listKeys(store)).keys)).toContain("New");
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe.skipIf(!HAS_KEYRING)("the saved keys in the private Secret Service", () => {
  /** Every item under a service, as `secret-tool search --all` sees them: their accounts (it prints those on stderr). */
  function accountsUnder(service: string): string[] {
    const { stderr } = spawnSync("secret-tool", ["search", "--all", "service", service], { encoding: "utf8" });
    return [...stderr.matchAll(/^attribute\.account = (.*)$/gm)].map((m) => m[1]);
  }

  it("register three, switch, rotate one, remove the active one: keytar and secret-tool read exactly LingCode's key", async () => {
    const service = testService("saved");
    const store = createKeyStore({ service });
    const keytar = HAS_KEYTAR ? loadKeytar() : undefined;
    const expectLingCodeReads = async (record: KeyRecord | undefined) => {
      const expected = record === undefined ? undefined : serializeRecord(record);
      expect(lookupDirectly(service, ACCOUNT)).toBe(expected);
      if (keytar) expect((await keytar.getPassword(service, ACCOUNT)) ?? undefined).toBe(expected);
      expect(accountsUnder(service)).toEqual(record === undefined ? [] : [ACCOUNT]);
    };
    const recordOf = async (keyId: string) => (await store.saved.readItem(keyId))!.record;

    const { acme, globex, mine } = await threeKeys(store);
    await expectLingCodeReads(await recordOf(acme.keyId));
    expect(accountsUnder(savedKeysService(service)).sort()).toEqual(
      ["index", itemAccount(acme.keyId), itemAccount(globex.keyId), itemAccount(mine.keyId)].sort(),
    );

    await useSavedKey(store, "Globex");
    await expectLingCodeReads(await recordOf(globex.keyId));

    const fresh = { k: key(), keyId: makeKeyId() };
    const rotated = await registerKey(teamInput(fresh.k, fresh.keyId, TEAM_B), {
      store,
      verify: false,
      rotates: "Globex",
    });
    expect(rotated).toMatchObject({ name: "Globex", active: true, replaced: { keyId: globex.keyId } });
    await expectLingCodeReads(await recordOf(fresh.keyId));

    await removeKey(store, { next: "Acme" });
    await expectLingCodeReads(await recordOf(acme.keyId));
    expect((await listKeys(store, { items: true })).keys.map((k) => [k.name, k.active, k.state])).toEqual([
      ["Acme", true, "ok"],
      ["Unnamed key", false, "ok"],
    ]);

    await removeKey(store, { next: mine.keyId });
    await removeKey(store, { next: null });
    await expectLingCodeReads(undefined);
    // Only the rotated key is left, as a retired key waiting for Apple to prove it revoked (docs/revocation.md).
    expect(accountsUnder(savedKeysService(service)).sort()).toEqual(["retired", `retired-${globex.keyId}`]);
    await forgetRetiredKey(store, globex.keyId);
    expect(accountsUnder(savedKeysService(service))).toEqual([]);
  });
});

describe("the items are the truth: a damaged, missing or stale index is rebuilt from them", () => {
  /** The memory store, with the listing of a service's accounts a real store has (no secret read). */
  function listingStore() {
    const { store, backend } = memoryStore();
    backend.accounts = async (service) =>
      [...backend.items.keys()].filter((id) => id.startsWith(`${service}\u0000`)).map((id) => id.split("\u0000")[1]);
    return { store, backend };
  }

  async function registerMany(store: KeyStore, n: number): Promise<{ keyId: string; name: string }[]> {
    const made: { keyId: string; name: string }[] = [];
    for (let i = 1; i <= n; i += 1) {
      const k = { k: key(), keyId: makeKeyId() };
      const name = `Client ${i} ${"é".repeat(20)}`;
      await registerKey(teamInput(k.k, k.keyId), { store, verify: false, name, use: i === 1 });
      made.push({ keyId: k.keyId, name });
    }
    return made;
  }

  it("a page overwritten with garbage: every key keeps its name, the note says so, the index is whole again", async () => {
    const { store, backend } = listingStore();
    const made = await registerMany(store, 14);
    const before = await store.saved.readIndex();
    expect(before.pages.length).toBeGreaterThanOrEqual(2);
    for (const number of [1, 2]) {
      backend.items.set(`${savedKeysService(store.service)}\u0000${indexAccount(number)}`, "\u0000garbage{");
      const list = await listKeys(store);
      expect(list.keys.map((k) => [k.keyId, k.name, k.state])).toEqual(made.map((m) => [m.keyId, m.name, "ok"]));
      expect(list.keys[0].active).toBe(true);
      expect(list.problems).toEqual([
        "The list of saved keys was damaged; it was rebuilt from the saved keys themselves.",
      ]);
      const after = await store.saved.readIndex();
      expect(after.pages.every((page) => !page.damage && !page.missing)).toBe(true);
      expect((await listKeys(store)).problems).toEqual([]);
    }
  });

  it("a key left out of the index (a lost update) is put back; a listing that finds nothing wrong reads no item", async () => {
    const { store, backend } = listingStore();
    const made = await registerMany(store, 3);
    const index = await store.saved.readIndex();
    index.pages[0].lines = index.pages[0].lines.filter((line) => line.keyId !== made[1].keyId);
    backend.items.set(`${savedKeysService(store.service)}\u0000${indexAccount(1)}`, serializePage(index.pages[0], 1));
    const list = await listKeys(store);
    expect(list.keys.map((k) => k.name).sort()).toEqual(made.map((m) => m.name).sort());
    expect(list.problems).toEqual([
      "The list of saved keys left out 1 saved key; it was rebuilt from the saved keys themselves.",
    ]);
    backend.calls.length = 0;
    await listKeys(store);
    expect(backend.calls.filter((c) => c.op === "get" && c.account.startsWith("key-"))).toEqual([]);
    await useSavedKey(store, made[1].name);
    expect((await store.read())!.keyId).toBe(made[1].keyId);
  });

  it("a rebuild keeps the recorded role and the last accepted check with the same key material", async () => {
    const { store, backend } = listingStore();
    const [first, second] = await registerMany(store, 2);
    await recordKeyRole(store, first.keyId, "app-manager");
    const acceptedAt = "2025-01-02T03:04:05.000Z";
    const line = (await store.saved.readIndex()).pages[0].lines.find((each) => each.keyId === first.keyId)!;
    await rememberAcceptance(
      store,
      { keyId: first.keyId, fingerprint: line.fingerprint! },
      {
        outcome: "valid",
        message: "accepted",
        checkedAt: acceptedAt,
      },
    );
    // Page 1 damaged (a line without a Key ID): every key on it is read again and its line rebuilt.
    const id = `${savedKeysService(store.service)}\u0000${indexAccount(1)}`;
    const page = JSON.parse(backend.items.get(id)!) as { keys: unknown[] };
    backend.items.set(id, JSON.stringify({ ...page, keys: [...page.keys, { name: "no Key ID" }] }));
    expect((await listKeys(store)).problems).toEqual([
      "The list of saved keys was damaged; it was rebuilt from the saved keys themselves.",
    ]);
    const after = (await store.saved.readIndex()).pages.flatMap((each) => each.lines);
    expect(after.find((each) => each.keyId === first.keyId)).toMatchObject({ role: "app-manager", acceptedAt });
    expect(after.find((each) => each.keyId === second.keyId)).not.toHaveProperty("role");
  });

  it("a name planted with U+202E or a zero-width space is shown escaped, in the list the views show", async () => {
    const { store, backend } = listingStore();
    const [first] = await registerMany(store, 1);
    const id = `${savedKeysService(store.service)}\u0000${indexAccount(1)}`;
    backend.items.set(
      id,
      backend.items.get(id)!.replace(JSON.stringify(first.name), JSON.stringify("Ac\u202eme\u200b")),
    );
    const list = await listKeys(store);
    expect(list.keys[0].name).toBe("Ac\\u202eme\\u200b");
    expect(JSON.stringify(list)).not.toMatch(/[\u202e\u200b]/);
  });
});
