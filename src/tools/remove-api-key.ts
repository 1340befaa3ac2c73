import { Action, Tool } from "@raycast/api";
import { refreshLauncherSubtitle } from "../helpers/launcher";
import { bestEffort, forgetSavedKey } from "../helpers/local-storage";
import { keyStore } from "../helpers/core";
import { TEAM_KEYS_URL } from "../lib/asc-client";
import { describeError, isUnreadableEntry } from "../lib/errors";
import { readStatus, removeSavedKey } from "../lib/pipeline";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";

export const confirmation: Tool.Confirmation<Record<string, never>> = async () => {
  let status;
  try {
    ({ status } = await readStatus(keyStore()));
  } catch (error) {
    // An unreadable entry can still be removed (the tool does), but not without asking.
    if (!isUnreadableEntry(error)) throw error;
    return {
      style: Action.Style.Destructive,
      message: `Remove the unreadable LingCode key entry from the Keychain? ${describeError(error)}`,
    };
  }
  if (!status.configured) return undefined;
  return {
    style: Action.Style.Destructive,
    message: `Remove key ${status.keyId} from the Keychain? LingCode can't reach App Store Connect until a key is registered again.`,
    info: [{ name: "Key ID", value: status.keyId }],
  };
};

/**
 * Removes the saved App Store Connect API key from the Keychain. The key keeps working at Apple until it is
 * revoked on the Team Keys page; say so.
 */
export default async function tool() {
  const { removed, previous } = await removeSavedKey(keyStore());
  await bestEffort(async () => {
    await forgetSavedKey();
    await refreshLauncherSubtitle();
  });
  if (!removed) return { removed: false, sentence: NOT_CONFIGURED_SENTENCE };
  return {
    removed: true,
    keyId: previous?.keyId,
    revokeAt: TEAM_KEYS_URL,
    sentence: `Removed${previous ? ` key ${previous.keyId}` : " the key"} from the Keychain; revoke it on Team Keys if nobody needs it.`,
  };
}
