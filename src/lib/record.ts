import { AscKeyError } from "./errors";
import { parseIssuerId, parseKeyId } from "./ids";
import { normalizePrivateKey } from "./key";

/** The one Keychain item's value: service `LingCode`, account `asc-api-key`. */
export type KeyKind = "team" | "individual";

export interface KeyRecord {
  version: 1;
  kind: KeyKind;
  /** Present for team keys only. Lowercase 8-4-4-4-12 hex. */
  issuerId?: string;
  keyId: string;
  /** Canonical PKCS#8 PEM of an EC P-256 key. Secret. */
  privateKey: string;
  /** ISO 8601 time of registration. */
  savedAt: string;
}

const RECORD_VERSION = 1;

/** One line of JSON, fields in the documented order. */
export function serializeRecord(record: KeyRecord): string {
  const ordered: Record<string, unknown> = { version: RECORD_VERSION, kind: record.kind };
  if (record.kind === "team") ordered.issuerId = record.issuerId;
  ordered.keyId = record.keyId;
  ordered.privateKey = record.privateKey;
  ordered.savedAt = record.savedAt;
  return JSON.stringify(ordered);
}

const corrupt = (why: string) =>
  new AscKeyError("record-corrupt", `The saved LingCode key entry is unreadable (${why}); register the key again.`);

/**
 * Reads a stored value. Tolerates extra fields (a native client such as LingCode may add some), refuses a
 * missing field, an unknown version or a bad key with a clear reason. Never echoes the value.
 */
export function parseRecord(text: string): KeyRecord {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    throw corrupt("not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw corrupt("not a JSON object");
  const raw = value as Record<string, unknown>;
  if (raw.version === undefined) throw corrupt("no version");
  if (raw.version !== RECORD_VERSION) {
    throw new AscKeyError(
      "record-version",
      `The saved LingCode key entry has version ${JSON.stringify(raw.version).slice(0, 12)}, which this version does not know; update the extension or register the key again.`,
    );
  }
  const kind = raw.kind;
  if (kind === undefined) throw corrupt("no kind");
  if (kind !== "team" && kind !== "individual") throw corrupt("kind must be team or individual");
  for (const field of ["keyId", "privateKey", "savedAt"] as const) {
    if (typeof raw[field] !== "string" || raw[field] === "") throw corrupt(`no ${field}`);
  }
  let issuerId: string | undefined;
  if (kind === "team") {
    if (typeof raw.issuerId !== "string") throw corrupt("no issuerId for a team key");
    try {
      issuerId = parseIssuerId(raw.issuerId);
    } catch {
      throw corrupt("issuerId is not an Issuer ID");
    }
  }
  let keyId: string;
  try {
    keyId = parseKeyId(raw.keyId as string).keyId;
  } catch {
    throw corrupt("keyId is not a Key ID");
  }
  let privateKey: string;
  try {
    privateKey = normalizePrivateKey(raw.privateKey as string).pem;
  } catch (error) {
    throw corrupt(error instanceof AscKeyError ? `privateKey: ${error.code}` : "privateKey is not a key");
  }
  const savedAt = raw.savedAt as string;
  if (Number.isNaN(Date.parse(savedAt))) throw corrupt("savedAt is not a date");
  const record: KeyRecord = { version: 1, kind, keyId, privateKey, savedAt };
  if (issuerId) record.issuerId = issuerId;
  return record;
}
