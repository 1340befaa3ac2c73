import { showToast, Toast } from "@raycast/api";
import { AscKeyError, describeError, type ErrorCode } from "../lib/errors";

/**
 * A failure that was a Keychain dialog, not the action itself: the toast's title names the dialog (denied or
 * dismissed, or one that cannot be shown here), and the message says what to do.
 */
const DIALOG_TITLE: Readonly<Partial<Record<ErrorCode, string>>> = {
  "keychain-update-denied": "Keychain Dialog Denied: Nothing Changed",
  "keychain-update-unconfirmable": "Keychain Dialog Cannot Be Shown Here: Nothing Changed",
};

/**
 * The one way the extension says that something failed: a failure toast whose title says what failed (or which
 * Keychain dialog stopped it, DIALOG_TITLE) and whose message says why, in describeError's words (an AscKeyError's
 * one line; any other error a fixed sentence, never its text, so no key material reaches a toast). With `toast`, the toast already showing the action's progress turns
 * into the failure; without, a new one is shown.
 */
export async function showFailure(action: string, error: unknown, toast?: Toast): Promise<void> {
  const message = describeError(error);
  const title = (error instanceof AscKeyError ? DIALOG_TITLE[error.code] : undefined) ?? action;
  if (!toast) {
    await showToast({ style: Toast.Style.Failure, title, message });
    return;
  }
  toast.style = Toast.Style.Failure;
  toast.title = title;
  toast.message = message;
}
