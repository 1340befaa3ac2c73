import { Action, Tool } from "@raycast/api";
import { rememberActive } from "../helpers/launcher";
import { keyStore } from "../helpers/core";
import { TEAM_KEYS_URL } from "../lib/apple";
import { AscKeyError, describeError } from "../lib/errors";
import {
  keepsUsing,
  keepsWorkingAtApple,
  listKeys,
  namedKey,
  namesOf,
  nowUses,
  parseNext,
  planRemoval,
  removeKey,
  type RemovalPlan,
} from "../lib/keys";
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

/**
 * Asked before the removal, naming the key and what LingCode uses afterwards, from the core's own plan of it. No
 * confirmation when the removal would be refused or remove nothing: no key, a name or Key ID that means no key, or
 * the key LingCode uses with other keys saved and no `next` given (the tool then says why, or asks which key
 * LingCode should use next).
 */
/** The core's refusals: the tool itself answers with their reason, so nothing is asked. */
function isRefusal(code: string): boolean {
  return ["no-key", "next-key-needed", "choice-invalid", "record-corrupt"].includes(code) || code.startsWith("key-");
}

export const confirmation: Tool.Confirmation<Input> = async (input = {}) => {
  let plan: RemovalPlan;
  try {
    plan = await planRemoval(keyStore(), {
      key: input.key,
      next: input.next === undefined ? undefined : parseNext(input.next),
    });
  } catch (error) {
    if (error instanceof AscKeyError && isRefusal(error.code)) return undefined;
    throw error;
  }
  if (!plan.removes) return undefined;
  if (plan.strayItem !== undefined) {
    return {
      style: Action.Style.Destructive,
      message: `Remove the saved item of key ${plan.strayItem}, which the list of saved keys lost, from the Keychain?`,
      info: [{ name: "Key ID", value: plan.strayItem }],
    };
  }
  let after = "";
  if (!plan.wasActive) {
    after = plan.kept ? ` ${keepsUsing(plan.kept)}.` : "";
  } else if (plan.next === null) {
    after = " LingCode can't reach App Store Connect until a key is registered again.";
  } else if (plan.next) {
    after = ` LingCode will use "${plan.next.name}" next.`;
  }
  const key = plan.target;
  if (!key) {
    return {
      style: Action.Style.Destructive,
      message: `Remove the unreadable LingCode key entry from the Keychain?${after}`,
    };
  }
  const nextKey = plan.next;
  return {
    style: Action.Style.Destructive,
    message: `Remove ${namedKey(key)} from the Keychain?${after}`,
    info: [
      { name: "Key ID", value: key.keyId },
      { name: "Name", value: key.name },
      ...(nextKey ? [{ name: "LingCode Uses Next", value: namedKey(nextKey) }] : []),
    ],
  };
};

/**
 * Removes a saved App Store Connect API key from the Keychain: the key LingCode uses, or another saved key by name or
 * Key ID. Removing the key LingCode uses while other keys are saved needs `next` (a saved key, or "none"); without it
 * nothing is removed and the answer lists the saved keys to ask the user about. Removing it here does not revoke it:
 * Apple accepts it until it is revoked on the Team Keys page; the answer says so.
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
    await rememberActive(removal.next ?? null);
  }
  const { previous, next } = removal;
  const what = previous ? namedKey(previous) : "the key";
  const after = next ? ` ${nowUses(next)}.` : "";
  return {
    removed: true,
    keyId: previous?.keyId,
    name: previous?.name,
    lingCodeUses: next === undefined ? undefined : next === null ? null : { name: next.name, keyId: next.keyId },
    revokeAt: TEAM_KEYS_URL,
    sentence: `Removed ${what} from the Keychain; ${keepsWorkingAtApple("it")}.${after}`,
  };
}
