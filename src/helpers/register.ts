import { Alert, confirmAlert, open, showToast, Toast } from "@raycast/api";
import os from "node:os";
import path from "node:path";
import { readKeyJsonIfAny, type JsonKey } from "../lib/import";
import { printable } from "../lib/text";
import { TEAM_KEYS_URL } from "../lib/apple";
import { describeError, isAscKeyError, refusedInput } from "../lib/errors";
import {
  AppleCheckError,
  applyRegistration,
  keepsUsing,
  keepsWorkingAtApple,
  namedKey,
  planRegistration,
  prepareKey,
  staysSaved,
  stepAfterReplacing,
  withChoices,
  type KeyInput,
  type Registration,
  type RegistrationChoices,
  type RegistrationPlan,
  type RegistrationStep,
} from "../lib/keys";
import { refreshLauncherSubtitle } from "./launcher";
import { bestEffort, rememberKeyToRevoke, rememberSavedKey, saveCheck } from "./local-storage";
import { appleOptions, keyStore } from "./core";
import { showFailure } from "./toast";
import { moveKeyFilesToTrash } from "./trash";

const STEP_TITLES: Record<RegistrationStep, string> = {
  reading: "Reading the Key…",
  checking: "Checking with Apple…",
  saving: "Saving to the Keychain…",
  probing: "Checking What the Key Can Do…",
};
type FormField = "issuerId" | "keyId" | "p8" | "name";

/** How long the form's plan is applied without a second look at the Keychain when no question is asked. */
const FRESH_PLAN_MS = 60_000;

/** Which form field an error from the key model belongs to (the form has no key type to get wrong). */
function fieldOfError(error: unknown): FormField | undefined {
  const field = refusedInput(error);
  return field === "kind" ? undefined : field;
}

interface SubmitOptions {
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
  /** The plan the form made for this very input when its fields became valid (its read is reused). */
  plan?: RegistrationPlan;
  /** When that plan's read was made (Date.now()). */
  planMadeAt?: number;
  /** The plan no longer held when it was applied (the saved keys changed meanwhile): plan again. */
  onOutdated?: () => void;
  /**
   * Apple rejected a team key but accepted it as an individual key, and the user chose "Save as Individual Key": the
   * form shows the key as Individual (the registration itself runs again as an individual key, no Issuer ID).
   */
  onIndividual?: () => void;
  /** Called once the key is saved: on submit, or later through the toast's "Save Without Verifying". */
  onRegistered?: (registration: Registration) => void;
}

/**
 * The form's submit: the registration's plan (the one the form made when its three fields became valid, with the
 * name and "Use for LingCode" as submitted; planned now if there is none), the question it needs, if any, then one
 * animated toast through checking with Apple and saving. Returns the registration, or undefined when nothing was
 * saved.
 */
export async function submitRegistration(input: KeyInput, options: SubmitOptions): Promise<Registration | undefined> {
  // One toast for the whole operation, shown before the first slow step (the Keychain may wait for an unlock).
  const toast = await showToast({ style: Toast.Style.Animated, title: STEP_TITLES.reading });
  let planned: Planned;
  try {
    planned = await planOf(input, options);
  } catch (error) {
    const field = fieldOfError(error);
    if (field) options.onFieldError(field, describeError(error));
    await showFailure("Key Not Saved", error, toast);
    return undefined;
  }
  const { plan, earlier, json } = planned;
  const asked = questionOf(plan, options.rotate);
  if (asked && !(await confirmPlan(asked, toast))) return undefined;
  // A plan the user looked at (a question), or one the form made more than a minute before this submit, is checked
  // against the Keychain before it is applied. The form's own plan, made moments ago with nothing asked since, is
  // applied as it is, as asc-key applies its plan after Apple's answer: LingCode's entry is read for the plan and read
  // back after the write, twice in all, and the writes read the saved keys' list again under their lock.
  const stale = earlier && (options.planMadeAt === undefined || Date.now() - options.planMadeAt > FRESH_PLAN_MS);
  // Apple may accept a rejected team key as an individual key: then the toast saves it as one in one step.
  const asIndividual = () => {
    options.onIndividual?.();
    const individual: KeyInput = { ...input, kind: "individual", issuerId: undefined };
    void submitRegistration(individual, { ...options, plan: undefined });
  };
  return save(plan, input.p8Path, { ...options, recheck: stale || asked !== undefined, json, asIndividual }, toast);
}

interface Planned {
  plan: RegistrationPlan;
  earlier: boolean;
  /** The file field held fastlane's API key JSON or an eas.json (not a .p8): what holds the key in clear, if anything. */
  json?: JsonKey;
}

type SaveOptions = SubmitOptions & { recheck: boolean; json?: JsonKey; asIndividual?: () => void };

/**
 * The key read again (the file may have changed or gone since it was picked), then the form's plan with the submitted
 * choices when it was made for this very key (no read), else a plan made now.
 */
async function planOf(input: KeyInput, options: SubmitOptions): Promise<Planned> {
  const { input: read, json } = await readFormKey(input);
  const prepared = await prepareKey(read);
  const earlier = options.plan && withChoices(options.plan, choicesOf(options, options.plan), prepared);
  if (earlier) return { plan: earlier, earlier: true, json };
  return { plan: await planRegistration(prepared, keyStore(), choicesOf(options)), earlier: false, json };
}

/**
 * The key the form's fields describe: a fastlane API key JSON or an eas.json chosen in the file field gives the key
 * text (read now, never kept), with the Key Type, Issuer ID and Key ID as the fields say (filled from it); a .p8 the
 * pipeline reads.
 */
export async function formKeyInput(input: KeyInput): Promise<KeyInput> {
  return (await readFormKey(input)).input;
}

async function readFormKey(input: KeyInput): Promise<{ input: KeyInput; json?: JsonKey }> {
  if (!input.p8Path) return { input };
  const json = await readKeyJsonIfAny(input.p8Path, { home: os.homedir(), env: process.env });
  if (!json) return { input };
  return {
    input: { kind: input.kind, issuerId: input.issuerId, keyId: input.keyId, p8Text: json.input.p8Text },
    json,
  };
}

/** What the form's fields choose: the name, LingCode's use of the key (fixed when the plan says it must). */
function choicesOf(options: SubmitOptions, plan?: RegistrationPlan): RegistrationChoices {
  return {
    name: options.name?.trim() || undefined,
    use: options.rotate || plan?.mustUse ? undefined : options.use,
    rotates: options.rotate?.keyId,
  };
}

/**
 * Asks before anything leaves the Keychain or LingCode changes keys: a rotation (the old key is removed), a key with
 * the Key ID of a saved key but other key material (it takes its place), or LingCode switching to the new key (the
 * old one remains among the saved keys). False when the user said no.
 */
async function confirmPlan(alert: Question, toast: Toast): Promise<boolean> {
  await toast.hide();
  const confirmed = await confirmAlert({
    title: alert.title,
    message: alert.message,
    primaryAction: { title: alert.primary, style: alert.destructive ? Alert.ActionStyle.Destructive : undefined },
  });
  if (confirmed) await toast.show();
  return confirmed;
}

interface Question {
  title: string;
  message: string;
  primary: string;
  destructive: boolean;
}

function questionOf(plan: RegistrationPlan, rotate: SubmitOptions["rotate"]): Question | undefined {
  const newId = plan.key.keyId;
  const replaces = plan.replaces;
  if (replaces?.why === "rotation") {
    // The title names it as the caller does (API Keys by its name, API Key Status by its Key ID); the message as
    // every sentence does.
    const title = rotate?.name ? namedKey({ name: rotate.name, keyId: replaces.keyId }) : `Key ${replaces.keyId}`;
    return {
      title: `Rotate ${title}?`,
      message: `Key ${newId} takes its name and place in the Keychain. ${keepsWorkingAtApple(namedKey(replaces))}.`,
      primary: "Rotate",
      destructive: true,
    };
  }
  if (replaces) {
    const switches = plan.use && !replaces.active ? " LingCode will use it." : "";
    return {
      title: `Replace Key ${replaces.keyId} with a Different Key?`,
      message: `The chosen .p8 is not the saved key ${namedKey(replaces)} (fingerprints differ). Key ${newId} will take its place in the Keychain.${switches}`,
      primary: "Replace",
      destructive: true,
    };
  }
  if (plan.use && plan.current && plan.current.keyId !== newId) {
    return {
      title: `Use Key ${newId} for LingCode?`,
      message: `LingCode uses ${namedKey(plan.current)} now. ${staysSaved(plan.current)}: API Keys switches back in one step.`,
      primary: `Use Key ${newId}`,
      destructive: false,
    };
  }
  return undefined;
}

async function save(
  plan: RegistrationPlan,
  p8Path: string | undefined,
  options: SaveOptions,
  toast: Toast,
): Promise<Registration | undefined> {
  let registration: Registration;
  try {
    toast.style = Toast.Style.Animated;
    toast.message = undefined;
    toast.primaryAction = undefined;
    registration = await applyRegistration(plan, {
      verify: options.verify,
      check: appleOptions(),
      recheck: options.recheck,
      privilege: {},
      onStep: (step) => {
        toast.title = STEP_TITLES[step];
      },
    });
  } catch (error) {
    if (isAscKeyError(error, "plan-outdated")) options.onOutdated?.();
    failed(
      error,
      toast,
      () => {
        // The same plan, checked against the Keychain again: the toast may have waited for minutes.
        void save(plan, p8Path, { ...options, verify: false, recheck: true }, toast);
      },
      options.asIndividual,
    );
    return undefined;
  }
  // The key is saved from here on: nothing below may report otherwise.
  const notRemembered = await rememberRegistration(registration);
  await afterSave(registration, notRemembered, p8Path, options, toast);
  options.onRegistered?.(registration);
  return registration;
}

/**
 * Why nothing was saved, on the toast; `saveUnverified` is offered when Apple could not be asked, `asIndividual` when
 * Apple rejected a team key but accepted it as an individual key.
 */
function failed(error: unknown, toast: Toast, saveUnverified: () => void, asIndividual?: () => void) {
  const individual = error instanceof AppleCheckError && error.explained?.individualAccepted && asIndividual;
  // With a toast given, showFailure changes it before it first waits: the actions below land on the failure.
  void showFailure(individual ? "This Is an Individual Key: Nothing Saved" : failureTitle(error), error, toast);
  if (individual) {
    toast.primaryAction = { title: "Save as Individual Key", onAction: individual };
  } else if (error instanceof AppleCheckError && error.code === "apple-rejected") {
    toast.primaryAction = { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) };
  } else if (error instanceof AppleCheckError) {
    toast.primaryAction = { title: "Save Without Verifying", onAction: saveUnverified };
  }
}

function failureTitle(error: unknown): string {
  if (error instanceof AppleCheckError && error.code === "apple-rejected")
    return "Apple Rejected the Key: Nothing Saved";
  if (error instanceof AppleCheckError) return "Couldn't Check with Apple: Nothing Saved";
  // Something was written, but not (only) this key: never claim either way without looking.
  if (isAscKeyError(error, "keychain-mismatch")) return "Saved Key Differs: Check It";
  return "Key Not Saved";
}

/**
 * What every registration leaves behind besides the Keychain, best effort: the check's answer, remembered for the key
 * it checked (whichever key LingCode uses); when LingCode uses the key, its summary; the replaced Key ID to revoke;
 * and a fresh launcher subtitle (from LocalStorage: no Keychain read). Returns a note when LocalStorage failed.
 */
export async function rememberRegistration(registration: Registration): Promise<string | undefined> {
  const remembered = await bestEffort(async () => {
    if (registration.active) await rememberSavedKey(registration.summary);
    if (registration.check) await saveCheck(registration.summary.keyId, registration.check, registration.active);
    if (registration.replaced) await rememberKeyToRevoke(registration.replaced.keyId, registration.summary.keyId);
    await refreshLauncherSubtitle();
  });
  return remembered ? undefined : "The check's answer could not be remembered; Verify with Apple shows it again.";
}

async function afterSave(
  registration: Registration,
  notRemembered: string | undefined,
  p8Path: string | undefined,
  options: SaveOptions,
  toast: Toast,
) {
  const { check, inUse } = registration;
  // A key only saved: that LingCode keeps its key comes first, where a one-line toast still shows it.
  const notes: string[] = [];
  if (!registration.active) {
    notes.push(inUse ? `${keepsUsing(inUse)}.` : "LingCode does not use it.");
  }
  // A rotation ends with its step: revoke the old key (the toast's action opens Team Keys), then what proves it.
  if (registration.replaced) {
    const { step, proof } = stepAfterReplacing(registration.replaced.keyId);
    notes.push(step, proof);
  }
  notes.push(`Fingerprint ${registration.fingerprint}`);
  if (!check) notes.push("Not verified with Apple.");
  else if (check.outcome !== "valid") notes.push(check.message);
  if (registration.privilege) notes.push(registration.privilege.text);
  if (registration.switchedFrom) notes.push(`${staysSaved(registration.switchedFrom)}.`);
  notes.push(...registration.warnings);
  if (notRemembered) notes.push(notRemembered);
  notes.push(...(await afterSaveFile(p8Path, options)));
  toast.style = Toast.Style.Success;
  toast.title = registration.active
    ? registration.sentence
    : `Saved ${namedKey({ name: registration.name, keyId: registration.summary.keyId })}`;
  toast.message = notes.join(" ");
  toast.primaryAction = registration.replaced
    ? { title: `Revoke ${registration.replaced.keyId} on Team Keys`, onAction: () => open(TEAM_KEYS_URL) }
    : undefined;
}

/**
 * After the key is saved, what holds it in clear: the .p8, fastlane's API key JSON itself, or the .p8 an eas.json names
 * inside the project. Moved to the Trash when the form says so, else, for a JSON, a reminder that it is still there;
 * then what eas.json's profile can say instead.
 */
async function afterSaveFile(
  p8Path: string | undefined,
  options: Pick<SaveOptions, "json" | "trashAfter">,
): Promise<string[]> {
  const { json, trashAfter } = options;
  const file = json ? json.holder : p8Path;
  const notes: string[] = [];
  if (file) {
    const name = json ? printable(path.basename(file)) : "The .p8";
    if (!trashAfter) {
      if (json) notes.push(`${name} still holds the private key in clear; move it to the Trash or delete it.`);
    } else {
      try {
        await moveKeyFilesToTrash([file]);
        notes.push(`${name} is in the Trash.`);
      } catch {
        notes.push(`${name} could not be moved to the Trash; delete it yourself.`);
      }
    }
  }
  if (json?.afterImport) notes.push(json.afterImport);
  return notes;
}
