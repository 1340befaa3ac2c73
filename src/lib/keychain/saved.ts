/**
 * The saved keys beside the entry LingCode reads: one item per key under their own service (`<service> Saved Keys`,
 * e.g. `LingCode Saved Keys`), and an index that lists them without any secret, so that a list needs no secret read.
 * The service of LingCode's entry holds that one entry and nothing else. docs/keychain-entry.md has the layout.
 *
 * - Item `key-<Key ID>`: the key's full record (the same JSON as LingCode's entry) plus `name`.
 * - Index pages `index`, `index-2`, …: each one line of JSON listing keys by Key ID, name, kind, the Issuer ID's last
 *   three characters, fingerprint and savedAt. Page 1 also says how many pages there are, so a list reads page 1 and
 *   then the others at once. A page stays under what `security -i` can take in one line (the secret goes as hex, so
 *   every byte counts twice): one page holds about six keys, and a list of n keys reads about n/6 + 1 items.
 * - Every change rewrites one page (a single item update), except a new page, which is written before page 1 counts it.
 *
 * The index is a cache, the items are the truth: the store lists its items without reading a secret
 * (`itemKeyIds`: `security dump-keychain`, `secret-tool search`), and a listing that finds a damaged or missing page,
 * or an item the index leaves out, reads those items and rebuilds the index from them (src/lib/keys/read.ts,
 * repairIndex). The order of writes still keeps every item reachable from the index: a key is added to the index
 * before its item is written, and removed from it after its item is deleted. What a crash can leave is an index line
 * whose item is missing or out of date; it is listed as damaged (with Remove), or repaired from the item when the
 * key is next read. Every change of the index is a read-modify-write under one lock (src/lib/keychain/lock.ts).
 */
import { parseKeyRole, type KeyRole } from "../apple";
import { AscKeyError } from "../errors";
import { parseKeyId } from "../ids";
import { MAX_NAME_LENGTH } from "../names";
import { printable } from "../text";
import { parseRecord, serializeRecord, type KeyKind, type KeyRecord } from "../record";
import { setAndReadBack, type SecretBackend } from "./backend";
import { createLock } from "./lock";
import { MAX_COMMAND_LINE } from "./macos";

/** The saved keys' service: the entry's service and this. */
export const SAVED_KEYS_SUFFIX = " Saved Keys";
const INDEX_LABEL = "LingCode: saved App Store Connect keys (the list; nothing secret)";
const INDEX_VERSION = 1;

export function savedKeysService(service: string): string {
  return `${service}${SAVED_KEYS_SUFFIX}`;
}

export function indexAccount(page: number): string {
  return page === 1 ? "index" : `index-${page}`;
}

/**
 * `key-<Key ID>`. A Key ID with a character the `security` tool's quoting cannot carry (Apple publishes no format, so
 * any printable ASCII is accepted) is written as `key-x<hex>` instead.
 */
export function itemAccount(keyId: string): string {
  return /^[A-Z0-9]+$/.test(keyId) ? `key-${keyId}` : `key-x${Buffer.from(keyId, "utf8").toString("hex")}`;
}

function itemLabel(keyId: string): string {
  return `LingCode: saved App Store Connect key ${/^[A-Z0-9]+$/.test(keyId) ? keyId : "(unusual Key ID)"}`;
}

/** One key in the index. Only `keyId` is sure to be there: a line missing anything else is listed as damaged. */
export interface SavedLine {
  keyId: string;
  name?: string;
  kind?: KeyKind;
  issuerIdSuffix?: string;
  fingerprint?: string;
  savedAt?: string;
  /**
   * What the key's Access column on Team Keys shows, as the user recorded it (src/lib/keys/roles.ts). Kept when
   * the line is written again for the same key material without a `role` property; an explicit `role: undefined`
   * forgets it.
   */
  role?: KeyRole;
  /**
   * When Apple last accepted the key (ISO 8601): at the check before it was saved, or at a later check. Left out
   * when it was never checked or its last check ended in a 401 (src/lib/keys/accepted.ts). A 401 for a key Apple
   * accepted before is asked once more after a pause. Kept, as `role` is, when the line is written again for the
   * same key material without an `acceptedAt` property; an explicit `acceptedAt: undefined` forgets it.
   */
  acceptedAt?: string;
  /**
   * Whether Apple let the key into Users and Access at its last capability check ("yes" or "no"; nothing when never
   * known): what a role recorded later is compared with (src/lib/keys/roles.ts). Kept like `role`.
   */
  users?: "yes" | "no";
}

/** A line with everything a list shows. */
type CompleteLine = Required<Omit<SavedLine, "issuerIdSuffix" | "role" | "acceptedAt" | "users">> &
  Pick<SavedLine, "issuerIdSuffix" | "role" | "acceptedAt" | "users">;

/** What a line keeps from the line it replaces, for the same key material: what the user recorded and Apple said. */
const KEPT_WITH_KEY_MATERIAL = ["role", "acceptedAt", "users"] as const;

/**
 * The line that replaces `before` for the same Key ID, as every writer of the index writes it (putLine, rebuild): the
 * recorded role, the last accepted check and Apple's last Users and Access answer stay with the same key material
 * (same fingerprint) unless the new line has that property (an explicit `undefined` forgets it).
 */
export function replacingLine(before: SavedLine | undefined, line: SavedLine): SavedLine {
  if (before === undefined || before.fingerprint !== line.fingerprint) return line;
  const next: SavedLine = { ...line };
  for (const field of KEPT_WITH_KEY_MATERIAL) {
    if (!(field in line) && before[field] !== undefined) Object.assign(next, { [field]: before[field] });
  }
  return next;
}

export function isComplete(line: SavedLine): line is CompleteLine {
  return (
    line.name !== undefined &&
    line.kind !== undefined &&
    line.fingerprint !== undefined &&
    line.savedAt !== undefined &&
    (line.kind === "individual" || line.issuerIdSuffix !== undefined)
  );
}

export interface IndexPage {
  /** 1-based. */
  number: number;
  lines: SavedLine[];
  /** Why the stored page could not be read as it is; `lines` are what could be found in it. */
  damage?: string;
  /** Page 1 counts it, but it is not there (its lines are unknown). */
  missing?: boolean;
}

/** The index as read: `pages` is empty when there is none (no key was ever saved, or all were removed). */
export interface SavedIndex {
  pages: IndexPage[];
  /** How many Keychain reads reading it took (one per page, and one that found no next page where it looked). */
  reads: number;
}

/** A saved item: the record and the name kept with it. */
export interface SavedItem {
  record: KeyRecord;
  name?: string;
}

export interface SavedKeyStore {
  readonly service: string;
  /** Page 1, then the pages it counts, all at once. */
  readIndex(): Promise<SavedIndex>;
  /** The item of a saved key, or undefined when there is none. Throws record-corrupt / record-version for a bad one. */
  readItem(keyId: string): Promise<SavedItem | undefined>;
  /** Writes the item in one update and reads it back (keychain-mismatch unless identical). */
  writeItem(record: KeyRecord, name: string): Promise<void>;
  deleteItem(keyId: string): Promise<boolean>;
  /**
   * Adds the line, or replaces the one with its Key ID where it is. `after`: a new line goes right after that key's
   * line (a rotated key keeps its place). Updates `index` as it writes.
   */
  putLine(index: SavedIndex, line: SavedLine, options?: { after?: string }): Promise<void>;
  /** Removes every line with this Key ID (a page at a time); when no key is left, the index itself. */
  dropLine(index: SavedIndex, keyId: string): Promise<void>;
  /**
   * The Key IDs of every saved item, from the store's listing of the service's items (no secret read), or undefined
   * when the store cannot list them.
   */
  itemKeyIds(): Promise<string[] | undefined>;
  /**
   * Writes the index again with these lines put in (replacing a line with the same Key ID; new ones after the
   * others), keeping every line it holds: a line whose item is missing may be a save under way. Updates `index`.
   */
  rebuild(index: SavedIndex, lines: readonly SavedLine[]): Promise<void>;
  /**
   * Runs `fn` holding the saved keys' lock (src/lib/keychain/lock.ts). With `index`: when the lock was not held
   * already, the index is read again inside it first (into `index`), so `fn` changes what is there now.
   */
  locked<T>(fn: () => Promise<T>, index?: SavedIndex): Promise<T>;
}

/** How many bytes a page may take: its hex must fit on one `security -i` line beside the command's other words. */
export function pageBudget(service: string): number {
  const words = `add-generic-password -U -s "${service}" -a "${indexAccount(999)}" -l "${INDEX_LABEL}" -X ""`;
  // Room for a keychain file's path that the macOS backend may add to the line.
  const reserve = 400;
  return Math.floor((MAX_COMMAND_LINE - Buffer.byteLength(words, "utf8") - reserve) / 2);
}

/** New lines fill a page up to this share of the budget, leaving room for a longer name or a rotated key later. */
const FILL = 0.75;

export function createSavedKeyStore(service: string, backend: SecretBackend, lockFile: string): SavedKeyStore {
  const budget = pageBudget(service);
  const lock = createLock(lockFile);

  const writePage = async (index: SavedIndex, page: IndexPage) => {
    const text = serializePage(page, page.number === 1 ? index.pages.length : undefined);
    if (Buffer.byteLength(text, "utf8") > budget) {
      throw new AscKeyError("keychain-too-long", "A page of the saved keys' list grew too long; nothing was changed.");
    }
    const differs =
      "The list of saved keys read back differently right after it was written (another change at the same moment?); list the keys again before relying on it.";
    await setAndReadBack(backend, { service, account: indexAccount(page.number), label: INDEX_LABEL }, text, {
      missing: differs,
      different: differs,
    });
    page.damage = undefined;
    page.missing = undefined;
  };

  const fits = (index: SavedIndex, page: IndexPage, share: number) =>
    Buffer.byteLength(serializePage(page, page.number === 1 ? index.pages.length : undefined), "utf8") <=
    budget * share;

  /** Appends to the first page with room, or to a new last page (written before page 1 counts it). */
  const append = async (index: SavedIndex, line: SavedLine) => {
    for (const page of index.pages) {
      const tried = { ...page, lines: [...page.lines, line] };
      if (fits(index, tried, FILL)) {
        page.lines = tried.lines;
        await writePage(index, page);
        return;
      }
    }
    const page: IndexPage = { number: index.pages.length + 1, lines: [line] };
    index.pages.push(page);
    try {
      await writePage(index, page);
      if (page.number > 1) await writePage(index, index.pages[0]);
    } catch (error) {
      index.pages.pop();
      throw error;
    }
  };

  const readIndex = async (): Promise<SavedIndex> => {
    const first = await backend.get(service, indexAccount(1));
    if (first === undefined) return { pages: [], reads: 1 };
    const head = parsePage(first, 1);
    if (head.count === undefined) {
      // Page 1 no longer says how many pages there are: look for them one by one, so that none is hidden.
      const pages = [head.page];
      let reads = 1;
      for (let number = 2; number <= MAX_PAGES; number += 1) {
        const text = await backend.get(service, indexAccount(number));
        reads += 1;
        if (text === undefined) break;
        pages.push(parsePage(text, number).page);
      }
      return { pages, reads };
    }
    const count = head.count;
    const rest = await Promise.all(
      Array.from({ length: count - 1 }, async (_, i): Promise<IndexPage> => {
        const number = i + 2;
        const text = await backend.get(service, indexAccount(number));
        if (text === undefined) return { number, lines: [], missing: true };
        return parsePage(text, number).page;
      }),
    );
    return { pages: [head.page, ...rest], reads: count };
  };

  /**
   * Every change of the index is a read-modify-write under the lock: the index is read again inside it (unless an
   * outer call holds the lock and read it there), so a change another process finished meanwhile is kept, never
   * written over with an older copy.
   */
  const changing = <T>(index: SavedIndex | undefined, fn: () => Promise<T>): Promise<T> =>
    lock.run(async (fresh) => {
      if (fresh && index) {
        const now = await readIndex();
        index.pages = now.pages;
        index.reads += now.reads;
      }
      return fn();
    });

  const putLine = async (index: SavedIndex, line: SavedLine, options: { after?: string } = {}) => {
    for (const page of index.pages) {
      const at = page.lines.findIndex((existing) => existing.keyId === line.keyId);
      if (at === -1) continue;
      const lines = [...page.lines];
      const next = replacingLine(page.lines[at], line);
      lines[at] = next;
      if (fits(index, { ...page, lines }, 1)) {
        page.lines = lines;
        await writePage(index, page);
        return;
      }
      // Grown past its page: written elsewhere first, then taken out of here.
      await append(index, next);
      page.lines = page.lines.filter((existing) => existing !== page.lines[at]);
      await writePage(index, page);
      return;
    }
    if (options.after !== undefined) {
      for (const page of index.pages) {
        const at = page.lines.findIndex((existing) => existing.keyId === options.after);
        if (at === -1) continue;
        const lines = [...page.lines.slice(0, at + 1), line, ...page.lines.slice(at + 1)];
        if (!fits(index, { ...page, lines }, 1)) break;
        page.lines = lines;
        await writePage(index, page);
        return;
      }
    }
    await append(index, line);
  };

  return {
    service,
    readIndex,
    locked: (fn, index) => changing(index, fn),

    async itemKeyIds() {
      if (!backend.accounts) return undefined;
      const keyIds = new Set<string>();
      for (const account of await backend.accounts(service)) {
        const keyId = keyIdOfAccount(account);
        if (keyId !== undefined) keyIds.add(keyId);
      }
      return [...keyIds];
    },

    rebuild(index, lines) {
      return changing(index, async () => {
        const all: SavedLine[] = [];
        for (const page of index.pages) {
          for (const line of page.lines) if (!all.some((other) => other.keyId === line.keyId)) all.push(line);
        }
        for (const line of lines) {
          const at = all.findIndex((other) => other.keyId === line.keyId);
          if (at === -1) all.push(line);
          else all[at] = replacingLine(all[at], line);
        }
        // In the order the keys were saved in (the index's own order), a line that lost its date last.
        all.sort((a, b) => (a.savedAt ?? "\uffff").localeCompare(b.savedAt ?? "\uffff"));
        const before = index.pages.length;
        const pages: IndexPage[] = [];
        for (const line of all) {
          const last = pages.at(-1);
          const tried = last && { ...last, lines: [...last.lines, line] };
          if (last && tried && fits(ROOMY, tried, FILL)) {
            last.lines = tried.lines;
          } else {
            pages.push({ number: pages.length + 1, lines: [line] });
          }
        }
        index.pages = pages;
        // The other pages first, page 1 (which counts them) last; then pages it no longer counts go.
        for (const page of [...pages].reverse()) await writePage(index, page);
        for (let number = pages.length + 1; number <= before; number += 1) {
          await backend.delete(service, indexAccount(number)).catch(() => false);
        }
      });
    },

    async readItem(keyId) {
      const text = await backend.get(service, itemAccount(keyId));
      return text === undefined ? undefined : parseSavedItem(text);
    },

    async writeItem(record, name) {
      const text = serializeSavedItem(record, name);
      await setAndReadBack(
        backend,
        { service, account: itemAccount(record.keyId), label: itemLabel(record.keyId) },
        text,
        {
          missing: "The saved key was not found in the Keychain right after saving it; it was not saved.",
          different:
            "The Keychain returned something other than the saved key just written (another save at the same moment?); check the saved keys before relying on them.",
        },
      );
    },

    deleteItem(keyId) {
      return backend.delete(service, itemAccount(keyId));
    },

    putLine(index, line, options = {}) {
      return changing(index, () => putLine(index, line, options));
    },

    dropLine(index, keyId) {
      return changing(index, () => dropLine(index, keyId));
    },
  };

  async function dropLine(index: SavedIndex, keyId: string) {
    for (const page of index.pages) {
      if (!page.lines.some((line) => line.keyId === keyId)) continue;
      page.lines = page.lines.filter((line) => line.keyId !== keyId);
      await writePage(index, page);
    }
    // No key left: the index goes too (the last pages first; page 1, which counts them, last).
    if (index.pages.length > 0 && index.pages.every((page) => page.lines.length === 0 && !page.damage)) {
      for (const page of [...index.pages].reverse()) await backend.delete(service, indexAccount(page.number));
      index.pages = [];
    }
  }
}

/** The Key ID an item's account names (`key-<Key ID>`, `key-x<hex>`), or undefined for any other account. */
function keyIdOfAccount(account: string): string | undefined {
  const hex = /^key-x((?:[0-9a-f]{2})+)$/.exec(account);
  const keyId = hex ? Buffer.from(hex[1], "hex").toString("utf8") : /^key-([A-Z0-9]+)$/.exec(account)?.[1];
  return keyId !== undefined && itemAccount(keyId) === account ? exactKeyId(keyId) : undefined;
}

/** One line of JSON; page 1 says how many pages there are. */
export function serializePage(page: Pick<IndexPage, "lines">, count?: number): string {
  const value: Record<string, unknown> = { version: INDEX_VERSION };
  if (count !== undefined) value.pages = count;
  value.keys = page.lines.map(orderedLine);
  return JSON.stringify(value);
}

function orderedLine(line: SavedLine): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (line.name !== undefined) out.name = line.name;
  out.keyId = line.keyId;
  if (line.kind !== undefined) out.kind = line.kind;
  if (line.issuerIdSuffix !== undefined) out.issuerIdSuffix = line.issuerIdSuffix;
  if (line.fingerprint !== undefined) out.fingerprint = line.fingerprint;
  if (line.savedAt !== undefined) out.savedAt = line.savedAt;
  if (line.role !== undefined) out.role = line.role;
  if (line.acceptedAt !== undefined) out.acceptedAt = line.acceptedAt;
  if (line.users !== undefined) out.users = line.users;
  return out;
}

/** An index as long as an index can be: for measuring page 1 with its count at its widest. */
const ROOMY: SavedIndex = { pages: new Array<IndexPage>(1000), reads: 0 };

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const MAX_PAGES = 1000;

/** Reads a page as far as it goes. Never throws: what cannot be read is reported as damage. */
export function parsePage(text: string, number: number): { page: IndexPage; count?: number } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return salvage(text, number, "it is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return salvage(text, number, "it is not a JSON object");
  }
  const raw = value as Record<string, unknown>;
  if (raw.version !== INDEX_VERSION) return salvage(text, number, "its version is not one this version knows");
  if (!Array.isArray(raw.keys)) return salvage(text, number, "it has no list of keys");
  let count: number | undefined;
  let damage: string | undefined;
  if (number === 1) {
    if (typeof raw.pages === "number" && Number.isInteger(raw.pages) && raw.pages >= 1 && raw.pages <= MAX_PAGES) {
      count = raw.pages;
    } else {
      damage = "it does not say how many pages there are";
    }
  }
  const lines: SavedLine[] = [];
  for (const item of raw.keys as unknown[]) {
    const line = parseLine(item);
    if (line) lines.push(line);
    else damage = "a line without a Key ID was left out";
  }
  return { page: damage ? { number, lines, damage } : { number, lines }, count };
}

function parseLine(value: unknown): SavedLine | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const raw = value as Record<string, unknown>;
  const keyId = exactKeyId(raw.keyId);
  if (keyId === undefined) return undefined;
  const line: SavedLine = { keyId };
  if (typeof raw.name === "string" && validName(raw.name)) line.name = shownName(raw.name);
  if (raw.kind === "team" || raw.kind === "individual") line.kind = raw.kind;
  if (line.kind === "team" && typeof raw.issuerIdSuffix === "string" && /^[0-9a-f]{3}$/.test(raw.issuerIdSuffix)) {
    line.issuerIdSuffix = raw.issuerIdSuffix;
  }
  if (typeof raw.fingerprint === "string" && FINGERPRINT.test(raw.fingerprint)) line.fingerprint = raw.fingerprint;
  if (typeof raw.savedAt === "string" && !Number.isNaN(Date.parse(raw.savedAt))) line.savedAt = raw.savedAt;
  const role = line.kind === "team" ? parseKeyRole(raw.role) : undefined;
  if (role !== undefined) line.role = role;
  if (typeof raw.acceptedAt === "string" && !Number.isNaN(Date.parse(raw.acceptedAt))) line.acceptedAt = raw.acceptedAt;
  if (line.kind === "team" && (raw.users === "yes" || raw.users === "no")) line.users = raw.users;
  return line;
}

/** A Key ID exactly as this version writes one (trimmed, uppercase), or undefined. */
function exactKeyId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const { keyId } = parseKeyId(value);
    return keyId === value ? keyId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A stored name as every face shows it: a name planted with a format character (U+202E, a zero-width space, ...),
 * which no version lets the user type, has it escaped (`\u202e`) here, where it leaves the Keychain, so the list,
 * the views, the CLI and the AI tools all show what it is.
 */
function shownName(name: string): string {
  return printable(name);
}

/** The name rules' shape (src/lib/names.ts), checked loosely: a stored name is shown only if it is one line. */
function validName(name: string): boolean {
  if (name.trim() === "" || [...name].length > MAX_NAME_LENGTH) return false;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name);
}

/** The Key IDs (and page count) that can still be found in a damaged page. */
function salvage(text: string, number: number, why: string): { page: IndexPage; count?: number } {
  const lines: SavedLine[] = [];
  for (const match of text.matchAll(/"keyId"\s*:\s*"([^"\\]{1,20})"/g)) {
    const keyId = exactKeyId(match[1]);
    if (keyId !== undefined && !lines.some((line) => line.keyId === keyId)) lines.push({ keyId });
  }
  const pages = number === 1 ? /"pages"\s*:\s*(\d{1,4})\b/.exec(text) : null;
  const count = pages && Number(pages[1]) >= 1 && Number(pages[1]) <= MAX_PAGES ? Number(pages[1]) : undefined;
  return { page: { number, lines, damage: `page ${number} of the list is damaged (${why})` }, count };
}

/** The record as LingCode's entry holds it, with `name` last. */
export function serializeSavedItem(record: KeyRecord, name: string): string {
  return JSON.stringify({ ...(JSON.parse(serializeRecord(record)) as Record<string, unknown>), name });
}

/** Throws record-corrupt / record-version as parseRecord does; a missing or odd name is left out. */
export function parseSavedItem(text: string): SavedItem {
  const record = parseRecord(text);
  const raw = JSON.parse(text.trim()) as Record<string, unknown>;
  return typeof raw.name === "string" && validName(raw.name)
    ? { record, name: shownName(raw.name.trim()) }
    : { record };
}
