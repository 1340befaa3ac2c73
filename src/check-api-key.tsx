import { environment, LaunchProps, LaunchType, showHUD, updateCommandMetadata } from "@raycast/api";
import { keyStore } from "./helpers/core";
import { readChecks, readRememberedEntry, rememberSavedKey, rememberUnreadableEntry } from "./helpers/local-storage";
import { checkSubtitle, failedCheckSubtitle, UNREADABLE_ENTRY_SUBTITLE } from "./lib/apple";
import { describeError, isAscKeyError, isUnreadableEntry } from "./lib/errors";
import { verifyAndRemember } from "./helpers/verify";
import { NOT_CONFIGURED_SENTENCE } from "./lib/status";
import { checkRetiredAfter, withRetiredNote } from "./helpers/retired";

interface CheckContext {
  /**
   * Rewrite the subtitle from LocalStorage alone, without the Keychain or Apple (sent after a registration, a check
   * or a removal, which remembered what they did).
   */
  fromLocalStorage?: boolean;
}

/**
 * Check API Key: twice a day in the background (and on demand), one Keychain read and one request to Apple, the
 * answer written into this command's subtitle in root search so "is my key still good?" is answered before anything
 * is opened. Then one request per retired key not yet proven revoked; the subtitle says when one still works.
 */
export default async function Command(props: LaunchProps<{ launchContext: CheckContext }>) {
  if (props.launchContext?.fromLocalStorage === true) {
    await updateCommandMetadata({ subtitle: await withRetiredNote(await subtitleFromLocalStorage()) });
    return;
  }
  const userInitiated = environment.launchType === LaunchType.UserInitiated;
  let keyId: string | undefined;
  let message: string | undefined;
  const store = keyStore();
  try {
    // This command is the launcher: it writes its subtitle itself below.
    const { summary, check, remembered } = await verifyAndRemember({ refreshLauncher: false });
    keyId = summary.keyId;
    message = remembered?.message ?? check.message;
    // Then each retired key not yet proven revoked: one request each (docs/revocation.md).
    await checkRetiredAfter(store, check);
  } catch (error) {
    if (isAscKeyError(error, "no-key")) {
      await rememberSavedKey({ configured: false });
      await checkRetiredAfter(store, undefined);
    } else {
      if (isUnreadableEntry(error)) await rememberUnreadableEntry();
      // An unreadable entry, or a Keychain that did not answer (locked, denied): the subtitle says so, with the
      // last answer about the key when it is only the Keychain; never a stale "valid" standing alone.
      const { lastConclusive } = await readChecks();
      await updateCommandMetadata({ subtitle: failedCheckSubtitle(error, lastConclusive) });
      if (userInitiated) await showHUD(describeError(error));
      return;
    }
  }
  const { latest, lastConclusive } = await readChecks();
  const subtitle = await withRetiredNote(checkSubtitle(keyId, latest, lastConclusive));
  await updateCommandMetadata({ subtitle });
  if (userInitiated) await showHUD(message ?? (keyId ? subtitle : NOT_CONFIGURED_SENTENCE));
}

/** The subtitle from what the extension last saw and was told, without the Keychain or Apple. */
async function subtitleFromLocalStorage(): Promise<string> {
  const [entry, { latest, lastConclusive }] = await Promise.all([readRememberedEntry(), readChecks()]);
  switch (entry?.state) {
    case "key":
      return checkSubtitle(entry.summary.keyId, latest, lastConclusive);
    case "unreadable":
      return UNREADABLE_ENTRY_SUBTITLE;
    case "none":
      return checkSubtitle(undefined, latest, lastConclusive);
    default:
      return "Not checked yet";
  }
}
