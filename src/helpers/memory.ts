import { LocalStorage } from "@raycast/api";
import type { CheckResult } from "../lib/asc-client";
import { rememberCheck, type RememberedCheck } from "../lib/check-summary";
import { isOutcome, OUTCOME } from "../lib/outcomes";

/**
 * What the extension remembers between runs, in Raycast's LocalStorage. Nothing secret: Key IDs, outcomes and
 * times only (the key itself lives in the Keychain alone).
 */
const LAST_CHECK = "last-check";
const LAST_CONCLUSIVE_CHECK = "last-conclusive-check";
const KEY_TO_REVOKE = "key-to-revoke";

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

export interface CheckMemory {
  latest?: RememberedCheck;
  lastConclusive?: RememberedCheck;
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

export async function readChecks(): Promise<CheckMemory> {
  const [latest, lastConclusive] = await Promise.all([readJson(LAST_CHECK), readJson(LAST_CONCLUSIVE_CHECK)]);
  return { latest: validCheck(latest), lastConclusive: validCheck(lastConclusive) };
}

export async function saveCheck(keyId: string, check: CheckResult): Promise<RememberedCheck> {
  const remembered = rememberCheck(keyId, check);
  await LocalStorage.setItem(LAST_CHECK, JSON.stringify(remembered));
  if (OUTCOME[check.outcome].conclusive) await LocalStorage.setItem(LAST_CONCLUSIVE_CHECK, JSON.stringify(remembered));
  return remembered;
}

export async function forgetChecks(): Promise<void> {
  await Promise.all([LocalStorage.removeItem(LAST_CHECK), LocalStorage.removeItem(LAST_CONCLUSIVE_CHECK)]);
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
