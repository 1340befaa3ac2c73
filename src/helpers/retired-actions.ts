import { Alert, confirmAlert, showToast, Toast } from "@raycast/api";
import { describeError, isAscKeyError } from "../lib/errors";
import { checkRetiredKeys, forgetRetiredKey, stillWorkingNote, type RetiredKeyView } from "../lib/keys";
import { appleOptions, keyStore } from "./core";
import { dismissKeyToRevoke, readKeyToRevoke } from "./local-storage";
import { rememberRetiredNote } from "./retired";
import { verifyAndRemember } from "./verify";

/**
 * Check Again: the key LingCode uses, then each retired key not yet proven revoked (one request each). The toast
 * says what became of `keyId`. Returns false when nothing could be checked.
 */
export async function checkRetiredAgain(keyId: string): Promise<boolean> {
  const toast = await showToast({ style: Toast.Style.Animated, title: `Asking Apple About Key ${keyId}…` });
  const store = keyStore();
  try {
    let current;
    try {
      current = (await verifyAndRemember({ refreshLauncher: false })).check;
    } catch (error) {
      if (!isAscKeyError(error, "no-key")) throw error;
    }
    const retired = await checkRetiredKeys(store, current, appleOptions());
    await rememberRetiredNote(stillWorkingNote(retired));
    const found = retired.find((key) => key.keyId === keyId);
    toast.style = found?.state.state === "still-works" ? Toast.Style.Failure : Toast.Style.Success;
    toast.title = found?.sentence ?? `Key ${keyId} is no longer kept`;
    toast.message = found?.note;
    return true;
  } catch (error) {
    toast.style = Toast.Style.Failure;
    toast.title = "Couldn't Check the Old Key";
    toast.message = describeError(error);
    return false;
  }
}

/**
 * Forget Without Proof… (confirmed, destructive): deletes a retired key's material for a user who cannot revoke it;
 * for a revoked key, Dismiss drops its sentence (no question). Returns true when something was removed.
 */
export async function forgetRetired(key: RetiredKeyView): Promise<boolean> {
  const revoked = key.state.state === "revoked";
  if (!revoked) {
    const confirmed = await confirmAlert({
      title: `Forget Key ${key.keyId} Without Proof?`,
      message:
        "Its material is deleted from the Keychain, and nothing can tell afterwards whether it still works at Apple. Revoke it on Team Keys if you can.",
      primaryAction: { title: "Forget Without Proof", style: Alert.ActionStyle.Destructive },
    });
    if (!confirmed) return false;
  }
  try {
    await forgetRetiredKey(keyStore(), key.keyId);
    // The old reminder about this key goes with it.
    if ((await readKeyToRevoke())?.keyId === key.keyId) await dismissKeyToRevoke();
    await showToast({
      style: Toast.Style.Success,
      title: revoked ? `Dismissed Key ${key.keyId}` : `Forgot Key ${key.keyId} Without Proof`,
    });
    return true;
  } catch (error) {
    await showToast({
      style: Toast.Style.Failure,
      title: "Couldn't Forget the Old Key",
      message: describeError(error),
    });
    return false;
  }
}
