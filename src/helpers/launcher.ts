import { launchCommand, LaunchType } from "@raycast/api";
import type { SavedKeySummary } from "../lib/keys";
import { bestEffort, forgetSavedKey, rememberSavedKey } from "./local-storage";

/**
 * After LingCode's entry changed: remember which key it holds (null: none), and let the launcher subtitle say so.
 * Best effort: the Keychain already changed, whatever LocalStorage does.
 */
export async function rememberActive(summary: SavedKeySummary | null): Promise<void> {
  await bestEffort(async () => {
    if (summary) await rememberSavedKey(summary);
    else await forgetSavedKey();
    await refreshLauncherSubtitle();
  });
}

/**
 * Asks the Check API Key command to rewrite its subtitle in root search from what is remembered, without a
 * request to Apple (a command can only update its own metadata). Quiet if that command is disabled.
 */
export async function refreshLauncherSubtitle(): Promise<void> {
  try {
    await launchCommand({ name: "check-api-key", type: LaunchType.Background, context: { fromLocalStorage: true } });
  } catch {
    // The command may be disabled by the user; the subtitle then simply isn't shown.
  }
}
