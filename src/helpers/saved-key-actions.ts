import { Alert, confirmAlert, open, showToast, Toast } from "@raycast/api";
import {
  TEAM_KEYS_URL,
  withRecordedRole,
  KEY_ROLE,
  recordedRoleStep,
  type KeyRole,
  type UsersAccess,
} from "../lib/apple";
import { AscKeyError } from "../lib/errors";
import {
  keepsWorkingAtApple,
  namedKey,
  nowUses,
  planRemoval,
  readRecordedRole,
  recordingWords,
  recordKeyRole,
  removeKey,
  renameSavedKey,
  switchedSentence,
  useSavedKey,
  type ListedKey,
  type ListedOkKey,
  type RemovalPlan,
} from "../lib/keys";
import { keyStore } from "./core";
import { showFailure } from "./toast";
import { rememberActive } from "./launcher";
import { bestEffort, readCapabilities, saveCapabilities } from "./local-storage";

/** Use for LingCode: one update of LingCode's entry; the key it used before remains among the saved keys. */
export async function useForLingCode(key: ListedKey): Promise<boolean> {
  const toast = await showToast({ style: Toast.Style.Animated, title: `Switching LingCode to "${key.name}"…` });
  try {
    const change = await useSavedKey(keyStore(), key.keyId);
    toast.style = Toast.Style.Success;
    toast.title = `LingCode Uses "${change.current.name}"`;
    toast.message = switchedSentence(change);
    await rememberActive(change.current);
    return true;
  } catch (error) {
    await showFailure("Couldn't Switch Keys", error, toast);
    return false;
  }
}

/** Rename: the new name must be free (case aside); nothing else changes. */
export async function renameKey(key: ListedKey, name: string): Promise<boolean> {
  const toast = await showToast({ style: Toast.Style.Animated, title: "Renaming…" });
  try {
    const renamed = await renameSavedKey(keyStore(), key.keyId, name);
    toast.style = Toast.Style.Success;
    toast.title = `Renamed to "${renamed.key.name}"`;
    return true;
  } catch (error) {
    await showFailure("Couldn't Rename the Key", error, toast);
    return false;
  }
}

/** Removing the key LingCode uses while other keys are saved: which one LingCode uses next is asked first. */
export interface NextKeyChoice {
  keyItem: ListedOkKey;
  others: ListedOkKey[];
  /** The plan the choice completes: applied with the answer, not made again. */
  plan: RemovalPlan;
}

/**
 * Remove Key…, the one removal flow of every view: the core plans the removal once (planRemoval: what goes, what
 * LingCode uses afterwards, every refusal), the user is asked about that plan, and removeKey applies it (under the
 * saved keys' lock, where it is checked against the Keychain again). `key`: a saved key's Key ID; left out, the key
 * LingCode uses (or its unreadable entry). With other keys saved, removing the key LingCode uses comes back as
 * `choose` first; the caller asks which key LingCode uses next (RemoveKeyForm) and calls this again with the answer
 * (a Key ID, or null for none) and the plan it completes. LingCode's entry is read for the plan, then by the removal
 * and its read-back.
 */
export async function removeWithConfirmation(
  key?: string,
  answer?: { next: string | null; plan: RemovalPlan },
): Promise<{ removed: boolean } | { choose: NextKeyChoice }> {
  const store = keyStore();
  let plan: RemovalPlan;
  if (answer) {
    const next = answer.next === null ? null : answer.plan.others?.find((other) => other.keyId === answer.next);
    if (next === undefined) {
      await showFailure("Couldn't Remove the Key", new AscKeyError("choice-invalid", "Choose a saved key, or none."));
      return { removed: false };
    }
    plan = { ...answer.plan, next };
  } else {
    try {
      plan = await planRemoval(store, { key, askNext: true });
    } catch (error) {
      await showFailure("Couldn't Remove the Key", error);
      return { removed: false };
    }
    const keyItem = plan.target?.state === "ok" ? plan.target : undefined;
    if (plan.wasActive && plan.next === undefined && keyItem && plan.others?.length) {
      return { choose: { keyItem: { ...keyItem, active: true }, others: plan.others, plan } };
    }
  }
  if (!plan.removes) {
    await showToast({ style: Toast.Style.Success, title: "No Key Was Saved" });
    return { removed: false };
  }
  const target = plan.target;
  const what = target ? `Key ${target.keyId}` : plan.strayItem ? `Key ${plan.strayItem}` : "the Unreadable Key Entry";
  const confirmed = await confirmAlert({
    title: `Remove ${what}?`,
    message: removalQuestion(plan),
    primaryAction: { title: "Remove", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return { removed: false };
  const toast = await showToast({ style: Toast.Style.Animated, title: `Removing ${what}…` });
  try {
    // What was asked about: this key, and (for LingCode's) the key chosen next or none.
    const removal = await removeKey(store, {
      key: target?.keyId ?? plan.strayItem ?? key,
      next: plan.wasActive ? (plan.next?.keyId ?? null) : undefined,
    });
    toast.style = Toast.Style.Success;
    toast.title = removal.removed ? `Removed ${what} From the Keychain` : "No Key Was Saved";
    const revoke = target?.state === "ok" ? target.keyId : undefined;
    toast.message = removal.next
      ? `${nowUses(removal.next)}.`
      : revoke && `Revoke ${revoke} on Team Keys if nobody needs it.`;
    toast.primaryAction = revoke ? { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) } : undefined;
    if (removal.wasActive) await rememberActive(removal.next ?? null);
    return { removed: removal.removed };
  } catch (error) {
    await showFailure("Couldn't Remove the Key", error, toast);
    return { removed: false };
  }
}

/** What the question says about a planned removal. */
function removalQuestion(plan: RemovalPlan): string {
  const target = plan.target;
  const noKeyAfter =
    plan.wasActive && plan.next === null
      ? "LingCode can't reach App Store Connect until you register a key again."
      : undefined;
  if (!target) {
    return plan.strayItem
      ? "The list of saved keys lost this item; it can't be used as it is."
      : `The entry can't be used as it is.${noKeyAfter ? ` ${noKeyAfter}` : ""}`;
  }
  if (target.state === "damaged") {
    return "The saved item can't be used as it is; register the key again if you still need it.";
  }
  const keepsWorking = `${keepsWorkingAtApple(namedKey(target))}.`;
  return noKeyAfter ? `${noKeyAfter} ${keepsWorking}` : keepsWorking;
}

/**
 * Record Role from Team Keys: what the key's Access column shows (or, undefined, forget it), kept with the key's
 * non-secret facts. An Admin key's toast carries the advice to rotate; an App Manager key's says only what was kept.
 * What API Key Status remembers of the key's last capability check is redrawn with the role (no request to Apple).
 */
export async function recordRole(keyId: string, role: KeyRole | undefined): Promise<boolean> {
  const toast = await showToast({ style: Toast.Style.Animated, title: "Recording the role…" });
  try {
    const recording = await recordKeyRole(keyStore(), keyId, role);
    let seen: UsersAccess | undefined;
    await bestEffort(async () => {
      const report = await readCapabilities();
      if (report?.keyId !== recording.keyId) return;
      seen = report.areas.users?.answer;
      await saveCapabilities(withRecordedRole(report, role));
    });
    // What Apple showed at the last check (as API Key Status shows it, else as kept with the key): what to do first
    // (check the Access column again when the record contradicts Apple, rotate an Admin key) is the toast's title.
    const users = seen === "yes" || seen === "no" ? seen : (recording.users ?? "unknown");
    const first = recordedRoleStep(recording.keyId, users, role);
    toast.style = Toast.Style.Success;
    toast.title =
      first?.step ?? (role === undefined ? "Recorded Role Forgotten" : `Recorded as ${KEY_ROLE[role].label}`);
    toast.message = first ? `${first.why} ${recordingWords(recording)}` : recordingWords(recording);
    toast.primaryAction = first ? { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) } : undefined;
    return true;
  } catch (error) {
    await showFailure("Couldn't Record the Role", error, toast);
    return false;
  }
}

/** The role recorded for a key, read from the saved keys' list only (no secret); "unknown" when it can't be read. */
export function recordedRoleOf(keyId: string): Promise<KeyRole | undefined | "unknown"> {
  return readRecordedRole(keyStore(), keyId).catch(() => "unknown" as const);
}
