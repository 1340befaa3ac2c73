/**
 * Using a saved key: "is my key set up?", one check with Apple, what the key can do, a token. Each reads the one key it
 * needs (LingCode's entry, or a saved key by name or Key ID) and nothing else; none writes.
 */
import {
  checkCapabilities,
  checkKey,
  explainRejection,
  type ExplainOptions,
  type RejectionExplained,
  type CapabilityOptions,
  type CapabilityReport,
  type CheckOptions,
  type CheckResult,
  type SubtitleClock,
} from "../apple";
import { rejectionText } from "../apple/rejection";
import type { KeyStore } from "../keychain";
import type { KeyRecord } from "../record";
import { noKeyError, readSavedKey, type SavedKeySummary } from "./read";
import { listRetiredKeys, type RetiredKeyView } from "./retired";
import { readSavedLine, rememberUsersAccess } from "./roles";
import { statusSentence, summarize, type KeyStatus, type KeySummary } from "../status";
import { mintToken, type MintOptions } from "../token";

export interface StatusReport {
  status: KeyStatus;
  sentence: string;
}

/** "Is my key set up?": LingCode's entry, one read. */
export async function readStatus(store: KeyStore): Promise<StatusReport> {
  const record = await store.read();
  return { status: summarize(record), sentence: statusSentence(record) };
}

/**
 * The status and the retired keys together, LingCode's entry and the list of retired keys read at once
 * (KeyStore.readWithRetired): what `asc-key status` shows, for the cost of one Keychain read where the Keychain can
 * answer both in one run.
 */
export async function readStatusWithRetired(
  store: KeyStore,
  clock: SubtitleClock = {},
): Promise<StatusReport & { retired: RetiredKeyView[] }> {
  const { record, retired } = await store.readWithRetired();
  return {
    status: summarize(record),
    sentence: statusSentence(record),
    retired: retired.length === 0 ? [] : await listRetiredKeys(store, clock, retired),
  };
}

interface SavedKeyStatus {
  summary: SavedKeySummary;
  sentence: string;
}

/** A saved key's status, by name or Key ID (reads the list and that key's item). */
export async function readSavedKeyStatus(store: KeyStore, key: string): Promise<SavedKeyStatus> {
  const { record, summary } = await readSavedKey(store, key);
  return { summary, sentence: statusSentence(record) };
}

/**
 * The record of the key LingCode uses, or with `key` (a name or Key ID) of that saved key, for a command that needs
 * the key itself. Throws no-key when nothing is saved, key-unknown / key-ambiguous for a reference that names no key
 * or two, key-retired for one that names a retired key (never used for anything but asking Apple).
 */
export async function requireRecord(store: KeyStore, key?: string): Promise<KeyRecord> {
  if (key !== undefined) return (await readSavedKey(store, key)).record;
  const record = await store.read();
  if (!record) throw noKeyError();
  return record;
}

/** Which key a command works with: `key` names a saved key (name or Key ID); left out, the key LingCode uses. */
interface KeyChoice {
  key?: string;
}

export interface Verification {
  summary: KeySummary;
  /** Apple's answer; after a 401 asked again after a pause (VerifyOptions.wasValid), the second answer. */
  check: CheckResult;
  /** A 401 explained (see apple/explain.ts); `check.message` then says what was found. */
  explained?: RejectionExplained;
}

/** How a saved key is verified. */
export interface VerifyOptions extends CheckOptions, KeyChoice, Pick<ExplainOptions, "retryPauseMs" | "pause"> {
  /** The key's record when the caller has read it already (`key` is then not read again): no Keychain read. */
  record?: KeyRecord;
  /**
   * Whether Apple accepted the key before (its line in the saved keys' index, and for Raycast also its remembered
   * checks: see verifyRememberingAcceptance in keys/accepted.ts): then a 401 is asked once more after a short pause before the
   * key is called rejected. Asked only after a 401.
   */
  wasValid?: (keyId: string, fingerprint: string) => boolean | Promise<boolean>;
}

/**
 * One check with Apple of the key LingCode uses (or of the saved key `key`); a 401 is explained (one or two more
 * requests: see apple/explain.ts), and the message says what was found. Throws no-key when nothing is saved.
 */
export async function verifySavedKey(store: KeyStore, options: VerifyOptions = {}): Promise<Verification> {
  const { key, wasValid, record: given, ...checkOptions } = options;
  const record = given ?? (await requireRecord(store, key));
  const summary = summarize(record) as KeySummary;
  const check = await checkKey(record, checkOptions);
  if (check.outcome !== "rejected") return { summary, check };
  const accepted = await wasValid?.(record.keyId, summary.fingerprint);
  const explained = await explainRejection(record, check, { ...checkOptions, wasValid: accepted });
  const again = explained.retry && explained.retry.outcome !== "rejected" ? explained.retry : undefined;
  if (again) return { summary, check: again, explained };
  return { summary, check: { ...check, message: rejectionText(record.keyId, explained) }, explained };
}

export interface CapabilityCheck {
  summary: KeySummary;
  report: CapabilityReport;
}

/**
 * What the saved key can do, area by area (at most six requests, none when `rateLimitRemaining` is under 20).
 * `switchHint` says, in the caller's words, how to switch to a smaller key. Throws no-key when nothing is saved.
 */
export async function checkSavedKeyCapabilities(
  store: KeyStore,
  options: CapabilityOptions & KeyChoice & { lastSeen?: LastSeenQuota } = {},
): Promise<CapabilityCheck> {
  const { lastSeen, key, ...rest } = options;
  const record = await requireRecord(store, key);
  const fingerprint = (summarize(record) as KeySummary).fingerprint;
  // The key's line: the role recorded from Team Keys and Apple's last Users and Access answer, from the index alone
  // (a team key only; an unreadable index: none).
  const line =
    record.kind === "team" ? await readSavedLine(store, record.keyId, fingerprint).catch(() => undefined) : undefined;
  const role = line?.role;
  const remembered = rememberedQuota(record.keyId, lastSeen, (options.now ?? Date.now)());
  const checkOptions =
    remembered === undefined || rest.rateLimitRemaining !== undefined
      ? rest
      : { ...rest, rateLimitRemaining: remembered };
  const report = await checkCapabilities(record, role ? { ...checkOptions, role } : checkOptions);
  // What Apple said about Users and Access is kept with the line, for a role recorded later (best effort).
  const users = report.areas.users?.answer;
  if (line && (users === "yes" || users === "no") && line.users !== users) {
    await rememberUsersAccess(store, record.keyId, fingerprint, users).catch(() => undefined);
  }
  return { summary: summarize(record) as KeySummary, report };
}

/** An earlier answer's hourly quota, as remembered (e.g. the last check). */
export interface LastSeenQuota {
  keyId: string;
  rateLimitRemaining?: number;
  checkedAt: string;
}

/**
 * The requests left this hour as last seen, when that was for this key within the past hour (Apple's limit is a
 * rolling hour, so an older count says nothing); an explicit `rateLimitRemaining` wins.
 */
function rememberedQuota(keyId: string, lastSeen: LastSeenQuota | undefined, now: number): number | undefined {
  if (!lastSeen || lastSeen.keyId !== keyId || lastSeen.rateLimitRemaining === undefined) return undefined;
  const age = now - Date.parse(lastSeen.checkedAt);
  return age >= 0 && age < 3_600_000 ? lastSeen.rateLimitRemaining : undefined;
}

/**
 * A short-lived token for the key LingCode uses, or the saved key `key` (reused within the process until a minute
 * before it expires).
 */
export async function mintSavedToken(store: KeyStore, options: MintOptions & KeyChoice = {}): Promise<string> {
  const { key, ...mintOptions } = options;
  return mintToken(await requireRecord(store, key), mintOptions);
}
