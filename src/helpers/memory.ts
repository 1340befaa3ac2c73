import { LocalStorage } from "@raycast/api";
import type { CheckResult } from "../lib/asc-client";
import { isConclusive, rememberCheck, type RememberedCheck } from "../lib/check-summary";

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
}

async function readJson<T>(name: string): Promise<T | undefined> {
  const text = await LocalStorage.getItem<string>(name);
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export interface CheckMemory {
  latest?: RememberedCheck;
  lastConclusive?: RememberedCheck;
}

export async function readChecks(): Promise<CheckMemory> {
  const [latest, lastConclusive] = await Promise.all([
    readJson<RememberedCheck>(LAST_CHECK),
    readJson<RememberedCheck>(LAST_CONCLUSIVE_CHECK),
  ]);
  return { latest, lastConclusive };
}

export async function saveCheck(keyId: string, check: CheckResult): Promise<RememberedCheck> {
  const remembered = rememberCheck(keyId, check);
  await LocalStorage.setItem(LAST_CHECK, JSON.stringify(remembered));
  if (isConclusive(check.outcome)) await LocalStorage.setItem(LAST_CONCLUSIVE_CHECK, JSON.stringify(remembered));
  return remembered;
}

export async function forgetChecks(): Promise<void> {
  await Promise.all([LocalStorage.removeItem(LAST_CHECK), LocalStorage.removeItem(LAST_CONCLUSIVE_CHECK)]);
}

export function readKeyToRevoke(): Promise<KeyToRevoke | undefined> {
  return readJson<KeyToRevoke>(KEY_TO_REVOKE);
}

export async function rememberKeyToRevoke(keyId: string, now = new Date()): Promise<void> {
  await LocalStorage.setItem(KEY_TO_REVOKE, JSON.stringify({ keyId, replacedAt: now.toISOString() }));
}

export async function dismissKeyToRevoke(): Promise<void> {
  await LocalStorage.removeItem(KEY_TO_REVOKE);
}
