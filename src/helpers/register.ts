import { Alert, confirmAlert, open, showToast, Toast, trash } from "@raycast/api";
import { TEAM_KEYS_URL } from "../lib/asc-client";
import { describeError, isAscKeyError, refusedInput } from "../lib/errors";
import {
  AppleCheckError,
  isDifferentKey,
  prepareKey,
  readPreviousForReplace,
  registerKey,
  type KeyInput,
  type PreparedKey,
  type Registration,
  type RegistrationStep,
} from "../lib/pipeline";
import type { KeySummary } from "../lib/status";
import { privilegeWarningAfterRegistration } from "../lib/capabilities";
import { resolveTrashTargets } from "../lib/trash";
import { refreshLauncherSubtitle } from "./launcher";
import { bestEffort, rememberKeyToRevoke, rememberSavedKey, saveCheck } from "./local-storage";
import { appleOptions, keyStore } from "./core";

const STEP_TITLES: Record<RegistrationStep, string> = {
  reading: "Reading the Key…",
  checking: "Checking with Apple…",
  saving: "Saving to the Keychain…",
};

/** Which form field an error from the key model belongs to (the form has no key type or name field to get wrong yet). */
export function fieldOfError(error: unknown): "issuerId" | "keyId" | "p8" | undefined {
  const field = refusedInput(error);
  return field === "kind" || field === "name" ? undefined : field;
}

export interface SubmitOptions {
  verify: boolean;
  trashAfter: boolean;
  /** Called with a field's reason when the input is refused (the form shows it inline). */
  onFieldError: (field: "issuerId" | "keyId" | "p8", message: string) => void;
  /** Called once the key is saved: on submit, or later through the toast's "Save Without Verifying". */
  onRegistered?: (registration: Registration) => void;
}

/**
 * The form's submit: validate, confirm a replacement naming both Key IDs, then one animated toast through
 * reading, checking with Apple and saving. Returns the registration, or undefined when nothing was saved.
 */
export async function submitRegistration(input: KeyInput, options: SubmitOptions): Promise<Registration | undefined> {
  // One toast for the whole operation, shown before the first slow step (the Keychain may wait for an unlock).
  const toast = await showToast({ style: Toast.Style.Animated, title: STEP_TITLES.reading });
  let prepared: PreparedKey;
  let previous: KeySummary | undefined;
  try {
    prepared = await prepareKey(input);
    previous = await readPreviousForReplace(keyStore());
  } catch (error) {
    const field = fieldOfError(error);
    if (field) options.onFieldError(field, describeError(error));
    toast.style = Toast.Style.Failure;
    toast.title = "Key Not Saved";
    toast.message = describeError(error);
    return undefined;
  }

  if (previous && isDifferentKey(previous, { keyId: prepared.record.keyId, fingerprint: prepared.fingerprint })) {
    const sameId = previous.keyId === prepared.record.keyId;
    await toast.hide();
    const confirmed = await confirmAlert({
      title: sameId ? `Replace Key ${previous.keyId} with a Different Key?` : `Replace Key ${previous.keyId}?`,
      message: sameId
        ? `The chosen .p8 is not the key saved as ${previous.keyId} (fingerprints differ). Key ${prepared.record.keyId} will take its place in the Keychain.`
        : `Key ${prepared.record.keyId} will take its place in the Keychain. Key ${previous.keyId} keeps working until you revoke it on Team Keys.`,
      primaryAction: { title: "Replace", style: Alert.ActionStyle.Destructive },
    });
    if (!confirmed) return undefined;
    await toast.show();
  }

  return save(prepared, input.p8Path, previous ?? null, options, toast);
}

async function save(
  prepared: PreparedKey,
  p8Path: string | undefined,
  previous: KeySummary | null,
  options: SubmitOptions,
  toast: Toast,
): Promise<Registration | undefined> {
  let registration: Registration;
  try {
    toast.style = Toast.Style.Animated;
    toast.message = undefined;
    toast.primaryAction = undefined;
    registration = await registerKey(prepared, {
      store: keyStore(),
      // Until the form asks for a name and whether LingCode should use the key, a confirmed replacement of LingCode's
      // key is a rotation: the new key takes its name and place, and the old one is removed (revoke it).
      rotates:
        previous && isDifferentKey(previous, { keyId: prepared.record.keyId, fingerprint: prepared.fingerprint })
          ? previous.keyId
          : undefined,
      verify: options.verify,
      check: appleOptions(),
      onStep: (step) => {
        toast.title = STEP_TITLES[step];
      },
    });
  } catch (error) {
    if (error instanceof AppleCheckError && error.code === "apple-rejected") {
      toast.style = Toast.Style.Failure;
      toast.title = "Apple Rejected the Key: Nothing Saved";
      toast.message = error.message;
      toast.primaryAction = { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) };
    } else if (error instanceof AppleCheckError) {
      toast.style = Toast.Style.Failure;
      toast.title = "Couldn't Check with Apple: Nothing Saved";
      toast.message = error.message;
      toast.primaryAction = {
        title: "Save Without Verifying",
        onAction: () => {
          void save(prepared, p8Path, previous, { ...options, verify: false }, toast);
        },
      };
    } else if (isAscKeyError(error, "keychain-mismatch")) {
      // Something was written, but not (only) this key: never claim either way without looking.
      toast.style = Toast.Style.Failure;
      toast.title = "Saved Key Differs: Check It";
      toast.message = describeError(error);
    } else {
      toast.style = Toast.Style.Failure;
      toast.title = "Key Not Saved";
      toast.message = describeError(error);
    }
    return undefined;
  }
  // The key is saved from here on: nothing below may report otherwise.
  if (registration.check?.outcome === "valid") toast.title = "Checking What the Key Can Do…";
  const privilege = await privilegeWarningAfterRegistration(prepared.record, registration.check, appleOptions());
  await afterSave(registration, privilege, p8Path, options, toast);
  options.onRegistered?.(registration);
  return registration;
}

/**
 * What every registration leaves behind besides the Keychain: when LingCode uses the key, its summary and the
 * check's answer; the replaced Key ID to revoke; and a fresh launcher subtitle (from LocalStorage: no Keychain read).
 * Shared by the form and the AI tool.
 */
export async function rememberRegistration(registration: Registration): Promise<void> {
  // What is remembered about "the saved key" and its last check is about the key LingCode uses: a key only saved
  // beside it changes neither.
  if (registration.active) {
    await rememberSavedKey(registration.summary);
    if (registration.check) await saveCheck(registration.summary.keyId, registration.check);
  }
  if (registration.replaced) await rememberKeyToRevoke(registration.replaced.keyId, registration.summary.keyId);
  await refreshLauncherSubtitle();
}

async function afterSave(
  registration: Registration,
  privilegeWarning: string | undefined,
  p8Path: string | undefined,
  options: SubmitOptions,
  toast: Toast,
) {
  const { check } = registration;
  const notes: string[] = [`Fingerprint ${registration.fingerprint}`];
  if (!check) notes.push("Not verified with Apple.");
  else if (check.outcome !== "valid") notes.push(check.message);
  if (privilegeWarning) notes.push(privilegeWarning);
  notes.push(...registration.warnings);
  if (!(await bestEffort(() => rememberRegistration(registration)))) {
    notes.push("The check's answer could not be remembered; Verify with Apple shows it again.");
  }
  if (options.trashAfter && p8Path) {
    try {
      // A link's file goes to the Trash too, not only the link (the key must not stay on disk).
      await trash(await resolveTrashTargets(p8Path));
      notes.push("The .p8 is in the Trash.");
    } catch {
      notes.push("The .p8 could not be moved to the Trash; delete it yourself.");
    }
  }
  toast.style = Toast.Style.Success;
  toast.title = registration.sentence;
  toast.message = notes.join(" ");
  toast.primaryAction = registration.replaced
    ? { title: `Revoke ${registration.replaced.keyId} on Team Keys`, onAction: () => open(TEAM_KEYS_URL) }
    : undefined;
}
