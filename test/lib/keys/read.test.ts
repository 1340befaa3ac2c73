/**
 * The one "already saved" rule (isSavedAlready, src/lib/keys/read.ts): the same Key ID and fingerprint, readable.
 * Import's classification and a registration's plan both decide with it: the module is wrapped in a spy, and a
 * different answer from the spy changes what each of them says, which a copy of the rule of their own would not.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { classifyCandidates, findInFastlaneJson } from "../../../src/lib/import";
import { fastlaneApiKeyJson } from "../../../src/lib/exports";
import * as read from "../../../src/lib/keys/read";
import {
  isSavedAlready,
  listKeys,
  planRegistration,
  prepareKey,
  registerKey,
  type ListedKey,
} from "../../../src/lib/keys";
import { normalizePrivateKey } from "../../../src/lib/key";
import { makeRecord } from "../../support/keys";
import { memoryStore } from "../../support/memory-keychain";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";

vi.mock("../../../src/lib/keys/read", async (original) => {
  const actual = await original<typeof import("../../../src/lib/keys/read")>();
  return { ...actual, isSavedAlready: vi.fn(actual.isSavedAlready) };
});

afterEach(() => {
  vi.mocked(read.isSavedAlready).mockClear();
});

function listed(overrides: Partial<ListedKey> = {}): ListedKey {
  return {
    state: "ok",
    configured: true,
    kind: "team",
    keyId: "ABC1234DEF",
    issuerIdSuffix: "b6c",
    fingerprint: "SHA256:aaaa",
    savedAt: "2026-01-01T00:00:00.000Z",
    name: "Acme",
    active: true,
    saved: true,
    ...overrides,
  } as ListedKey;
}

describe("isSavedAlready", () => {
  it("is true for the same Key ID and fingerprint only, on a readable saved key", () => {
    const key = { keyId: "ABC1234DEF", fingerprint: "SHA256:aaaa" };
    expect(isSavedAlready(listed(), key)).toBe(true);
    expect(isSavedAlready(listed({ fingerprint: "SHA256:bbbb" }), key)).toBe(false);
    expect(isSavedAlready(listed({ keyId: "XYZ1234DEF" }), key)).toBe(false);
    expect(isSavedAlready(listed({ state: "damaged", reason: "not JSON" } as Partial<ListedKey>), key)).toBe(false);
    expect(isSavedAlready(undefined, key)).toBe(false);
  });
});

describe("import and registration share it", () => {
  it("import's classification says saved already exactly when the rule does", async () => {
    const record = makeRecord();
    const home = await fs.mkdtemp(path.join(os.tmpdir(), "lingcode-read-"));
    try {
      const file = path.join(home, "key.json");
      await fs.writeFile(file, fastlaneApiKeyJson(record));
      const found = [await findInFastlaneJson(file, { home })];
      const saved = [listed({ keyId: record.keyId, fingerprint: normalizePrivateKey(record.privateKey).fingerprint })];
      expect(classifyCandidates(found, saved)[0].state).toBe("saved");
      expect(read.isSavedAlready).toHaveBeenCalled();
      vi.mocked(read.isSavedAlready).mockReturnValueOnce(false);
      expect(classifyCandidates(found, saved)[0].state).toBe("other-material");
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it("a registration's plan finds the key saved already exactly when the rule does", async () => {
    const { store } = memoryStore("read-rule");
    const record = makeRecord();
    const input = { kind: record.kind, issuerId: record.issuerId, keyId: record.keyId, p8Text: record.privateKey };
    await registerKey(input, { store, verify: false, name: "Acme" });
    expect((await listKeys(store)).keys).toHaveLength(1);
    const prepared = await prepareKey(input);
    vi.mocked(read.isSavedAlready).mockClear();
    expect((await planRegistration(prepared, store)).alreadySaved).toMatchObject({ keyId: record.keyId });
    expect(read.isSavedAlready).toHaveBeenCalled();
    vi.mocked(read.isSavedAlready).mockReturnValueOnce(false);
    const plan = await planRegistration(prepared, store);
    expect(plan.alreadySaved).toBeUndefined();
    expect(plan.replaces).toMatchObject({ keyId: record.keyId, why: "same-key-id" });
  });
});
