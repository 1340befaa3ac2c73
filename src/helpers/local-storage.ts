import { LocalStorage } from "@raycast/api";
import {
  type CapabilityReport,
  type CheckResult,
  rememberCheck,
  type RememberedCheck,
  isOutcome,
  OUTCOME,
} from "../lib/apple";
import type { KeyStatus, KeySummary } from "../lib/status";

/**
 * What the extension remembers between runs, in Raycast's LocalStorage. Nothing secret: the saved key's summary
 * (Key ID, Issuer ID suffix, fingerprint, dates), checks and times only; the key itself lives in the Keychain alone.
 * Reading the summary here instead of the Keychain spares the user an unlock dialog where the secret is not needed.
 */
const SAVED_KEY = "saved-key";
const LAST_CHECK = "last-check";
const LAST_CONCLUSIVE_CHECK = "last-conclusive-check";
const KEY_TO_REVOKE = "key-to-revoke";
const LAST_CAPABILITIES = "last-capabilities";
/** The last check of each key, by Key ID: an answer belongs to the key it checked, whichever key LingCode uses. */
const CHECKS_BY_KEY = "checks-by-key";
/** How many keys' last checks are kept (the oldest go first). */
const CHECKS_KEPT = 50;

export interface KeyToRevoke {
  keyId: string;
  replacedAt: string;
  /** The key that replaced it. */
  replacedBy?: string;
}

async function readJson(name: string): Promise<unknown> {
  const text = await LocalStorage.getItem<string>(name);
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The Keychain entry as this extension last saw it: a key (its summary), no key, or an entry it cannot use. */
type RememberedEntry = { state: "key"; summary: KeySummary } | { state: "none" } | { state: "unreadable" };

/** What was last seen, or undefined when this extension has not looked yet (or kept something it no longer reads). */
export async function readRememberedEntry(): Promise<RememberedEntry | undefined> {
  const value = (await readJson(SAVED_KEY)) as Partial<RememberedEntry> | undefined;
  if (value?.state === "none" || value?.state === "unreadable") return { state: value.state };
  if (value?.state !== "key") return undefined;
  const summary = value.summary as Partial<KeySummary> | undefined;
  if (summary?.configured !== true || typeof summary.keyId !== "string") return undefined;
  if (typeof summary.fingerprint !== "string" || typeof summary.savedAt !== "string") return undefined;
  if (summary.kind !== "team" && summary.kind !== "individual") return undefined;
  return { state: "key", summary: summary as KeySummary };
}

/** Remembers what the Keychain holds now (after a read, a registration or a check). */
export async function rememberSavedKey(status: KeyStatus): Promise<void> {
  await rememberEntry(status.configured ? { state: "key", summary: summaryOnly(status) } : { state: "none" });
}

/** Remembers that the entry is there but cannot be used (damaged, or from a newer version). */
export async function rememberUnreadableEntry(): Promise<void> {
  await rememberEntry({ state: "unreadable" });
}

async function rememberEntry(entry: RememberedEntry): Promise<void> {
  await LocalStorage.setItem(SAVED_KEY, JSON.stringify(entry));
}

/** Exactly the summary's fields, so nothing else that travels with a status is ever stored. */
function summaryOnly(summary: KeySummary): KeySummary {
  const { configured, kind, keyId, issuerIdSuffix, fingerprint, savedAt } = summary;
  return issuerIdSuffix === undefined
    ? { configured, kind, keyId, fingerprint, savedAt }
    : { configured, kind, keyId, issuerIdSuffix, fingerprint, savedAt };
}

interface RememberedChecks {
  latest?: RememberedCheck;
  lastConclusive?: RememberedCheck;
  /** The last check of each key, by Key ID. */
  byKey: Record<string, RememberedCheck>;
}

/** The last check of this key, wherever it was remembered. */
export function lastCheckOf(checks: RememberedChecks | undefined, keyId: string): RememberedCheck | undefined {
  const latest = checks?.latest?.keyId === keyId ? checks.latest : undefined;
  const own = checks?.byKey[keyId];
  if (!own || !latest) return own ?? latest;
  return Date.parse(own.checkedAt) >= Date.parse(latest.checkedAt) ? own : latest;
}

/** A stored check is used only if it has the shape this version writes; anything else is forgotten. */
function validCheck(value: unknown): RememberedCheck | undefined {
  const check = value as Partial<RememberedCheck> | undefined;
  if (typeof check !== "object" || check === null) return undefined;
  if (typeof check.keyId !== "string" || typeof check.message !== "string") return undefined;
  if (!isOutcome(check.outcome)) return undefined;
  if (typeof check.checkedAt !== "string" || Number.isNaN(Date.parse(check.checkedAt))) return undefined;
  return check as RememberedCheck;
}
export async function readChecks(): Promise<RememberedChecks> {
  const [latest, lastConclusive, byKey] = await Promise.all([
    readJson(LAST_CHECK),
    readJson(LAST_CONCLUSIVE_CHECK),
    readJson(CHECKS_BY_KEY),
  ]);
  return { latest: validCheck(latest), lastConclusive: validCheck(lastConclusive), byKey: validChecks(byKey) };
}

function validChecks(value: unknown): Record<string, RememberedCheck> {
  const checks: Record<string, RememberedCheck> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return checks;
  for (const [keyId, stored] of Object.entries(value)) {
    const check = validCheck(stored);
    if (check?.keyId === keyId) checks[keyId] = check;
  }
  return checks;
}

/** After a check of the saved key: remember the key as read and Apple's answer. */
export async function rememberVerification(summary: KeySummary, check: CheckResult): Promise<RememberedCheck> {
  await rememberSavedKey(summary);
  return saveCheck(summary.keyId, check);
}

/**
 * Runs bookkeeping that follows something already done (a key saved, removed or checked): its failure (LocalStorage
 * unavailable) is swallowed, so that it never reports the thing itself as failed. False when it failed.
 */
export async function bestEffort(step: () => Promise<unknown>): Promise<boolean> {
  try {
    await step();
    return true;
  } catch {
    return false;
  }
}

/**
 * Remembers a check for the key it checked. `used` (default true): LingCode uses that key, so the check is also the
 * last check the launcher subtitle speaks of.
 */
export async function saveCheck(keyId: string, check: CheckResult, used = true): Promise<RememberedCheck> {
  const remembered = rememberCheck(keyId, check);
  const byKey = validChecks(await readJson(CHECKS_BY_KEY));
  delete byKey[keyId];
  const kept = Object.entries(byKey).slice(-(CHECKS_KEPT - 1));
  await LocalStorage.setItem(CHECKS_BY_KEY, JSON.stringify(Object.fromEntries([...kept, [keyId, remembered]])));
  if (!used) return remembered;
  await LocalStorage.setItem(LAST_CHECK, JSON.stringify(remembered));
  if (OUTCOME[check.outcome].conclusive) await LocalStorage.setItem(LAST_CONCLUSIVE_CHECK, JSON.stringify(remembered));
  return remembered;
}

/** The key was removed: remember that none is saved, and forget the checks about it. */
export async function forgetSavedKey(): Promise<void> {
  await Promise.all([
    rememberEntry({ state: "none" }),
    LocalStorage.removeItem(LAST_CHECK),
    LocalStorage.removeItem(LAST_CONCLUSIVE_CHECK),
    LocalStorage.removeItem(LAST_CAPABILITIES),
  ]);
}

/** What the key could do when last asked (areas, conclusions, when): nothing secret. */
export async function saveCapabilities(report: CapabilityReport): Promise<void> {
  await LocalStorage.setItem(LAST_CAPABILITIES, JSON.stringify(report));
}

export async function readCapabilities(): Promise<CapabilityReport | undefined> {
  const value = (await readJson(LAST_CAPABILITIES)) as Partial<CapabilityReport> | undefined;
  if (typeof value?.keyId !== "string" || typeof value.checkedAt !== "string") return undefined;
  if (typeof value.areas !== "object" || value.areas === null || !Array.isArray(value.conclusions)) return undefined;
  return value as CapabilityReport;
}

export async function readKeyToRevoke(): Promise<KeyToRevoke | undefined> {
  const value = (await readJson(KEY_TO_REVOKE)) as Partial<KeyToRevoke> | undefined;
  return typeof value?.keyId === "string" && typeof value.replacedAt === "string" ? (value as KeyToRevoke) : undefined;
}

export async function rememberKeyToRevoke(keyId: string, replacedBy: string, now = new Date()): Promise<void> {
  const reminder: KeyToRevoke = { keyId, replacedAt: now.toISOString(), replacedBy };
  await LocalStorage.setItem(KEY_TO_REVOKE, JSON.stringify(reminder));
}

export async function dismissKeyToRevoke(): Promise<void> {
  await LocalStorage.removeItem(KEY_TO_REVOKE);
}
