import { environment, LaunchProps, LaunchType, showHUD, updateCommandMetadata } from "@raycast/api";
import { readChecks, saveCheck } from "./helpers/memory";
import { appleOptions, keyStore } from "./helpers/core";
import { checkSubtitle, failedCheckSubtitle } from "./lib/check-summary";
import { describeError, isAscKeyError } from "./lib/errors";
import { readStatus, verifySavedKey } from "./lib/pipeline";
import { NOT_CONFIGURED_SENTENCE } from "./lib/status";

interface CheckContext {
  /** Rewrite the subtitle from what is remembered, without asking Apple (sent after a registration or a check). */
  fromMemory?: boolean;
}

/**
 * Check API Key: twice a day in the background (and on demand), one request to Apple, the answer written into
 * this command's subtitle in root search so "is my key still good?" is answered before anything is opened.
 */
export default async function Command(props: LaunchProps<{ launchContext: CheckContext }>) {
  const store = keyStore();
  const fromMemory = props.launchContext?.fromMemory === true;
  const userInitiated = environment.launchType === LaunchType.UserInitiated;
  let keyId: string | undefined;
  let message: string | undefined;
  try {
    if (fromMemory) {
      const { status } = await readStatus(store);
      keyId = status.configured ? status.keyId : undefined;
    } else {
      const { summary, check } = await verifySavedKey(store, appleOptions());
      keyId = summary.keyId;
      message = (await saveCheck(keyId, check)).message;
    }
  } catch (error) {
    if (!isAscKeyError(error, "no-key")) {
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
  if (userInitiated && !fromMemory) await showHUD(message ?? (keyId ? subtitle : NOT_CONFIGURED_SENTENCE));
}
