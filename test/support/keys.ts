import { generateKeyPairSync, KeyObject } from "node:crypto";
import type { KeyRecord } from "../../src/lib/record";

/** Throwaway keys, made at run time: no private key is ever committed. */
export interface TestKey {
  /** PKCS#8 PEM, as Apple ships it in AuthKey_<ID>.p8 */
  pem: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function makeKey(namedCurve = "P-256"): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve });
  return { pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), privateKey, publicKey };
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

export const ISSUER_ID = "57246542-96fe-1a63-e053-0824d011072a";

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
