import { Action, Tool } from "@raycast/api";
import { refreshLauncherSubtitle } from "../helpers/launcher";
import { bestEffort, forgetSavedKey, rememberSavedKey } from "../helpers/local-storage";
import { keyStore } from "../helpers/core";
import { TEAM_KEYS_URL } from "../lib/asc-client";
import { AscKeyError, describeError } from "../lib/errors";
import { findKey, listKeys, namesOf, parseNext, removeKey, type KeyList, type ListedKey } from "../lib/saved-keys";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";

type Input = {
  /**
   * The saved key to remove: its name (e.g. "Acme") or Key ID, as get-api-key-status lists them. Leave it out to
   * remove the key LingCode uses.
   */
  key?: string;
  /**
   * Only when removing the key LingCode uses while other keys are saved: the key LingCode should use next (its name
   * or Key ID), or "none". Ask the user; never pick one for them.
   */
  next?: string;
};

/** What the removal would take out, and whether it is the key LingCode uses. */
type Target = { key?: ListedKey; unreadable: boolean; active: boolean };

function targetOf(list: KeyList, reference: string | undefined): Target | undefined {
  if (reference !== undefined) {
    const key = findKey(list.keys, reference);
    return { key, unreadable: false, active: key.active };
  }
  if (list.entry.state === "unreadable") return { unreadable: true, active: true };
  const active = list.keys.find((key) => key.active);
  return active ? { key: active, unreadable: false, active: true } : undefined;
}

function named(key: ListedKey): string {
  return `key ${key.keyId} ("${key.name}")`;
}

/**
 * Asked before the removal, naming the key and what LingCode uses afterwards. No confirmation when nothing would be
 * removed: no key, a name or Key ID that means no key, or the key LingCode uses with other keys saved and no `next`
 * given (the tool then asks which key LingCode should use next).
 */
export const confirmation: Tool.Confirmation<Input> = async (input = {}) => {
  let list: KeyList;
  let target: Target | undefined;
  let next: string | null | undefined;
  try {
    list = await listKeys(keyStore());
    target = targetOf(list, input.key);
    next = input.next === undefined ? undefined : parseNext(input.next);
  } catch (error) {
    if (error instanceof AscKeyError && error.code !== "no-key" && !error.code.startsWith("key-")) throw error;
    return undefined;
  }
  if (!target) return undefined;
  const others = list.keys.filter((key) => key !== target.key && key.state === "ok");
  let after: string;
  let nextKey: ListedKey | undefined;
  if (!target.active) {
    // A key to use next is for the key LingCode uses only: the tool refuses it for another key.
    if (next !== undefined) return undefined;
    const current = list.keys.find((key) => key.active);
    after = current ? ` LingCode keeps using "${current.name}".` : "";
  } else if (next === undefined && others.length > 0) {
    return undefined;
  } else if (next === undefined || next === null) {
    after = " LingCode can't reach App Store Connect until a key is registered again.";
  } else {
    try {
      nextKey = findKey(list.keys, next);
    } catch {
      return undefined;
    }
    after = ` LingCode will use "${nextKey.name}" next.`;
  }
  if (target.unreadable) {
    return {
      style: Action.Style.Destructive,
      message: `Remove the unreadable LingCode key entry from the Keychain?${after}`,
    };
  }
  const key = target.key!;
  return {
    style: Action.Style.Destructive,
    message: `Remove ${named(key)} from the Keychain?${after}`,
    info: [
      { name: "Key ID", value: key.keyId },
      { name: "Name", value: key.name },
      ...(nextKey ? [{ name: "LingCode Uses Next", value: `${nextKey.name} (Key ID ${nextKey.keyId})` }] : []),
    ],
  };
};

/**
 * Removes a saved App Store Connect API key from the Keychain: the key LingCode uses, or another saved key by name or
 * Key ID. Removing the key LingCode uses while other keys are saved needs `next` (a saved key, or "none"); without it
 * nothing is removed and the answer lists the saved keys to ask the user about. The key keeps working at Apple until
 * it is revoked on the Team Keys page; say so.
 */
export default async function tool(input: Input = {}) {
  let removal;
  try {
    removal = await removeKey(keyStore(), {
      key: input.key,
      next: input.next === undefined ? undefined : parseNext(input.next),
    });
  } catch (error) {
    if (!(error instanceof AscKeyError)) throw error;
    if (error.code === "no-key") return { removed: false, sentence: NOT_CONFIGURED_SENTENCE };
    const answer: { removed: false; reason: string; needsNext?: true; savedKeys?: string } = {
      removed: false,
      reason: describeError(error),
    };
    if (error.code === "next-key-needed") answer.needsNext = true;
    if (error.code === "next-key-needed" || error.code.startsWith("key-")) {
      answer.savedKeys = namesOf((await listKeys(keyStore(), { entry: false }).catch(() => ({ keys: [] }))).keys);
    }
    return answer;
  }
  if (!removal.removed) return { removed: false, sentence: NOT_CONFIGURED_SENTENCE };
  if (removal.wasActive) {
    const next = removal.next;
    await bestEffort(async () => {
      if (next) await rememberSavedKey(next);
      else await forgetSavedKey();
      await refreshLauncherSubtitle();
    });
  }
  const { previous, next } = removal;
  const what = previous ? `key ${previous.keyId} ("${previous.name}")` : "the key";
  const after = next ? ` LingCode now uses "${next.name}" (Key ID ${next.keyId}).` : "";
  return {
    removed: true,
    keyId: previous?.keyId,
    name: previous?.name,
    lingCodeUses: next === undefined ? undefined : next === null ? null : { name: next.name, keyId: next.keyId },
    revokeAt: TEAM_KEYS_URL,
    sentence: `Removed ${what} from the Keychain; revoke it on Team Keys if nobody needs it.${after}`,
  };
}
