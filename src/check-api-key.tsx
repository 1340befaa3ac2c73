import { environment, LaunchProps, LaunchType, showHUD, updateCommandMetadata } from "@raycast/api";
import { appleOptions, keyStore } from "./helpers/core";
import {
  readChecks,
  readRememberedEntry,
  rememberSavedKey,
  rememberUnreadableEntry,
  rememberVerification,
} from "./helpers/local-storage";
import { checkSubtitle, failedCheckSubtitle, UNREADABLE_ENTRY_SUBTITLE } from "./lib/check-summary";
import { describeError, isAscKeyError, isUnreadableEntry } from "./lib/errors";
import { verifySavedKey } from "./lib/pipeline";
import { acceptedAtLastCheck } from "./helpers/last-check";
import { NOT_CONFIGURED_SENTENCE } from "./lib/status";

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
 * is opened.
 */
export default async function Command(props: LaunchProps<{ launchContext: CheckContext }>) {
  if (props.launchContext?.fromLocalStorage === true) {
    await updateCommandMetadata({ subtitle: await subtitleFromLocalStorage() });
    return;
  }
  const userInitiated = environment.launchType === LaunchType.UserInitiated;
  let keyId: string | undefined;
  let message: string | undefined;
  try {
    const wasValid = await acceptedAtLastCheck();
    const { summary, check } = await verifySavedKey(keyStore(), { ...appleOptions(), wasValid });
    keyId = summary.keyId;
    message = (await rememberVerification(summary, check)).message;
  } catch (error) {
    if (isAscKeyError(error, "no-key")) {
      await rememberSavedKey({ configured: false });
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
  const subtitle = checkSubtitle(keyId, latest, lastConclusive);
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
