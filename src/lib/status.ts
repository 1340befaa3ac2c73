import { issuerIdSuffix, maskedSuffix } from "./ids";
import { keyFingerprint } from "./key";
import type { KeyKind, KeyRecord } from "./record";

/** The one "no key" sentence: the status answer when LingCode has no key. */
export const NOT_CONFIGURED_SENTENCE = "No, no ASC key configured.";

/**
 * The "no key" sentence followed by what to do next, as each face says it: `No, no ASC key configured. Register one
 * first.` Every "no key" message is built here, so that each starts with the status answer, word for word.
 */
export function noKeySentence(nextStep: string): string {
  return `${NOT_CONFIGURED_SENTENCE} ${nextStep}`;
}

/**
 * The answer to "is my key set up?", word for word:
 * `Yes, Issuer ID ends in ...abc, Key ID ABC1234DEF`, `Yes, individual key, Key ID ABC1234DEF`, or
 * `No, no ASC key configured.`
 */
export function statusSentence(record: Pick<KeyRecord, "kind" | "issuerId" | "keyId"> | undefined): string {
  if (!record) return NOT_CONFIGURED_SENTENCE;
  return sentence(record.kind, record.keyId, record.issuerId && issuerIdSuffix(record.issuerId));
}

function sentence(kind: KeyKind, keyId: string, suffix: string | undefined): string {
  return `Yes, ${keyPhrase(kind, keyId, suffix)}`;
}

/** "Issuer ID ends in ...4d1, Key ID 2X9R4HXF34" or "individual key, Key ID 2X9R4HXF34": a key, masked. */
function keyPhrase(kind: KeyKind, keyId: string, suffix: string | undefined): string {
  if (kind === "individual" || !suffix) return `individual key, Key ID ${keyId}`;
  return `Issuer ID ends in ${maskedSuffix(suffix)}, Key ID ${keyId}`;
}

/**
 * The one way a sentence names a saved key: `"Acme" (Key ID 2X9R4HXF34)`. A key without a name at hand is `Key
 * 2X9R4HXF34`; with its team as well, `keyWords`.
 */
export function namedKey(key: { name: string; keyId: string }): string {
  return `"${key.name}" (Key ID ${key.keyId})`;
}

/** `"Acme" (Issuer ID ends in ...4d1, Key ID 2X9R4HXF34)` or `"Mine" (individual key, Key ID 2X9R4HXF34)`. */
export function keyWords(key: { name: string; kind: KeyKind; keyId: string; issuerIdSuffix?: string }): string {
  return `"${key.name}" (${keyPhrase(key.kind, key.keyId, key.issuerIdSuffix)})`;
}

/** What may be shown or cached about a key: nothing secret, the Issuer ID masked. */
export interface KeySummary {
  configured: true;
  kind: KeyKind;
  keyId: string;
  /** The last three characters of the Issuer ID; absent for individual keys. */
  issuerIdSuffix?: string;
  fingerprint: string;
  savedAt: string;
}

export type KeyStatus = KeySummary | { configured: false };

export function summarize(record: KeyRecord | undefined): KeyStatus {
  if (!record) return { configured: false };
  const summary: KeySummary = {
    configured: true,
    kind: record.kind,
    keyId: record.keyId,
    fingerprint: keyFingerprint(record.privateKey),
    savedAt: record.savedAt,
  };
  if (record.kind === "team" && record.issuerId) summary.issuerIdSuffix = issuerIdSuffix(record.issuerId);
  return summary;
}

/** The sentence for a summary (the same words as for the record it came from). */
export function summarySentence(status: KeyStatus): string {
  if (!status.configured) return NOT_CONFIGURED_SENTENCE;
  return sentence(status.kind, status.keyId, status.issuerIdSuffix);
}
