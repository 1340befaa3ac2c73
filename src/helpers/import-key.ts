import { Alert, confirmAlert, showToast, Toast } from "@raycast/api";
import path from "node:path";
import { withIssuerId, type KeyCandidate } from "../lib/import";
import type { Registration } from "../lib/keys";
import { printable } from "../lib/text";
import { submitRegistration } from "./register";
import { moveKeyFilesToTrash } from "./trash";

/**
 * Imports one candidate through the register form's own submit: the same plan and question (a key with a saved Key
 * ID but other key material asks first), the same check with Apple, name and "Use for LingCode" rules (`use` left out:
 * the core's default). `issuerId` completes a folder's .p8. Calls `onImported` once the key is saved.
 */
export async function importCandidate(
  candidate: KeyCandidate,
  options: { issuerId?: string; use?: boolean; onImported: (registration: Registration) => void },
): Promise<void> {
  const prepared = candidate.prepared ?? (await withIssuerId(candidate, options.issuerId ?? ""));
  const { record } = prepared;
  await submitRegistration(
    { kind: record.kind, issuerId: record.issuerId, keyId: record.keyId, p8Text: record.privateKey },
    {
      verify: true,
      trashAfter: false,
      use: options.use,
      // The view has no fields: the toast carries the reason.
      onFieldError: () => undefined,
      onRegistered: options.onImported,
    },
  );
}

/**
 * After an import from a file: the file still holds the key in clear (a fastlane JSON, a .p8, the .p8 an eas.json
 * names in its project), so offer to move it to the Trash (a link's file too), saying `afterImport` too when the source
 * has more to say (eas.json: how its profile can point at the saved key). True when it was moved.
 */
export async function offerToTrash(file: string, afterImport?: string): Promise<boolean> {
  const name = printable(path.basename(file));
  const confirmed = await confirmAlert({
    title: `Move ${name} to the Trash?`,
    message: ["It holds the private key in clear, and the key is now in the Keychain.", afterImport]
      .filter(Boolean)
      .join(" "),
    primaryAction: { title: "Move to Trash", style: Alert.ActionStyle.Destructive },
    dismissAction: { title: "Keep It" },
  });
  if (!confirmed) return false;
  try {
    await moveKeyFilesToTrash([file]);
    return true;
  } catch {
    await showToast({
      style: Toast.Style.Failure,
      title: `Couldn't Move ${name} to the Trash`,
      message: "Delete it yourself: it holds the private key.",
    });
    return false;
  }
}
