import { Alert, confirmAlert, open, showToast, Toast, trash } from "@raycast/api";
import { TEAM_KEYS_URL } from "../lib/asc-client";
import { describeError, isAscKeyError, refusedInput } from "../lib/errors";
import {
  AppleCheckError,
  planRegistration,
  prepareKey,
  registerKey,
  type KeyInput,
  type PreparedKey,
  type Registration,
  type RegistrationChoices,
  type RegistrationPlan,
  type RegistrationStep,
} from "../lib/pipeline";
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

export type FormField = "issuerId" | "keyId" | "p8" | "name";

/** Which form field an error from the key model belongs to (the form has no key type to get wrong). */
export function fieldOfError(error: unknown): FormField | undefined {
  const field = refusedInput(error);
  return field === "kind" ? undefined : field;
}

export interface SubmitOptions {
  verify: boolean;
  trashAfter: boolean;
  /** Called with a field's reason when the input is refused (the form shows it inline). */
  onFieldError: (field: FormField, message: string) => void;
  /** The name to save the key under; empty or left out: the rotated key's, else one made from the key. */
  name?: string;
  /**
   * Whether LingCode uses the new key (ignored when rotating: the new key takes the old one's place); left out, the
   * core's default (RegistrationPlan.useByDefault), as the Import Keys view leaves it.
   */
  use?: boolean;
  /** Rotate Key…: the saved key the new one replaces, taking its name and place (then revoke the old one). */
  rotate?: { keyId: string; name?: string };
  /** Called once the key is saved: on submit, or later through the toast's "Save Without Verifying". */
  onRegistered?: (registration: Registration) => void;
}

/**
 * The form's submit: validate, plan the registration and confirm what it replaces or switches, naming the keys, then
 * one animated toast through reading, checking with Apple and saving. Returns the registration, or undefined when
 * nothing was saved.
 */
export async function submitRegistration(input: KeyInput, options: SubmitOptions): Promise<Registration | undefined> {
  // One toast for the whole operation, shown before the first slow step (the Keychain may wait for an unlock).
  const toast = await showToast({ style: Toast.Style.Animated, title: STEP_TITLES.reading });
  const choices = choicesOf(options);
  let prepared: PreparedKey;
  let plan: RegistrationPlan;
  try {
    prepared = await prepareKey(input);
    // The question is asked from the core's own plan, the one the AI tool confirms too; registerKey plans again
    // after the answer, as a dialog can stay open for minutes.
    plan = await planRegistration(prepared, keyStore(), choices);
  } catch (error) {
    const field = fieldOfError(error);
    if (field) options.onFieldError(field, describeError(error));
    toast.style = Toast.Style.Failure;
    toast.title = "Key Not Saved";
    toast.message = describeError(error);
    return undefined;
  }

  if (!(await confirmPlan(prepared, plan, options, toast))) return undefined;
  return save(prepared, input.p8Path, choices, options, toast);
}

/** What the form's fields choose: the name, LingCode's use of the key (a rotation keeps the old key's place). */
function choicesOf(options: SubmitOptions): RegistrationChoices {
  return {
    name: options.name?.trim() || undefined,
    use: options.rotate ? undefined : options.use,
    rotates: options.rotate?.keyId,
  };
}

/**
 * Asks before anything leaves the Keychain or LingCode changes keys: a rotation (the old key is removed), a key with
 * the Key ID of a saved key but other key material (it takes its place), or LingCode switching to the new key (the
 * old one stays saved). False when the user said no.
 */
async function confirmPlan(prepared: PreparedKey, plan: RegistrationPlan, options: SubmitOptions, toast: Toast) {
  const alert = questionOf(prepared.record.keyId, plan, options.rotate);
  if (!alert) return true;
  await toast.hide();
  const confirmed = await confirmAlert({
    title: alert.title,
    message: alert.message,
    primaryAction: { title: alert.primary, style: alert.destructive ? Alert.ActionStyle.Destructive : undefined },
  });
  if (confirmed) await toast.show();
  return confirmed;
}

function questionOf(
  newId: string,
  plan: RegistrationPlan,
  rotate: SubmitOptions["rotate"],
): { title: string; message: string; primary: string; destructive: boolean } | undefined {
  const replaces = plan.replaces;
  if (replaces?.why === "rotation") {
    // Named as the caller names it: API Keys by its name, API Key Status by its Key ID.
    const named = rotate?.name ? `"${rotate.name}" (Key ${replaces.keyId})` : `Key ${replaces.keyId}`;
    return {
      title: `Rotate ${named}?`,
      message: `Key ${newId} takes its name and place in the Keychain. Key ${replaces.keyId} keeps working at Apple until you revoke it on Team Keys.`,
      primary: "Rotate",
      destructive: true,
    };
  }
  if (replaces) {
    const switches = plan.use && !replaces.active ? " LingCode will use it." : "";
    return {
      title: `Replace Key ${replaces.keyId} with a Different Key?`,
      message: `The chosen .p8 is not the key saved as ${replaces.keyId}${replaces.active ? "" : ` ("${replaces.name}")`} (fingerprints differ). Key ${newId} will take its place in the Keychain.${switches}`,
      primary: "Replace",
      destructive: true,
    };
  }
  if (plan.use && plan.current && plan.current.keyId !== newId) {
    return {
      title: `Use Key ${newId} for LingCode?`,
      message: `LingCode uses key ${plan.current.keyId} now. It stays saved: API Keys switches back in one step.`,
      primary: `Use Key ${newId}`,
      destructive: false,
    };
  }
  return undefined;
}

async function save(
  prepared: PreparedKey,
  p8Path: string | undefined,
  choices: RegistrationChoices,
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
      ...choices,
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
          void save(prepared, p8Path, choices, { ...options, verify: false }, toast);
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
  const finished = await finishRegistration(prepared, registration);
  await afterSave(registration, finished, p8Path, options, toast);
  options.onRegistered?.(registration);
  return registration;
}

/**
 * What the form and the AI tool do once a key is saved, besides telling the user: the privilege probe after a valid
 * check (its warning), then rememberRegistration, best effort (a note when LocalStorage failed).
 */
export async function finishRegistration(
  prepared: PreparedKey,
  registration: Registration,
): Promise<{ privilege?: string; notRemembered?: string }> {
  const privilege = await privilegeWarningAfterRegistration(prepared.record, registration.check, appleOptions());
  const remembered = await bestEffort(() => rememberRegistration(registration));
  return {
    privilege,
    notRemembered: remembered
      ? undefined
      : "The check's answer could not be remembered; Verify with Apple shows it again.",
  };
}

/**
 * What every registration leaves behind besides the Keychain: when LingCode uses the key, its summary and the
 * check's answer; the replaced Key ID to revoke; and a fresh launcher subtitle (from LocalStorage: no Keychain read).
 */
async function rememberRegistration(registration: Registration): Promise<void> {
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
  finished: { privilege?: string; notRemembered?: string },
  p8Path: string | undefined,
  options: SubmitOptions,
  toast: Toast,
) {
  const { check } = registration;
  const notes: string[] = [`Fingerprint ${registration.fingerprint}`];
  if (!check) notes.push("Not verified with Apple.");
  else if (check.outcome !== "valid") notes.push(check.message);
  if (finished.privilege) notes.push(finished.privilege);
  if (registration.switchedFrom) notes.push(`"${registration.switchedFrom.name}" stays saved.`);
  if (registration.inUse)
    notes.push(`Saved as "${registration.name}"; LingCode keeps using "${registration.inUse.name}".`);
  notes.push(...registration.warnings);
  if (finished.notRemembered) notes.push(finished.notRemembered);
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
