/**
 * The saved keys, read: what LingCode uses (its entry, service `LingCode`, account `asc-api-key`, exactly as before)
 * and the other keys at hand (src/lib/keychain/saved.ts), listed, found by name or Key ID, and read for a token or a
 * check. Nothing here writes, except the repair of a damaged index from the items (see `repairIndex`).
 *
 * - Which key LingCode uses is never stored apart from LingCode's entry: a listed key is `active` when the entry holds
 *   it (same Key ID and fingerprint), so there is no pointer to go stale.
 * - A key in LingCode's entry that is not among the saved keys (an install from before there were several keys, or a
 *   key LingCode wrote itself) is listed like the others (`saved: false`) and added to them, under its name, before
 *   anything would replace it in the entry (change.ts): nothing to migrate, and nothing is lost by switching.
 * - A list reads the index (no secret) and, unless told not to, LingCode's entry (one secret, to mark the active key);
 *   `items: true` also reads each saved item, to show one that is missing or damaged.
 *
 * Nothing here returns key material except `KeyRecord.privateKey` from readSavedKey, for token minting and checks.
 */
import { AscKeyError, isAscKeyError, isUnreadableEntry } from "../errors";
import { parseKeyId } from "../ids";
import type { KeyStore } from "../keychain";
import { isComplete, replacingLine, type SavedLine, type SavedIndex, type SavedItem } from "../keychain/saved";
import { freeDefaultName, sameName, shownReference } from "../names";
import type { KeyRole } from "../apple";
import type { KeyRecord } from "../record";
import { namedKey, noKeySentence, summarize, type KeySummary } from "../status";
import { retiredSentence } from "./words";

/** A key's summary and the name the user gave it. Nothing secret. */
export interface SavedKeySummary extends KeySummary {
  name: string;
}

export interface ListedOkKey extends SavedKeySummary {
  state: "ok";
  /** LingCode uses this key: its entry holds it. */
  active: boolean;
  /**
   * Among the saved keys. False for a key only in LingCode's entry (registered before there were several keys, or
   * written by LingCode): it is added to the saved keys, under this name, the first time they change.
   */
  saved: boolean;
  /** What the user recorded from the key's Access column on Team Keys (its line's `role`), if anything. */
  role?: KeyRole;
}

interface ListedDamagedKey {
  state: "damaged";
  keyId: string;
  /** The name it was saved under, or "Key <Key ID>" when even that is lost. */
  name: string;
  /** Why it cannot be used, one sentence. It can only be removed (and registered again). */
  reason: string;
  active: false;
  saved: true;
}

export type ListedKey = ListedOkKey | ListedDamagedKey;

/** LingCode's entry as the listing found it. */
type EntryState =
  | { state: "key"; summary: KeySummary }
  | { state: "none" }
  | { state: "unreadable"; reason: string }
  /** The listing was told not to read it (`entry: false`): which key is active is not known. */
  | { state: "not-read" };

export interface SavedKeysList {
  /** In the saved keys' order (the order they were saved in); a key only in LingCode's entry comes last. */
  keys: ListedKey[];
  entry: EntryState;
  /** Damage to the list itself (a page that could not be read), one sentence each; the keys still listed are fine. */
  problems: string[];
  /** How many Keychain reads the listing made: index pages, LingCode's entry, saved items. */
  reads: number;
}

interface ListOptions {
  /** Read LingCode's entry to know which key it uses (default true: one read, of a secret). */
  entry?: boolean;
  /** Read every saved item too, to list a missing or damaged one as such (one read each; default false). */
  items?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

type EntryRead =
  | { state: "key"; record: KeyRecord }
  | { state: "none" }
  | { state: "unreadable"; reason: string }
  | { state: "not-read" };

type ItemRead = { state: "ok"; item: SavedItem } | { state: "missing" } | { state: "damaged"; reason: string };

/*
 * Every change (save, use, rename, remove; the registration, rotation and import go through saveKey and
 * keepActiveKey) runs holding the saved keys' lock (src/lib/keychain/lock.ts), its snapshot read inside it: of two
 * changes, the later one reads what the earlier one wrote, so none is lost. The index's own writes take the lock
 * too and read the index again inside it, for a caller whose snapshot was read outside it (the registration's plan).
 */

/** What the saved keys and LingCode's entry hold, as read once for one operation. */
export interface Snapshot {
  index: SavedIndex;
  entry: EntryRead;
  reads: number;
  /** What was repaired in the index while reading it (one sentence each), for the faces to show. */
  repairs: string[];
}

/**
 * The index (repaired from the items when it is damaged or leaves a saved item out, see `repairIndex`), then (when
 * asked) LingCode's entry: one after the other, so a locked keychain asks to unlock once.
 */
export async function readSnapshot(store: KeyStore, readEntry = true): Promise<Snapshot> {
  const index = await store.saved.readIndex();
  const repair = await repairIndex(store, index);
  const reads = index.reads + repair.reads;
  if (!readEntry) return { index, entry: { state: "not-read" }, reads, repairs: repair.notes };
  return { index, entry: await readEntryState(store), reads: reads + 1, repairs: repair.notes };
}

/**
 * The items are the truth, the index a cache of what they say (each item holds the key's record and name). The
 * store lists its items without reading a secret (one `security dump-keychain` or `secret-tool search`); when the
 * index is damaged, misses a page, or leaves out a key whose item is there, the items it does not list in full are
 * read (only those: on macOS each read may prompt) and the index is written again with them, keeping every line it
 * had (a line whose item is missing may be a save under way, or is listed as damaged). So a key whose item is intact
 * is never lost to the index, and the next write starts from a whole index. If the index cannot be written, the
 * keys are still listed from their items, and the note says so.
 */
async function repairIndex(store: KeyStore, index: SavedIndex): Promise<{ notes: string[]; reads: number }> {
  const keyIds = await store.saved.itemKeyIds().catch(() => undefined);
  if (keyIds === undefined) return { notes: [], reads: 0 };
  const sound = new Set<string>();
  for (const page of index.pages) {
    if (page.damage || page.missing) continue;
    for (const line of page.lines) if (isComplete(line)) sound.add(line.keyId);
  }
  const damaged = index.pages.some((page) => page.damage || page.missing);
  const unlisted = keyIds.filter((keyId) => !sound.has(keyId));
  if (!damaged && unlisted.length === 0) return { notes: [], reads: 0 };
  const found = await mapLimited(unlisted, 4, async (keyId) => ({ keyId, read: await readItemState(store, keyId) }));
  const lines: SavedLine[] = [];
  const named: { name?: string; keyId: string }[] = index.pages.flatMap((page) => page.lines);
  for (const { keyId, read } of found) {
    if (read.state === "ok") {
      const name = read.item.name ?? lineFor(index, keyId)?.name ?? freeDefaultName(named, [keyId]);
      lines.push(lineOf(read.item.record, name));
    } else if (read.state === "damaged" && lineFor(index, keyId) === undefined) {
      lines.push({ keyId }); // listed as damaged, so that it can be removed
    }
  }
  const what = damaged ? "was damaged" : `left out ${count(unlisted.length, "saved key")}`;
  try {
    await store.saved.rebuild(index, lines);
    return {
      notes: [`The list of saved keys ${what}; it was rebuilt from the saved keys themselves.`],
      reads: found.length,
    };
  } catch (error) {
    for (const page of index.pages) {
      page.lines = page.lines.map((line) => {
        const fresh = lines.find((other) => other.keyId === line.keyId);
        return fresh ? replacingLine(line, fresh) : line;
      });
    }
    const missing = lines.filter((line) => lineFor(index, line.keyId) === undefined);
    if (missing.length > 0) index.pages.push({ number: index.pages.length + 1, lines: missing });
    const why = isAscKeyError(error) ? ` (${error.message.replace(/\.$/, "")})` : "";
    return {
      notes: [
        `The list of saved keys ${what}, and could not be rewritten${why}; the keys are listed from the saved keys themselves.`,
      ],
      reads: found.length,
    };
  }
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

async function readEntryState(store: KeyStore): Promise<EntryRead> {
  try {
    const record = await store.read();
    return record ? { state: "key", record } : { state: "none" };
  } catch (error) {
    if (isUnreadableEntry(error)) return { state: "unreadable", reason: error.message };
    throw error;
  }
}

export async function readItemState(store: KeyStore, keyId: string): Promise<ItemRead> {
  try {
    const item = await store.saved.readItem(keyId);
    if (!item) return { state: "missing" };
    if (item.record.keyId !== keyId) return { state: "damaged", reason: "its saved item holds another key" };
    return { state: "ok", item };
  } catch (error) {
    if (isUnreadableEntry(error)) return { state: "damaged", reason: itemDamage(error) };
    throw error;
  }
}

function itemDamage(error: AscKeyError): string {
  return error.code === "record-version"
    ? "its saved item was written by a newer version"
    : "its saved item is damaged (it is not a usable key record)";
}

/** Lists the keys. See ListOptions for what it reads. */
export async function listKeys(store: KeyStore, options: ListOptions = {}): Promise<SavedKeysList> {
  const snapshot = await readSnapshot(store, options.entry ?? true);
  let reads = snapshot.reads;
  let items: Map<string, ItemRead> | undefined;
  if (options.items) {
    const keyIds = [...new Set(snapshot.index.pages.flatMap((page) => page.lines.map((line) => line.keyId)))];
    items = new Map(await mapLimited(keyIds, 4, async (keyId) => [keyId, await readItemState(store, keyId)] as const));
    reads += keyIds.length;
  }
  const { keys, problems } = buildList(snapshot, items);
  return { keys, entry: entryStateOf(snapshot.entry), problems: [...snapshot.repairs, ...problems], reads };
}

function entryStateOf(entry: EntryRead): EntryState {
  if (entry.state === "key") return { state: "key", summary: summarize(entry.record) as KeySummary };
  return entry;
}

/** The rows of a list from what was read; each Key ID once. */
function buildList(snapshot: Snapshot, items?: Map<string, ItemRead>): { keys: ListedKey[]; problems: string[] } {
  const keys: ListedKey[] = [];
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const page of snapshot.index.pages) {
    if (page.damage) problems.push(`${capitalize(page.damage)}; the keys found in it are listed as damaged.`);
    if (page.missing) {
      problems.push(`Page ${page.number} of the list of saved keys is missing; keys listed only there are not shown.`);
    }
    for (const line of page.lines) {
      if (keys.some((key) => key.keyId === line.keyId)) continue;
      if (line.name !== undefined) names.set(line.keyId, line.name);
      keys.push(rowOf(line, items?.get(line.keyId), page.damage !== undefined));
    }
  }
  // A row with no name anywhere (a stray item, an old line) gets a default name no other row has.
  for (const key of keys) {
    if (key.name === "") key.name = freeDefaultName(keys.filter((other) => other.name !== ""));
  }
  if (snapshot.entry.state === "key") {
    const summary = summarize(snapshot.entry.record) as KeySummary;
    const at = keys.findIndex((key) => key.keyId === summary.keyId);
    const same = at !== -1 ? keys[at] : undefined;
    if (same?.state === "ok" && isSavedAlready(same, summary)) {
      keys[at] = { ...same, active: true };
    } else {
      const others = keys.filter((key) => key.keyId !== summary.keyId);
      const name = names.get(summary.keyId) ?? freeDefaultName(others);
      const row: ListedOkKey = { ...summary, name, state: "ok", active: true, saved: false };
      if (same) {
        keys[at] = row;
        problems.push(
          same.state === "damaged"
            ? `The saved copy of "${name}" is damaged (${same.reason}); LingCode's own copy is listed, and saved again when the saved keys next change.`
            : `The saved copy of "${name}" holds other key material than LingCode's entry; LingCode's is listed, and saved in its place when the saved keys next change.`,
        );
      } else {
        keys.push(row);
      }
    }
  }
  return { keys, problems };
}

function rowOf(line: SavedLine, item: ItemRead | undefined, pageDamaged: boolean): ListedKey {
  const damaged = (reason: string): ListedDamagedKey => ({
    state: "damaged",
    keyId: line.keyId,
    name: line.name ?? "",
    reason,
    active: false,
    saved: true,
  });
  if (item?.state === "missing") return damaged("its saved item is missing from the Keychain");
  if (item?.state === "damaged") return damaged(item.reason);
  if (item?.state === "ok") {
    const summary = summarize(item.item.record) as KeySummary;
    return {
      ...summary,
      name: line.name ?? item.item.name ?? "",
      state: "ok",
      active: false,
      saved: true,
      ...roleOf(line),
    };
  }
  if (!isComplete(line)) {
    return damaged(
      pageDamaged
        ? "its line in the list of saved keys is damaged"
        : "its line in the list of saved keys is incomplete",
    );
  }
  const summary: SavedKeySummary = {
    configured: true,
    kind: line.kind,
    keyId: line.keyId,
    fingerprint: line.fingerprint,
    savedAt: line.savedAt,
    name: line.name,
  };
  if (line.kind === "team" && line.issuerIdSuffix) summary.issuerIdSuffix = line.issuerIdSuffix;
  return { ...summary, state: "ok", active: false, saved: true, ...roleOf(line) };
}

/** The role recorded in a line, for a team key only (Team Keys shows no role for an individual key). */
function roleOf(line: SavedLine): { role?: KeyRole } {
  return line.role !== undefined && line.kind !== "individual" ? { role: line.role } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// Finding a key by name or Key ID

/**
 * The listed key a name or Key ID means: its Key ID (any case) or its name (any case). Throws `no-key` when there are
 * no keys at all, `key-unknown` naming the keys there are, `key-ambiguous` when it means two keys.
 */
export function findKey(keys: readonly ListedKey[], reference: string): ListedKey {
  const text = reference.trim();
  const matches = keys.filter((key) => text !== "" && (key.keyId === text.toUpperCase() || sameName(key.name, text)));
  if (matches.length === 1) return matches[0];
  if (keys.length === 0) throw noKeyError();
  const shown = shownReference(text);
  if (matches.length === 0) {
    throw new AscKeyError(
      "key-unknown",
      `${shown === undefined ? "No saved key has that name or Key ID" : `No saved key is named "${shown}" or has that Key ID`}; the saved keys are ${namesOf(keys)}.`,
    );
  }
  const byKeyId = matches.some((key) => key.keyId === text.toUpperCase());
  throw new AscKeyError(
    "key-ambiguous",
    byKeyId
      ? `${shown === undefined ? "That" : `"${shown}"`} is the name of one saved key and the Key ID of another (${namesOf(matches)}); give the Key ID.`
      : `${shown === undefined ? "That name" : `"${shown}"`} is the name of ${matches.length} saved keys (${namesOf(matches)}); give the Key ID.`,
  );
}

/**
 * The listed key a command would work with, from the listing alone (no saved item read): `reference` (a name or Key
 * ID) found among the saved keys, else the key LingCode uses; undefined when it uses none. A reference is looked for
 * in the index first, as readSavedKey does, and LingCode's entry (a secret) is read only when the index lacks it.
 */
export async function listedKeyFor(store: KeyStore, reference?: string): Promise<ListedKey | undefined> {
  if (reference !== undefined) {
    try {
      return findKey((await listKeys(store, { entry: false })).keys, reference);
    } catch (error) {
      if (!isAscKeyError(error, "key-unknown") && !isAscKeyError(error, "no-key")) throw error;
    }
  }
  const { keys } = await listKeys(store);
  if (reference !== undefined) return findKey(keys, reference);
  return keys.find((listed): listed is ListedOkKey => listed.state === "ok" && listed.active);
}

/**
 * The one "already saved" rule: `listed` is the very key given (the same Key ID and the same key material, by its
 * fingerprint) and readable. Import calls such a key saved already, a registration of it replaces nothing, and
 * LingCode's entry is that listed key.
 */
export function isSavedAlready(listed: ListedKey | undefined, key: { keyId: string; fingerprint: string }): boolean {
  return listed?.state === "ok" && listed.keyId === key.keyId && listed.fingerprint === key.fingerprint;
}

/** The error every action that needs a key throws when there is none (faces may say their own next step instead). */
export function noKeyError(): AscKeyError {
  return new AscKeyError("no-key", noKeySentence("Register one first."));
}

/** `"Acme" (Key ID 2X9R4HXF34), "Beta" (…)`: at most ten, then how many more. */
export function namesOf(keys: readonly Pick<ListedKey, "name" | "keyId">[]): string {
  const shown = keys.slice(0, 10).map(namedKey);
  const more = keys.length > 10 ? ` and ${keys.length - 10} more` : "";
  return `${shown.join(", ")}${more}`;
}

/**
 * The key a reference means, and its item when it has one. A Key ID that is in neither the list nor LingCode's entry
 * is looked for as an item (one left out of the list by a crash) before the reference is called unknown.
 */
export async function locateKey(
  store: KeyStore,
  snapshot: Snapshot,
  keys: ListedKey[],
  reference: string,
  options: { retired?: boolean } = {},
): Promise<{ key: ListedKey; item?: SavedItem }> {
  // A reference that means no usable key may mean a retired one (false: the caller looks further first).
  const unknown = async (error: AscKeyError) =>
    options.retired === false ? error : await retiredInstead(store, reference, error);
  try {
    return { key: findKey(keys, reference) };
  } catch (error) {
    if (!isAscKeyError(error, "key-unknown") && !isAscKeyError(error, "no-key")) throw error;
    const keyId = keyIdOf(reference);
    if (keyId === undefined) throw await unknown(error);
    const found = await readItemState(store, keyId);
    if (found.state !== "ok") throw await unknown(error);
    const summary = summarize(found.item.record) as KeySummary;
    const name = found.item.name ?? freeDefaultName(keys);
    return {
      key: { ...summary, name, state: "ok", active: false, saved: true },
      item: { record: found.item.record, name },
    };
  }
}

/**
 * A name or Key ID that means no saved key but a retired one (or a revoked key's record): said so, instead of "no
 * saved key is named …". One read of the retired keys' list, nothing secret, and only on this failure path.
 */
async function retiredInstead(store: KeyStore, reference: string, error: AscKeyError): Promise<AscKeyError> {
  const text = reference.trim();
  if (text === "") return error;
  const lines = await store.retired.readList().catch(() => []);
  const line = lines.find(
    (retired) => retired.keyId === text.toUpperCase() || (retired.state === "retired" && sameName(retired.name, text)),
  );
  if (!line) return error;
  return new AscKeyError("key-retired", retiredSentence(line));
}

export function keyIdOf(reference: string): string | undefined {
  try {
    return parseKeyId(reference).keyId;
  } catch {
    return undefined;
  }
}

/** The saved key's record, read from its item; LingCode's entry stands in for a missing or damaged item of its key. */
export async function recordOf(
  store: KeyStore,
  snapshot: Snapshot,
  key: ListedKey,
  item?: SavedItem,
): Promise<SavedItem> {
  if (item) return item;
  // A key only in LingCode's entry is listed from that entry, read in this snapshot.
  if (key.state === "ok" && !key.saved && snapshot.entry.state === "key") {
    return { record: snapshot.entry.record, name: key.name };
  }
  const read = await readItemState(store, key.keyId);
  if (read.state === "ok") return { record: read.item.record, name: key.name };
  // The item is gone or damaged: LingCode's entry may still hold the key.
  if (snapshot.entry.state === "not-read") snapshot.entry = await readEntryState(store);
  if (snapshot.entry.state === "key" && snapshot.entry.record.keyId === key.keyId) {
    return { record: snapshot.entry.record, name: key.name };
  }
  if (read.state === "missing") {
    throw new AscKeyError(
      "saved-key-missing",
      `The saved key ${namedKey(key)} is listed, but its item is missing from the Keychain; remove it and register the key again.`,
    );
  }
  throw unusableKey(key, read.reason, "used");
}

/** A saved key that is damaged: record-corrupt, naming it, why, and (with `advice`) what to do. */
export function unusableKey(
  key: { name: string; keyId: string },
  reason: string,
  verb: "used" | "renamed",
  advice = true,
): AscKeyError {
  return new AscKeyError(
    "record-corrupt",
    `The saved key ${namedKey(key)} cannot be ${verb}: ${reason}${advice ? "; remove it and register the key again" : ""}.`,
  );
}

interface SavedKey {
  /** Secret: for token minting and checks only. */
  record: KeyRecord;
  summary: SavedKeySummary;
}

/**
 * A saved key's record, by name or Key ID: the list of saved keys (its first page, usually) and the key's item; LingCode's
 * entry only when the key is not among the saved keys or its item cannot be read. Writes nothing.
 */
export async function readSavedKey(store: KeyStore, reference: string): Promise<SavedKey> {
  const snapshot = await readSnapshot(store, false);
  let keys = buildList(snapshot).keys;
  let found: { key: ListedKey; item?: SavedItem };
  try {
    found = await locateKey(store, snapshot, keys, reference, { retired: false });
  } catch (error) {
    if (!isAscKeyError(error, "key-unknown") && !isAscKeyError(error, "no-key")) throw error;
    // Perhaps the key in LingCode's entry, not yet among the saved keys (locate has looked for an item already);
    // only a reference that means no usable key at all is looked for among the retired keys.
    snapshot.entry = await readEntryState(store);
    keys = buildList(snapshot).keys;
    try {
      found = { key: findKey(keys, reference) };
    } catch (again) {
      if (!isAscKeyError(again, "key-unknown") && !isAscKeyError(again, "no-key")) throw again;
      throw await retiredInstead(store, reference, again);
    }
  }
  const { record, name } = await recordOf(store, snapshot, found.key, found.item);
  return { record, summary: { ...(summarize(record) as KeySummary), name: name ?? found.key.name } };
}

// ---------------------------------------------------------------------------------------------------------------
// Index lines

/** The index line of a record. */
export function lineOf(record: KeyRecord, name: string): SavedLine {
  const summary = summarize(record) as KeySummary;
  const line: SavedLine = { keyId: record.keyId, name, kind: record.kind };
  if (summary.issuerIdSuffix) line.issuerIdSuffix = summary.issuerIdSuffix;
  line.fingerprint = summary.fingerprint;
  line.savedAt = record.savedAt;
  return line;
}

export function sameLine(a: SavedLine | undefined, b: SavedLine): boolean {
  return (
    a !== undefined &&
    a.keyId === b.keyId &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.issuerIdSuffix === b.issuerIdSuffix &&
    a.fingerprint === b.fingerprint &&
    a.savedAt === b.savedAt
  );
}

export function lineFor(index: SavedIndex, keyId: string): SavedLine | undefined {
  for (const page of index.pages) {
    const line = page.lines.find((candidate) => candidate.keyId === keyId);
    if (line) return line;
  }
  return undefined;
}
/** Just the summary and the name of a listed key. */
export function summaryOf(key: ListedOkKey): SavedKeySummary {
  const { configured, kind, keyId, issuerIdSuffix, fingerprint, savedAt, name } = key;
  return issuerIdSuffix === undefined
    ? { configured, kind, keyId, fingerprint, savedAt, name }
    : { configured, kind, keyId, issuerIdSuffix, fingerprint, savedAt, name };
}

/** The list as built from a snapshot already read (for the registration, which reads once). */
export function listFromSnapshot(snapshot: Snapshot): ListedKey[] {
  return buildList(snapshot).keys;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next;
      next += 1;
      results[at] = await fn(items[at]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
