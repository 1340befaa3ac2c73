import { generateKeyPairSync, KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { KeyRecord } from "../../src/lib/record";

/** Throwaway keys, made at run time: no private key is ever committed. */
export interface TestKey {
  /** PKCS#8 PEM, as Apple ships it in AuthKey_<ID>.p8 */
  pem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Every key made in this test file so far (each file has its own modules): no output may show any of them. */
export const madePems: string[] = [];

export function makeKey(namedCurve = "P-256"): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  madePems.push(pem);
  return { pem, privateKey, publicKey };
}

let counter = 0;

/** A random-looking but valid Key ID, unique within a run. */
export function makeKeyId(): string {
  counter += 1;
  return `TEST${String(counter).padStart(2, "0")}${Math.random().toString(36).slice(2, 6).toUpperCase().padEnd(4, "X")}`.slice(
    0,
    10,
  );
}

/** A new key and its file as Apple names it (`AuthKey_<Key ID>.p8`, mode 0600), in a fresh folder under `dir`. */
export interface KeyFile {
  key: TestKey;
  keyId: string;
  file: string;
}

/** Makes a KeyFile; its PEM is added to `pems` (what no output may carry any piece of). */
export function makeKeyFile(dir: string, pems: string[]): KeyFile {
  const key = makeKey();
  pems.push(key.pem);
  const keyId = makeKeyId();
  const file = path.join(mkdtempSync(path.join(dir, "key-")), `AuthKey_${keyId}.p8`);
  writeFileSync(file, key.pem, { mode: 0o600 });
  return { key, keyId, file };
}

/**
 * The team's Issuer ID in every test. Not Apple's documented example (EXAMPLE_ISSUER_ID in src/lib/ids.ts): the form
 * shows that one as a placeholder and a refusal may rightly quote it, so a leak check could not look for it.
 */
export const ISSUER_ID = "3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c";
/** What a masked status shows of ISSUER_ID: "Issuer ID ends in ...b6c". */
export const ISSUER_SUFFIX = "b6c";

export function makeRecord(overrides: Partial<KeyRecord> = {}, key: TestKey = makeKey()): KeyRecord {
  const kind = overrides.kind ?? "team";
  const record: KeyRecord = {
    version: 1,
    kind,
    keyId: makeKeyId(),
    privateKey: key.pem,
    savedAt: "2026-11-26T04:00:00.000Z",
    ...overrides,
  };
  if (kind === "team" && !record.issuerId) record.issuerId = ISSUER_ID;
  if (kind === "individual") delete record.issuerId;
  return record;
}
