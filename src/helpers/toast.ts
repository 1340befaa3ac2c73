import { showToast, Toast } from "@raycast/api";
import { describeError } from "../lib/errors";

/**
 * The one way the extension says that something failed: a failure toast whose title says what failed and whose
 * message says why, in describeError's words (an AscKeyError's one line; any other error a fixed sentence, never its
 * text, so no key material reaches a toast). With `toast`, the toast already showing the action's progress turns
 * into the failure; without, a new one is shown.
 */
export async function showFailure(title: string, error: unknown, toast?: Toast): Promise<void> {
  const message = describeError(error);
  if (!toast) {
    await showToast({ style: Toast.Style.Failure, title, message });
    return;
  }
  toast.style = Toast.Style.Failure;
  toast.title = title;
  toast.message = message;
}
