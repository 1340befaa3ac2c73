import { Alert, Clipboard, confirmAlert, open, showHUD, showToast, Toast } from "@raycast/api";
import { describeError } from "../lib/errors";
import { OUTCOME, TEAM_KEYS_URL } from "../lib/outcomes";
import { mintSavedToken, removeSavedKey, verifySavedKey, type Verification } from "../lib/pipeline";
import { decodeTokenClaims, DEFAULT_TTL_SECONDS } from "../lib/token";
import { refreshLauncherSubtitle } from "./launcher";
import { bestEffort, forgetSavedKey, rememberVerification } from "./local-storage";
import { appleOptions, keyStore } from "./core";

/**
 * Verify with Apple: one Keychain read and one request, one toast, the answer remembered for the status view and the
 * launcher. Returns what was checked (the key as just read, and Apple's answer), or undefined when the Keychain
 * gave no key.
 */
export async function verifyWithToast(keyId: string): Promise<Verification | undefined> {
  const toast = await showToast({ style: Toast.Style.Animated, title: `Checking Key ${keyId} with Apple…` });
  let verification: Verification;
  try {
    verification = await verifySavedKey(keyStore(), appleOptions());
  } catch (error) {
    toast.style = Toast.Style.Failure;
    toast.title = "Couldn't Check the Key";
    toast.message = describeError(error);
    return undefined;
  }
  const { summary, check } = verification;
  const facts = OUTCOME[check.outcome];
  toast.style = facts.usable ? Toast.Style.Success : Toast.Style.Failure;
  toast.title = facts.toastTitle;
  toast.message = check.message;
  if (check.outcome === "rejected") {
    toast.primaryAction = { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) };
  }
  await bestEffort(async () => {
    await rememberVerification(summary, check);
    await refreshLauncherSubtitle();
  });
  return verification;
}

/** Copies a fresh 10-minute token, concealed so it stays out of clipboard history. */
export async function copyToken(keyId: string): Promise<void> {
  try {
    const token = await mintSavedToken(keyStore(), { ttlSeconds: DEFAULT_TTL_SECONDS, reuse: false });
    await Clipboard.copy(token, { concealed: true });
    const { expiresAt } = decodeTokenClaims(token);
    const until = new Date(expiresAt * 1000).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    await showHUD(`Copied a token for key ${keyId}, valid until ${until}`);
  } catch (error) {
    await showToast({ style: Toast.Style.Failure, title: "Couldn't Make a Token", message: describeError(error) });
  }
}

/**
 * Remove Key: confirmed, then the Keychain entry is deleted. Without a Key ID it removes an entry that can't be
 * read. Returns true when something was removed.
 */
export async function removeWithConfirmation(keyId: string | undefined): Promise<boolean> {
  const what = keyId ? `Key ${keyId}` : "the Unreadable Key Entry";
  const confirmed = await confirmAlert({
    title: `Remove ${what}?`,
    message: keyId
      ? "LingCode can't reach App Store Connect until you register a key again. The key itself keeps working at Apple until you revoke it on Team Keys."
      : "The entry can't be used as it is. LingCode can't reach App Store Connect until you register a key again.",
    primaryAction: { title: "Remove", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return false;
  const toast = await showToast({ style: Toast.Style.Animated, title: `Removing ${what}…` });
  let removed: boolean;
  try {
    ({ removed } = await removeSavedKey(keyStore()));
  } catch (error) {
    toast.style = Toast.Style.Failure;
    toast.title = "Couldn't Remove the Key";
    toast.message = describeError(error);
    return false;
  }
  toast.style = Toast.Style.Success;
  toast.title = removed ? `Removed ${what} From the Keychain` : "No Key Was Saved";
  toast.message = removed && keyId ? `Revoke ${keyId} on Team Keys if nobody needs it.` : undefined;
  toast.primaryAction = removed && keyId ? { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) } : undefined;
  await bestEffort(async () => {
    await forgetSavedKey();
    await refreshLauncherSubtitle();
  });
  return removed;
}
