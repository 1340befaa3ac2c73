/**
 * The role recorded from Team Keys, kept with a saved key's non-secret facts: its line in the saved keys' index
 * (`role`, see keychain/saved.ts). Recording it reads the index and LingCode's entry, never a key's secret item
 * unless the key is only in LingCode's entry (then it joins the saved keys, as it would on any change).
 */
import { AscKeyError } from "../errors";
import type { KeyStore } from "../keychain";
import type { SavedLine, SavedIndex } from "../keychain/saved";
import { KEY_ROLE, type KeyRole } from "../apple";
import { namedKey } from "../status";
import { keepActiveKey } from "./change";
import { lineFor, listFromSnapshot, locateKey, readSnapshot } from "./read";

interface RoleRecording {
  keyId: string;
  name: string;
  /** The role now recorded; undefined: forgotten. */
  role?: KeyRole;
  /** Whether Apple let the key into Users and Access at its last capability check, when that is known. */
  users?: "yes" | "no";
}

/**
 * Records what the key's Access column on Team Keys shows (`role`), or forgets it (undefined), for a saved team key
 * by name or Key ID. Refuses an individual key (Team Keys does not show it) and a damaged one.
 */
export function recordKeyRole(store: KeyStore, reference: string, role: KeyRole | undefined): Promise<RoleRecording> {
  return store.saved.locked(async () => {
    const snapshot = await readSnapshot(store, true);
    const keys = listFromSnapshot(snapshot);
    const { key } = await locateKey(store, snapshot, keys, reference);
    if (key.state !== "ok") {
      throw new AscKeyError("choice-invalid", `${namedKey(key)} cannot be used: ${key.reason}`);
    }
    if (key.kind !== "team") {
      throw new AscKeyError(
        "choice-invalid",
        `${namedKey(key)} is an individual key: it has its owner's roles, which Team Keys does not show; only a team key's role can be recorded.`,
      );
    }
    if (!key.saved) await keepActiveKey(store, snapshot, keys);
    const found = lineFor(snapshot.index, key.keyId);
    if (!found) throw new AscKeyError("key-unknown", `Key ${key.keyId} is not among the saved keys.`);
    const line: SavedLine = { ...found, role };
    await store.saved.putLine(snapshot.index, line);
    const recording: RoleRecording = { keyId: key.keyId, name: key.name };
    if (role !== undefined) recording.role = role;
    if (found.users !== undefined && found.fingerprint === key.fingerprint) recording.users = found.users;
    return recording;
  });
}

/** The line of a saved key, for this very key material, from the index alone (no secret read). */
export async function readSavedLine(
  store: KeyStore,
  keyId: string,
  fingerprint: string,
): Promise<SavedLine | undefined> {
  const line = lineFor(await store.saved.readIndex(), keyId);
  return line?.fingerprint === fingerprint ? line : undefined;
}

/**
 * Keeps Apple's answer about Users and Access at a capability check with the key's line (for the same key material),
 * when it is a yes or a no that differs from the one kept: what a role recorded later is compared with. Holds the
 * saved keys' lock and reads the index again inside it. A key with no line (only in LingCode's entry) keeps nothing.
 */
export function rememberUsersAccess(
  store: KeyStore,
  keyId: string,
  fingerprint: string,
  answer: "yes" | "no",
): Promise<void> {
  return store.saved.locked(async () => {
    const index = await store.saved.readIndex();
    const line = lineFor(index, keyId);
    if (!line || line.fingerprint !== fingerprint || line.users === answer) return;
    await store.saved.putLine(index, { ...line, users: answer });
  });
}

/** The role recorded for this key (its line in `index`), when it is a line for this very key material. */
export function recordedRole(index: SavedIndex, keyId: string, fingerprint?: string): KeyRole | undefined {
  const line = lineFor(index, keyId);
  if (!line || (fingerprint !== undefined && line.fingerprint !== fingerprint)) return undefined;
  return line.role;
}

/** The role recorded for a saved key, from the index alone (no secret read). */
export async function readRecordedRole(store: KeyStore, keyId: string): Promise<KeyRole | undefined> {
  return recordedRole(await store.saved.readIndex(), keyId);
}

/** What the recording says: `"Acme" (Key ID ABC1234DEF) recorded as App Manager (from Team Keys).` */
export function recordingWords(recording: RoleRecording): string {
  const key = namedKey(recording);
  return recording.role === undefined
    ? `${key}: no role recorded.`
    : `${key} recorded as ${KEY_ROLE[recording.role].label} (from Team Keys).`;
}
