/**
 * The saved keys, changed: save, use, rename, remove. Every change reads its snapshot (read.ts) holding the saved
 * keys' lock, decides from that one read, then writes in the order that keeps every key reachable (a line in the list
 * before its item, LingCode's entry last, each write read back), so a crash at any moment loses no key.
 *
 * - Switching is one update of LingCode's entry (read back); the key that was active remains saved.
 * - The key LingCode uses joins the saved keys (if it was only in LingCode's entry) before anything replaces it there.
 */
import { AscKeyError, isAscKeyError } from "../errors";
import type { KeyStore } from "../keychain";
import type { SavedIndex, SavedItem } from "../keychain/saved";
import { checkNameFree, freeDefaultName, NO_KEY_WORD, parseKeyName, sameName } from "../names";
import type { KeyRecord } from "../record";
import {
  lineOf,
  lineFor,
  keyIdOf,
  listFromSnapshot,
  locateKey,
  namesOf,
  readItemState,
  readSnapshot,
  recordOf,
  sameLine,
  summaryOf,
  unusableKey,
  type ListedKey,
  type ListedOkKey,
  type SavedKeySummary,
  type Snapshot,
} from "./read";
import { summarize, type KeySummary } from "../status";
import { clearTokenCache } from "../token";

/**
 * Makes `record` LingCode's key under `name`: its line in the list first brought in line with it (a crash may have
 * left them apart, or the item may have been unlisted), then LingCode's entry written. Returns the key as LingCode
 * now has it.
 */
async function writeAsLingCodes(
  store: KeyStore,
  snapshot: Snapshot,
  record: KeyRecord,
  name: string,
): Promise<SavedKeySummary> {
  if (!sameLine(lineFor(snapshot.index, record.keyId), lineOf(record, name))) {
    await saveKey(store, snapshot.index, record, name);
  }
  await store.write(record);
  return { ...(summarize(record) as KeySummary), name };
}

/** Where a saved key's line goes (`after` that key's), and when Apple accepted it just now (SavedLine.acceptedAt). */
interface SaveOptions {
  after?: string;
  acceptedAt?: string;
}

/**
 * Saves a key among the saved keys: its line in the list first, then its item, so that every item stays reachable
 * from the list. If the item cannot be written, the line is put back as it was.
 */
export function saveKey(
  store: KeyStore,
  index: SavedIndex,
  record: KeyRecord,
  name: string,
  options: SaveOptions = {},
): Promise<void> {
  return store.saved.locked(() => saveKeyHeld(store, index, record, name, options), index);
}

async function saveKeyHeld(
  store: KeyStore,
  index: SavedIndex,
  record: KeyRecord,
  name: string,
  options: SaveOptions = {},
): Promise<void> {
  const before = lineFor(index, record.keyId);
  const line = lineOf(record, name);
  if (options.acceptedAt !== undefined) line.acceptedAt = options.acceptedAt;
  const same = sameLine(before, line) && (line.acceptedAt === undefined || before?.acceptedAt === line.acceptedAt);
  if (!same) await store.saved.putLine(index, line, { after: options.after });
  try {
    await store.saved.writeItem(record, name);
  } catch (error) {
    await (before ? store.saved.putLine(index, before) : store.saved.dropLine(index, record.keyId)).catch(
      () => undefined,
    );
    throw error;
  }
}

/** Deletes a key's item, then its line in the list (so no item is ever left unlisted). */
export function forgetKey(store: KeyStore, index: SavedIndex, keyId: string): Promise<void> {
  return store.saved.locked(() => forgetKeyHeld(store, index, keyId), index);
}

async function forgetKeyHeld(store: KeyStore, index: SavedIndex, keyId: string): Promise<void> {
  await store.saved.deleteItem(keyId);
  await store.saved.dropLine(index, keyId);
}

/**
 * Makes sure the key in LingCode's entry is among the saved keys before anything replaces it there. Returns it with
 * its name, or undefined when the entry holds no usable key.
 */
export function keepActiveKey(
  store: KeyStore,
  snapshot: Snapshot,
  keys: readonly ListedKey[],
): Promise<SavedKeySummary | undefined> {
  return store.saved.locked(() => keepActiveKeyHeld(store, snapshot, keys), snapshot.index);
}

async function keepActiveKeyHeld(
  store: KeyStore,
  snapshot: Snapshot,
  keys: readonly ListedKey[],
): Promise<SavedKeySummary | undefined> {
  if (snapshot.entry.state !== "key") return undefined;
  const active = keys.find((key): key is ListedOkKey => key.state === "ok" && key.active);
  const summary = summarize(snapshot.entry.record) as KeySummary;
  const name = active?.name ?? freeDefaultName(keys);
  if (!active?.saved) await saveKey(store, snapshot.index, snapshot.entry.record, name);
  return { ...summary, name };
}

export interface Switch {
  /** False when LingCode already used that key (nothing was written). */
  changed: boolean;
  /** The key LingCode uses now. */
  current: SavedKeySummary;
  /** The key LingCode used before, which remains saved (undefined: there was none, or the entry was unreadable). */
  previous?: SavedKeySummary;
  /** The entry LingCode read before was unreadable; it was replaced. */
  replacedUnreadable?: boolean;
}

/**
 * Makes LingCode use a saved key (by name or Key ID): one update of LingCode's entry, read back. The key it used
 * before is added to the saved keys first if it was not among them, so it stays at hand.
 */
export function useSavedKey(store: KeyStore, reference: string): Promise<Switch> {
  return store.saved.locked(() => useSavedKeyHeld(store, reference));
}

async function useSavedKeyHeld(store: KeyStore, reference: string): Promise<Switch> {
  const snapshot = await readSnapshot(store, true);
  const keys = listFromSnapshot(snapshot);
  const found = await locateKey(store, snapshot, keys, reference);
  const { key } = found;
  if (key.state === "ok" && key.active) return { changed: false, current: summaryOf(key) };
  if (key.state === "damaged") throw unusableKey(key, key.reason, "used");
  const { record } = await recordOf(store, snapshot, key, found.item);
  const previous = await keepActiveKey(store, snapshot, keys);
  const current = await writeAsLingCodes(store, snapshot, record, key.name);
  clearTokenCache();
  return {
    changed: true,
    current,
    previous,
    replacedUnreadable: snapshot.entry.state === "unreadable" || undefined,
  };
}

export interface Renaming {
  previousName: string;
  key: SavedKeySummary;
}

/** Gives a saved key (by name or Key ID) a new name; refused when another key has that name or is that Key ID. */
export function renameSavedKey(store: KeyStore, reference: string, newName: string): Promise<Renaming> {
  return store.saved.locked(() => renameSavedKeyHeld(store, reference, newName));
}

async function renameSavedKeyHeld(store: KeyStore, reference: string, newName: string): Promise<Renaming> {
  const name = parseKeyName(newName);
  const snapshot = await readSnapshot(store, true);
  const keys = listFromSnapshot(snapshot);
  const found = await locateKey(store, snapshot, keys, reference);
  const { key } = found;
  if (key.state === "damaged") throw unusableKey(key, key.reason, "renamed");
  checkNameFree(name, keys, [key.keyId]);
  const { record } = await recordOf(store, snapshot, key, found.item);
  await saveKey(store, snapshot.index, record, name);
  return { previousName: key.name, key: { ...(summarize(record) as KeySummary), name } };
}

export interface RemoveOptions {
  /** The key to remove, by name or Key ID. Left out: the key LingCode uses (or its unreadable entry). */
  key?: string;
  /**
   * When the key LingCode uses is removed: the key LingCode uses next (name or Key ID), or null for none. Required
   * then if other keys are saved (`next-key-needed` otherwise); refused for any other key (`choice-invalid`).
   */
  next?: string | null;
  /**
   * planRemoval only: when the key LingCode uses is removed with other keys saved and `next` is left out, return the
   * plan with `next` undefined and the keys it could use next (`others`), instead of refusing with next-key-needed.
   */
  askNext?: boolean;
}

export interface Removal {
  /** False when there was nothing to remove. */
  removed: boolean;
  /** What was removed, when it was readable. */
  previous?: SavedKeySummary;
  /** LingCode used the removed key (or the removed entry was LingCode's unreadable one). */
  wasActive?: boolean;
  /** After removing the key LingCode used: the key it uses now, or null for none. */
  next?: SavedKeySummary | null;
}

/** `next` as typed: "none" (any case) means no key. */
export function parseNext(text: string): string | null {
  return sameName(text, NO_KEY_WORD) ? null : text;
}

/** What a removal would do, decided before anything is written: every refusal is made here. */
export interface RemovalPlan {
  /** False when there is nothing to remove. */
  removes: boolean;
  /** The key removed; undefined for LingCode's unreadable entry, or for `strayItem`. */
  target?: ListedKey;
  /** A Key ID whose saved item a crash left out of the list: only that item goes, by its Key ID. */
  strayItem?: string;
  /** LingCode uses the key removed (or the entry removed is LingCode's unreadable one). */
  wasActive: boolean;
  /** For LingCode's key: the key it uses next, or null for none. */
  next?: ListedOkKey | null;
  /** For another key: the key LingCode goes on using, if any. */
  kept?: ListedOkKey;
  /** For LingCode's key: the keys it could use next (asked for when `next` was left out, with askNext). */
  others?: ListedOkKey[];
}

interface PlannedRemoval extends RemovalPlan {
  snapshot: Snapshot;
  nextItem?: SavedItem;
}

/** Plans a removal as removeKey would make it (the AI tool's confirmation names what it will do), writing nothing. */
export async function planRemoval(store: KeyStore, options: RemoveOptions = {}): Promise<RemovalPlan> {
  const { removes, target, strayItem, wasActive, next, kept, others } = await removal(store, options);
  return { removes, target, strayItem, wasActive, next, kept, others };
}

async function removal(store: KeyStore, options: RemoveOptions): Promise<PlannedRemoval> {
  const snapshot = await readSnapshot(store, true);
  const keys = listFromSnapshot(snapshot);
  let target: ListedKey | undefined;
  if (options.key === undefined) {
    if (snapshot.entry.state === "none") {
      if (options.next !== undefined) throw nextNotApplicable();
      return { removes: false, wasActive: false, snapshot };
    }
    target = keys.find((key) => key.state === "ok" && key.active);
  } else {
    try {
      target = (await locateKey(store, snapshot, keys, options.key)).key;
    } catch (error) {
      // A key's item left out of the list (by a crash) can still be removed by its Key ID.
      const keyId = keyIdOf(options.key);
      if (!isAscKeyError(error, "key-unknown") || keyId === undefined) throw error;
      if ((await readItemState(store, keyId)).state === "missing") throw error;
      return { removes: true, strayItem: keyId, wasActive: false, snapshot };
    }
  }
  const wasActive = target === undefined || target.active;
  const plan: PlannedRemoval = { removes: true, target, wasActive, snapshot };
  if (wasActive) {
    const others = keys.filter((key): key is ListedOkKey => key !== target && key.state === "ok");
    plan.others = others;
    const wanted = options.next === undefined ? (others.length === 0 ? null : undefined) : options.next;
    if (wanted === undefined && options.askNext) return plan;
    if (wanted === undefined) {
      const what = target ? `"${target.name}" is the key LingCode uses` : "LingCode's entry is unreadable";
      throw new AscKeyError(
        "next-key-needed",
        `${what}: say which key LingCode should use next (${namesOf(others)}), or none.`,
      );
    }
    if (wanted === null) {
      plan.next = null;
    } else {
      const chosen = await locateKey(store, snapshot, keys, wanted);
      if (chosen.key === target || chosen.key.keyId === target?.keyId) {
        throw new AscKeyError("choice-invalid", "The key to use next cannot be the key being removed.");
      }
      if (chosen.key.state === "damaged") throw unusableKey(chosen.key, chosen.key.reason, "used", false);
      plan.next = chosen.key;
      plan.nextItem = chosen.item;
    }
  } else if (options.next !== undefined) {
    throw nextNotApplicable();
  } else {
    plan.kept = keys.find((key): key is ListedOkKey => key.state === "ok" && key.active);
  }
  return plan;
}

/**
 * Removes a key: its saved item and its line, and, when LingCode uses it, LingCode's entry (replaced by `next`, or
 * deleted for none). The key stays valid at Apple until it is revoked on Team Keys.
 */
export function removeKey(store: KeyStore, options: RemoveOptions = {}): Promise<Removal> {
  return store.saved.locked(() => removeKeyHeld(store, options));
}

async function removeKeyHeld(store: KeyStore, options: RemoveOptions = {}): Promise<Removal> {
  // A removal always knows what LingCode uses next: askNext is for planning only.
  const plan = await removal(store, { ...options, askNext: false });
  const { snapshot, target, wasActive } = plan;
  if (!plan.removes) return { removed: false };
  if (plan.strayItem !== undefined) {
    await store.saved.deleteItem(plan.strayItem);
    return { removed: true, wasActive: false };
  }
  let next: SavedKeySummary | null | undefined;
  if (plan.next === null) {
    await store.remove();
    next = null;
  } else if (plan.next) {
    const chosen = plan.next;
    const { record } = await recordOf(store, snapshot, chosen, plan.nextItem);
    next = await writeAsLingCodes(store, snapshot, record, chosen.name);
  }
  if (target) await forgetKey(store, snapshot.index, target.keyId);
  clearTokenCache();
  const previous = target?.state === "ok" ? summaryOf(target) : undefined;
  const removed: Removal = { removed: true, wasActive };
  if (previous) removed.previous = previous;
  if (next !== undefined) removed.next = next;
  return removed;
}

const nextNotApplicable = () =>
  new AscKeyError(
    "choice-invalid",
    "A key to use next is chosen only when removing the key LingCode uses, and LingCode does not use this one.",
  );
