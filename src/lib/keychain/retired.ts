/**
 * Retired keys in the Keychain, under the saved keys' service (docs/revocation.md): a key a rotation or replacement
 * took out of use, kept only to ask Apple whether it still works.
 *
 * - Item `retired-<Key ID>` (`retired-x<hex>` for a Key ID with other characters, as `key-<ID>` items are): the
 *   retired key's record and name, exactly as its `key-<ID>` item held it. A prefix of its own, never a flag, so that
 *   nothing that looks up a usable key (`key-<ID>` items, the index's `keys`) can find it.
 * - Item `retired`: one line of JSON, nothing secret: `{ version, retired: [line, …] }`, each line the retired key's
 *   non-secret facts and its check history, or, once proven revoked, only `{ keyId, refusedAt }`. A list of its own
 *   beside the index pages, so that the usable keys' pages (rebuilt from their items, deleted when empty) never carry
 *   a retired key, and a retired key's history never takes room a usable key needs.
 *
 * Order of writes (src/lib/keys/retired.ts keeps it): a line is written before its item, and its item is deleted
 * before the line goes, so every retired item stays reachable from the list.
 */
import { AscKeyError } from "../errors";
import { parseKeyId } from "../ids";
import type { KeyKind, KeyRecord } from "../record";
import { parseRetiredChecks, parseRevokedKey, type RetiredCheck, type RevokedKey } from "../apple";
import { printable } from "../text";
import { setAndReadBack, type ItemRef, type SecretBackend } from "./backend";
import { MAX_COMMAND_LINE } from "./macos";
import { parseSavedItem, serializeSavedItem, type SavedItem } from "./saved";

const RETIRED_LIST_ACCOUNT = "retired";
const RETIRED_LIST_LABEL = "LingCode: retired App Store Connect keys (the list; nothing secret)";
const RETIRED_VERSION = 1;

/** A retired key not yet proven revoked: nothing secret. */
export interface RetiredLine {
  keyId: string;
  kind: KeyKind;
  issuerIdSuffix?: string;
  fingerprint: string;
  name: string;
  /** When it was retired (this computer's clock, ISO 8601). */
  retiredAt: string;
  checks: RetiredCheck[];
}

export type RetiredListLine = ({ state: "retired" } & RetiredLine) | ({ state: "revoked" } & RevokedKey);

export interface RetiredStore {
  /** The list (one read, no secret); empty when there is none. A damaged list reads as the lines it still holds. */
  readList(): Promise<RetiredListLine[]>;
  /** The list's item, for reading it beside another (SecretBackend.getMany), and how its text is read. */
  readonly listItem: ItemRef;
  parseList(text: string | undefined): RetiredListLine[];
  /** Writes the whole list in one update, read back; deletes it when empty. */
  writeList(lines: readonly RetiredListLine[]): Promise<void>;
  /** The retired key's record (secret: for its one request only), or undefined when there is no item. */
  readItem(keyId: string): Promise<SavedItem | undefined>;
  writeItem(record: KeyRecord, name: string): Promise<void>;
  deleteItem(keyId: string): Promise<boolean>;
}

/** `retired-<Key ID>`, or `retired-x<hex>` for a Key ID the `security` tool's quoting cannot carry. */
export function retiredAccount(keyId: string): string {
  return /^[A-Z0-9]+$/.test(keyId) ? `retired-${keyId}` : `retired-x${Buffer.from(keyId, "utf8").toString("hex")}`;
}

function retiredLabel(keyId: string): string {
  const shown = /^[A-Z0-9]+$/.test(keyId) ? keyId : "(unusual Key ID)";
  return `LingCode: retired App Store Connect key ${shown} (kept only to ask Apple whether it still works)`;
}

export function createRetiredStore(service: string, backend: SecretBackend): RetiredStore {
  return {
    async readList() {
      const text = await backend.get(service, RETIRED_LIST_ACCOUNT);
      return text === undefined ? [] : parseRetiredList(text);
    },

    listItem: { service, account: RETIRED_LIST_ACCOUNT },

    parseList(text) {
      return text === undefined ? [] : parseRetiredList(text);
    },

    async writeList(lines) {
      if (lines.length === 0) {
        await backend.delete(service, RETIRED_LIST_ACCOUNT);
        return;
      }
      const text = serializeRetiredList(lines);
      // The secret goes as hex on one `security -i` line: every byte counts twice.
      if (Buffer.byteLength(text, "utf8") * 2 + 400 > MAX_COMMAND_LINE) {
        throw new AscKeyError("keychain-too-long", "The list of retired keys grew too long; nothing was changed.");
      }
      const differs =
        "The list of retired keys read back differently right after it was written (another change at the same moment?); check again before relying on it.";
      await setAndReadBack(backend, { service, account: RETIRED_LIST_ACCOUNT, label: RETIRED_LIST_LABEL }, text, {
        missing: differs,
        different: differs,
      });
    },

    async readItem(keyId) {
      const text = await backend.get(service, retiredAccount(keyId));
      return text === undefined ? undefined : parseSavedItem(text);
    },

    async writeItem(record, name) {
      await setAndReadBack(
        backend,
        { service, account: retiredAccount(record.keyId), label: retiredLabel(record.keyId) },
        serializeSavedItem(record, name),
        {
          missing:
            "The retired key was not found in the Keychain right after keeping it; the old key was left as it was.",
          different:
            "The Keychain returned something other than the retired key just written (another change at the same moment?); the old key was left as it was.",
        },
      );
    },

    deleteItem(keyId) {
      return backend.delete(service, retiredAccount(keyId));
    },
  };
}

function serializeRetiredList(lines: readonly RetiredListLine[]): string {
  const retired = lines.map((line) => {
    if (line.state === "revoked") return { keyId: line.keyId, refusedAt: line.refusedAt };
    const { keyId, kind, issuerIdSuffix, fingerprint, name, retiredAt, checks } = line;
    return issuerIdSuffix === undefined
      ? { keyId, kind, fingerprint, name, retiredAt, checks }
      : { keyId, kind, issuerIdSuffix, fingerprint, name, retiredAt, checks };
  });
  return JSON.stringify({ version: RETIRED_VERSION, retired });
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Reads the list as far as it goes; a line this version cannot read is left out (it never proves anything). */
function parseRetiredList(text: string): RetiredListLine[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof value !== "object" || value === null) return [];
  const raw = value as Record<string, unknown>;
  if (raw.version !== RETIRED_VERSION || !Array.isArray(raw.retired)) return [];
  const lines: RetiredListLine[] = [];
  for (const item of raw.retired as unknown[]) {
    const line = parseLine(item);
    if (line && !lines.some((other) => other.keyId === line.keyId)) lines.push(line);
  }
  return lines;
}

function parseLine(value: unknown): RetiredListLine | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  if (raw.refusedAt !== undefined) {
    const revoked = parseRevokedKey(raw);
    return revoked && { state: "revoked", ...revoked };
  }
  let keyId: string;
  try {
    keyId = parseKeyId(String(raw.keyId)).keyId;
  } catch {
    return undefined;
  }
  if (keyId !== raw.keyId) return undefined;
  if (raw.kind !== "team" && raw.kind !== "individual") return undefined;
  if (typeof raw.fingerprint !== "string" || !FINGERPRINT.test(raw.fingerprint)) return undefined;
  if (typeof raw.retiredAt !== "string" || Number.isNaN(Date.parse(raw.retiredAt))) return undefined;
  const name = typeof raw.name === "string" && raw.name.trim() !== "" ? printable(raw.name) : `Key ${keyId}`;
  const line: RetiredListLine = {
    state: "retired",
    keyId,
    kind: raw.kind,
    fingerprint: raw.fingerprint,
    name,
    retiredAt: raw.retiredAt,
    checks: parseRetiredChecks(raw.checks),
  };
  if (raw.kind === "team" && typeof raw.issuerIdSuffix === "string" && /^[0-9a-f]{3}$/.test(raw.issuerIdSuffix)) {
    line.issuerIdSuffix = raw.issuerIdSuffix;
  }
  return line;
}
