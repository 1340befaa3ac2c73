import { launchCommand, LaunchType } from "@raycast/api";

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
