import { Alert, confirmAlert, open, showToast, Toast } from "@raycast/api";
import {
  TEAM_KEYS_URL,
  withRecordedRole,
  KEY_ROLE,
  recordedRoleStep,
  type KeyRole,
  type UsersAccess,
} from "../lib/apple";
import {
  listKeys,
  readRecordedRole,
  recordingWords,
  recordKeyRole,
  removeKey,
  renameSavedKey,
  useSavedKey,
  type ListedKey,
  type ListedOkKey,
} from "../lib/keys";
import type { KeySummary } from "../lib/status";
import { keyStore } from "./core";
import { showFailure } from "./toast";
import { rememberActive } from "./launcher";
import { bestEffort, readCapabilities, saveCapabilities } from "./local-storage";

/** The saved keys LingCode could use instead of `key`: every usable one but it. */
export function otherUsableKeys(keys: readonly ListedKey[], key: ListedKey | undefined): ListedOkKey[] {
  return keys.filter((other): other is ListedOkKey => other !== key && other.state === "ok");
}

/**
 * Remove Key… on LingCode's key where only its status is at hand (API Key Status): when other keys are saved, the key
 * the view shows as listed and the keys LingCode could use next, so that the caller asks which (RemoveKeyForm);
 * undefined when none is saved beside it, or the list can't be read (the removal then says why). Only the list is
 * read, not LingCode's entry: the view has just read it, and the removal reads it again before it writes.
 */
export async function removalChoices(
  shown: KeySummary,
): Promise<{ keyItem: ListedOkKey; others: ListedOkKey[] } | undefined> {
  const listed = await listKeys(keyStore(), { entry: false }).catch(() => undefined);
  const listedItem = listed?.keys.find(
    (key): key is ListedOkKey =>
      key.state === "ok" && key.keyId === shown.keyId && key.fingerprint === shown.fingerprint,
  );
  const keyItem = listedItem && { ...listedItem, active: true };
  const others = listed ? otherUsableKeys(listed.keys, listedItem) : [];
  return keyItem && others.length > 0 ? { keyItem, others } : undefined;
}

/** Use for LingCode: one update of LingCode's entry; the key it used before stays saved. */
export async function useForLingCode(key: ListedKey): Promise<boolean> {
  const toast = await showToast({ style: Toast.Style.Animated, title: `Switching LingCode to "${key.name}"…` });
  try {
    const change = await useSavedKey(keyStore(), key.keyId);
    toast.style = Toast.Style.Success;
    toast.title = `LingCode Uses "${change.current.name}"`;
    toast.message = change.previous
      ? `Key ${change.current.keyId}; "${change.previous.name}" stays saved.`
      : `Key ${change.current.keyId}.`;
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

/**
 * Remove: asks first. For the key LingCode uses, `next` is the key LingCode uses next (a Key ID), or null for none;
 * the caller asks which (see RemoveKeyForm).
 */
export async function removeKeyConfirmed(key: ListedKey, next?: string | null): Promise<boolean> {
  const confirmed = await confirmAlert({
    title: `Remove "${key.name}"?`,
    message:
      key.state === "ok"
        ? `Key ${key.keyId} keeps working at Apple until you revoke it on Team Keys.`
        : "The saved item can't be used as it is; register the key again if you still need it.",
    primaryAction: { title: "Remove", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return false;
  const toast = await showToast({ style: Toast.Style.Animated, title: `Removing "${key.name}"…` });
  try {
    const removal = await removeKey(keyStore(), { key: key.keyId, next });
    toast.style = Toast.Style.Success;
    toast.title = `Removed "${key.name}"`;
    if (removal.wasActive) {
      toast.message = removal.next ? `LingCode uses "${removal.next.name}" now.` : "LingCode has no key now.";
      await rememberActive(removal.next ?? null);
    }
    if (key.state === "ok") toast.primaryAction = { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) };
    return true;
  } catch (error) {
    await showFailure("Couldn't Remove the Key", error, toast);
    return false;
  }
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
