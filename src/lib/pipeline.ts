/**
 * The one line every face of the product follows: form values -> key model -> Apple check -> Keychain -> status.
 * The Raycast form, the AI tools and the asc-key CLI all call these functions; none of them knows which face
 * called it. Nothing here prints, caches or returns key material except `KeyRecord.privateKey`, which callers
 * hand to the store or to token minting and never show.
 */
import { checkKey, type CheckOptions, type CheckResult } from "./asc-client";
import { checkCapabilities, type CapabilityOptions, type CapabilityReport } from "./capabilities";
import { AscKeyError, isUnreadableEntry } from "./errors";
import { parseIssuerId, parseKeyId } from "./ids";
import { loadKeyFile, normalizePrivateKey } from "./key";
import type { KeyStore } from "./keychain";
import { OUTCOME } from "./outcomes";
import type { KeyKind, KeyRecord } from "./record";
import { NOT_CONFIGURED_SENTENCE, statusSentence, summarize, type KeyStatus, type KeySummary } from "./status";
import { clearTokenCache, mintToken, type MintOptions } from "./token";

export interface KeyInput {
  kind: KeyKind;
  /** As typed or pasted; cleaned by the key model. Required for team keys, refused for individual keys. */
  issuerId?: string;
  /** As typed; trimmed and uppercased. */
  keyId: string;
  /** Path of the .p8 file... */
  p8Path?: string;
  /** ...or its contents (e.g. from stdin). */
  p8Text?: string;
}

export interface PreparedKey {
  /** The record to save, with `savedAt` set now. Its privateKey is secret. */
  record: KeyRecord;
  fingerprint: string;
  /** The .p8 file's name, when it came from a file. */
  fileName?: string;
  /** Observations worth showing that do not stop registration (unusual Key ID, file named for another key). */
  warnings: string[];
}

/** Validates everything a user gave, without touching the Keychain or the network. */
export async function prepareKey(input: KeyInput, now: () => number = Date.now): Promise<PreparedKey> {
  if (input.kind !== "team" && input.kind !== "individual") {
    throw new AscKeyError("kind-invalid", 'The key type must be "team" or "individual".');
  }
  const { keyId, warning } = parseKeyId(input.keyId);
  let issuerId: string | undefined;
  if (input.kind === "team") {
    issuerId = parseIssuerId(input.issuerId);
  } else if (input.issuerId?.trim()) {
    throw new AscKeyError(
      "issuer-id-not-allowed",
      "Individual keys take no Issuer ID (Apple rejects a token that carries one); leave it empty or choose Team.",
    );
  }
  const warnings = warning ? [warning] : [];
  let pem: string;
  let fingerprint: string;
  let fileName: string | undefined;
  if (input.p8Path !== undefined) {
    const loaded = await loadKeyFile(input.p8Path, keyId);
    ({ pem, fingerprint, fileName } = loaded);
    warnings.push(...loaded.warnings);
  } else if (input.p8Text !== undefined) {
    ({ pem, fingerprint } = normalizePrivateKey(input.p8Text));
  } else {
    throw new AscKeyError("file-not-found", "Choose the .p8 file you downloaded from Apple.");
  }
  const record: KeyRecord = {
    version: 1,
    kind: input.kind,
    keyId,
    privateKey: pem,
    savedAt: new Date(now()).toISOString(),
  };
  if (issuerId) record.issuerId = issuerId;
  return { record, fingerprint, fileName, warnings };
}

/** Apple's answer stopped a registration: nothing was saved. */
export class AppleCheckError extends AscKeyError {
  readonly check: CheckResult;

  constructor(check: CheckResult) {
    super(check.outcome === "rejected" ? "apple-rejected" : "apple-unavailable", check.message);
    this.check = check;
  }
}

export type RegistrationStep = "reading" | "checking" | "saving";

export interface RegisterOptions {
  store: KeyStore;
  /** Check with Apple before saving (default true). */
  verify?: boolean;
  check?: CheckOptions;
  onStep?: (step: RegistrationStep) => void;
  now?: () => number;
  /**
   * The saved key as the caller already read it (null: none was saved), e.g. to ask before replacing it. Then it
   * is not read again, and `replaced` speaks of the key the user was asked about. Left out, it is read here.
   */
  previous?: KeySummary | null;
}

export interface Registration {
  summary: KeySummary;
  sentence: string;
  fingerprint: string;
  fileName?: string;
  warnings: string[];
  /** Apple's answer when verified. `role-limited`, `agreement-required` and `rate-limited` still save. */
  check?: CheckResult;
  /** The key this registration replaced, when it was a different one. */
  replaced?: KeySummary;
}

/**
 * Registers a key: validate, check with Apple (unless told not to), save in one Keychain update, read back.
 * Apple saying `rejected` throws AppleCheckError(apple-rejected); `unreachable` or `server-error` throws
 * AppleCheckError(apple-unavailable) so the caller can offer to save without verifying. The saved key survives
 * every failure.
 */
export async function registerKey(input: KeyInput | PreparedKey, options: RegisterOptions): Promise<Registration> {
  options.onStep?.("reading");
  const prepared = "record" in input ? input : await prepareKey(input, options.now);
  const previous =
    options.previous === undefined ? await readPreviousForReplace(options.store) : (options.previous ?? undefined);

  let check: CheckResult | undefined;
  if (options.verify ?? true) {
    options.onStep?.("checking");
    check = await checkKey(prepared.record, options.check);
    if (!OUTCOME[check.outcome].usable) throw new AppleCheckError(check);
  }

  options.onStep?.("saving");
  await options.store.write(prepared.record);
  clearTokenCache();

  const summary = summarize(prepared.record) as KeySummary;
  const replaced = previous && isDifferentKey(previous, summary) ? previous : undefined;
  return {
    summary,
    sentence: statusSentence(prepared.record),
    fingerprint: prepared.fingerprint,
    fileName: prepared.fileName,
    warnings: prepared.warnings,
    check,
    replaced,
  };
}

/** The saved key's summary, or undefined when there is none or the entry is unreadable (it will be replaced). */
export async function readPreviousForReplace(store: KeyStore): Promise<KeySummary | undefined> {
  try {
    const status = summarize(await store.read());
    return status.configured ? status : undefined;
  } catch (error) {
    if (isUnreadableEntry(error)) {
      return undefined;
    }
    throw error;
  }
}

/** Same Key ID and same key material means the same key registered again, not a replacement. */
export function isDifferentKey(
  a: Pick<KeySummary, "keyId" | "fingerprint">,
  b: Pick<KeySummary, "keyId" | "fingerprint">,
) {
  return a.keyId !== b.keyId || a.fingerprint !== b.fingerprint;
}

export interface StatusReport {
  status: KeyStatus;
  sentence: string;
}

/** "Is my key set up?" */
export async function readStatus(store: KeyStore): Promise<StatusReport> {
  const record = await store.read();
  return { status: summarize(record), sentence: statusSentence(record) };
}

const noKey = () =>
  new AscKeyError(
    "no-key",
    `${NOT_CONFIGURED_SENTENCE} Register one with the App Store Connect key's three values first.`,
  );

/** The saved record, for a command that needs the key itself. Throws no-key when nothing is saved. */
export async function requireRecord(store: KeyStore): Promise<KeyRecord> {
  const record = await store.read();
  if (!record) throw noKey();
  return record;
}

export interface Verification {
  summary: KeySummary;
  check: CheckResult;
}

/** One check of the saved key with Apple. Throws no-key when nothing is saved. */
export async function verifySavedKey(store: KeyStore, options: CheckOptions = {}): Promise<Verification> {
  const record = await requireRecord(store);
  const check = await checkKey(record, options);
  return { summary: summarize(record) as KeySummary, check };
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
  options: CapabilityOptions & { lastSeen?: LastSeenQuota } = {},
): Promise<CapabilityCheck> {
  const record = await requireRecord(store);
  const { lastSeen, ...rest } = options;
  const remembered = rememberedQuota(record.keyId, lastSeen, (options.now ?? Date.now)());
  const checkOptions =
    remembered === undefined || rest.rateLimitRemaining !== undefined
      ? rest
      : { ...rest, rateLimitRemaining: remembered };
  return { summary: summarize(record) as KeySummary, report: await checkCapabilities(record, checkOptions) };
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
export function rememberedQuota(keyId: string, lastSeen: LastSeenQuota | undefined, now: number): number | undefined {
  if (!lastSeen || lastSeen.keyId !== keyId || lastSeen.rateLimitRemaining === undefined) return undefined;
  const age = now - Date.parse(lastSeen.checkedAt);
  return age >= 0 && age < 3_600_000 ? lastSeen.rateLimitRemaining : undefined;
}

/** A short-lived token for the saved key (reused within the process until a minute before it expires). */
export async function mintSavedToken(store: KeyStore, options: MintOptions = {}): Promise<string> {
  return mintToken(await requireRecord(store), options);
}

export interface Removal {
  /** False when there was nothing to remove. */
  removed: boolean;
  /** What was removed, when the entry was readable. */
  previous?: KeySummary;
}

/**
 * Deletes the entry (a corrupt one too). A locked Keychain throws (keychain-locked), never "nothing to remove". An
 * entry read here that the removal then no longer finds was removed by someone else at the same moment: it is
 * gone, which is what was asked, so that is a removal too.
 */
export async function removeSavedKey(store: KeyStore): Promise<Removal> {
  let existed: boolean;
  let previous: KeySummary | undefined;
  try {
    const status = summarize(await store.read());
    existed = status.configured;
    previous = status.configured ? status : undefined;
  } catch (error) {
    if (!isUnreadableEntry(error)) throw error;
    existed = true;
  }
  const removed = await store.remove();
  clearTokenCache();
  if (!removed && !existed) return { removed: false };
  return previous ? { removed: true, previous } : { removed: true };
}
