/**
 * The one line every face of the product follows: form values -> key model -> Apple check -> Keychain -> status.
 * The Raycast form, the AI tools and the asc-key CLI all call these functions; none of them knows which face
 * called it. Nothing here prints, caches or returns key material except `KeyRecord.privateKey`, which callers
 * hand to the store or to token minting and never show.
 */
import {
  checkCapabilities,
  checkKey,
  type CapabilityOptions,
  type CapabilityReport,
  type CheckOptions,
  type CheckResult,
} from "./apple";
import { AscKeyError, isAscKeyError } from "./errors";
import { parseIssuerId, parseKeyId } from "./ids";
import { loadKeyFile, normalizePrivateKey } from "./key";
import type { KeyStore } from "./keychain";
import { checkNameFree, freeDefaultName, parseKeyName } from "./key-names";
import { OUTCOME } from "./outcomes";
import type { KeyKind, KeyRecord } from "./record";
import {
  forgetKey,
  keepActiveKey,
  listFromSnapshot,
  locateKey,
  readSavedKey,
  readSnapshot,
  removeKey,
  saveKey,
  summaryOf,
  type ListedKey,
  type RemoveOptions,
  type Removal,
  type SavedKeySummary,
  type Snapshot,
} from "./saved-keys";
import { NOT_CONFIGURED_SENTENCE, statusSentence, summarize, type KeyStatus, type KeySummary } from "./status";
import { clearTokenCache, mintToken, type MintOptions } from "./token";

export type { Removal, RemoveOptions, SavedKeySummary };

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

/** The choices a registration takes besides the key itself (each face asks for them its own way). */
export interface RegistrationChoices {
  /**
   * The name to save the key under (one line, at most 40 characters, unique among the saved keys whatever the case).
   * Left out: the name the key already has (the same Key ID saved before, or the key it rotates), else a default
   * such as "Team ...4d1, key 2X9R4HXF34".
   */
  name?: string;
  /**
   * Whether LingCode uses the new key. Left out: RegistrationPlan.useByDefault. It is always true when the new key
   * replaces the key LingCode uses (rotating it, or the same Key ID); false then is refused (`choice-invalid`).
   */
  use?: boolean;
  /**
   * Rotation: the saved key (name or Key ID) the new key replaces. The new key takes its name and its place in the
   * list, LingCode uses it if it used the old one, and the old key is removed (`Registration.replaced`: revoke it).
   */
  rotates?: string;
}

export interface RegisterOptions extends RegistrationChoices {
  store: KeyStore;
  /** Check with Apple before saving (default true). */
  verify?: boolean;
  check?: CheckOptions;
  onStep?: (step: RegistrationStep) => void;
  now?: () => number;
}

/** What a registration would do, to ask the user before it does it. Nothing secret. */
export interface RegistrationPlan {
  /** The name the key will be saved under. */
  name: string;
  /** The key LingCode uses now, with its name (undefined: none, or an unreadable entry). */
  current?: SavedKeySummary;
  /** LingCode's entry is there but unreadable; it is replaced if LingCode uses the new key. */
  currentUnreadable: boolean;
  /**
   * The default answer to "Should LingCode use this key?": yes when LingCode has no usable key, when it uses a key
   * with this Key ID, or a team key of the same team (the same Issuer ID); no otherwise. A key that takes a saved
   * key's place (a rotation, or the same Key ID with other key material) keeps it: yes exactly when LingCode uses
   * the key it replaces.
   */
  useByDefault: boolean;
  /** Whether LingCode will use the new key, with the choices given. */
  use: boolean;
  /** The very same key (Key ID and key material) is saved already: registering it again refreshes it. */
  alreadySaved?: SavedKeySummary;
  /**
   * The saved key this registration takes out of the Keychain, so ask first: the key it rotates, or a key saved
   * under the same Key ID with other key material. `summary` is missing for a damaged one.
   */
  replaces?: {
    keyId: string;
    name: string;
    why: "rotation" | "same-key-id";
    /** LingCode uses it (so LingCode will use the new key). */
    active: boolean;
    summary?: SavedKeySummary;
  };
}

export interface Registration {
  summary: KeySummary;
  /** The status sentence of the new key ("Yes, Issuer ID ends in …"), whether or not LingCode uses it. */
  sentence: string;
  fingerprint: string;
  fileName?: string;
  warnings: string[];
  /** Apple's answer when verified. `role-limited`, `agreement-required` and `rate-limited` still save. */
  check?: CheckResult;
  /** The name it is saved under. */
  name: string;
  /** LingCode uses the new key now. */
  active: boolean;
  /** The key LingCode used before and no longer does; it stays among the saved keys. */
  switchedFrom?: SavedKeySummary;
  /** The key LingCode keeps using, when it does not use the new one. */
  inUse?: SavedKeySummary;
  /**
   * The key this registration took out of the Keychain (the rotated key, or the one saved under the same Key ID
   * with other key material), when it was a different key: remind the user to revoke it.
   */
  replaced?: SavedKeySummary;
}

/**
 * What registering this key would do (its name, whether LingCode would use it, what it replaces), without writing
 * anything: reads the list of saved keys and LingCode's entry. Refuses a bad or taken name (`name-invalid`,
 * `name-taken`), an unknown key to rotate, and a choice it cannot honour, before anything is checked or saved.
 */
export async function planRegistration(
  prepared: PreparedKey,
  store: KeyStore,
  choices: RegistrationChoices = {},
): Promise<RegistrationPlan> {
  return (await plan(prepared, store, choices)).plan;
}

interface Planned {
  plan: RegistrationPlan;
  snapshot: Snapshot;
  keys: ListedKey[];
  /** The new key takes the place of the key in LingCode's entry (the same Key ID, or the key it replaces). */
  mustUse: boolean;
}

async function plan(prepared: PreparedKey, store: KeyStore, choices: RegistrationChoices): Promise<Planned> {
  const given = choices.name === undefined ? undefined : parseKeyName(choices.name);
  const snapshot = await readSnapshot(store, true);
  const keys = listFromSnapshot(snapshot);
  const record = prepared.record;
  const summary = summarize(record) as KeySummary;

  const active = keys.find((key) => key.state === "ok" && key.active);
  const current = active?.state === "ok" ? summaryOf(active) : undefined;
  const sameId = keys.find((key) => key.keyId === record.keyId);
  let replaces: RegistrationPlan["replaces"];
  let alreadySaved: SavedKeySummary | undefined;
  let rotated: ListedKey | undefined;
  if (choices.rotates !== undefined) {
    const { key } = await locateKey(store, snapshot, keys, choices.rotates);
    rotated = key;
    if (sameId && sameId !== key) {
      throw new AscKeyError(
        "choice-invalid",
        `Key ${record.keyId} is saved already as "${sameId.name}"; rotate that key, or remove one of the two first.`,
      );
    }
    replaces = rotation(key, "rotation");
  } else if (sameId?.state === "ok" && sameId.fingerprint === prepared.fingerprint) {
    alreadySaved = summaryOf(sameId);
  } else if (sameId) {
    replaces = rotation(sameId, "same-key-id");
  }
  if (
    replaces?.summary &&
    replaces.summary.keyId === record.keyId &&
    replaces.summary.fingerprint === prepared.fingerprint
  ) {
    // Rotating a key into itself: the same key registered again.
    alreadySaved = replaces.summary;
    replaces = undefined;
  }

  const except = [record.keyId, ...(replaces ? [replaces.keyId] : [])];
  let name: string;
  if (given !== undefined) {
    checkNameFree(given, keys, except);
    name = given;
  } else {
    name = replaces?.name ?? sameId?.name ?? freeDefaultName(summary, keys, except);
  }

  const entry = snapshot.entry;
  // A key that takes a saved key's place (a rotation, or the same Key ID with other key material) keeps it: LingCode
  // uses the new key exactly when it used the old one.
  const inPlaceOf = rotated ?? (replaces ? sameId : undefined);
  const useByDefault = inPlaceOf
    ? inPlaceOf.active
    : entry.state !== "key" ||
      entry.record.keyId === record.keyId ||
      (entry.record.kind === "team" && record.kind === "team" && entry.record.issuerId === record.issuerId);
  // LingCode keeps using this Key ID, or the key this one takes the place of.
  const mustUse = (replaces?.active ?? false) || (entry.state === "key" && entry.record.keyId === record.keyId);
  if (mustUse && choices.use === false) {
    throw new AscKeyError(
      "choice-invalid",
      `${replaces ? `"${replaces.name}"` : `Key ${record.keyId}`} is the key LingCode uses, so LingCode uses the key that replaces it; to stop using it, switch to another key or remove it.`,
    );
  }
  const use = mustUse || (choices.use ?? useByDefault);
  return {
    plan: {
      name,
      current,
      currentUnreadable: entry.state === "unreadable",
      useByDefault,
      use,
      alreadySaved,
      replaces,
    },
    snapshot,
    keys,
    mustUse,
  };
}

function rotation(key: ListedKey, why: "rotation" | "same-key-id"): NonNullable<RegistrationPlan["replaces"]> {
  const replaces: NonNullable<RegistrationPlan["replaces"]> = {
    keyId: key.keyId,
    name: key.name,
    why,
    active: key.active,
  };
  if (key.state === "ok") replaces.summary = summaryOf(key);
  return replaces;
}

/**
 * Registers a key: validate, plan (name, whether LingCode uses it, what it replaces: see planRegistration), check with
 * Apple (unless told not to), then save. Saving first adds the key LingCode uses to the saved keys if it was only in
 * LingCode's entry (unless the new key replaces it), writes the new key's line and item, then (when LingCode uses it) LingCode's entry in one update, read back,
 * and last removes a rotated key. Apple saying `rejected` throws AppleCheckError(apple-rejected); `unreachable` or
 * `server-error` throws AppleCheckError(apple-unavailable) so the caller can offer to save without verifying. Every
 * refusal comes before anything is written; the saved keys survive every failure.
 */
export async function registerKey(input: KeyInput | PreparedKey, options: RegisterOptions): Promise<Registration> {
  options.onStep?.("reading");
  const prepared = "record" in input ? input : await prepareKey(input, options.now);
  const { store } = options;
  const { plan: planned, snapshot, keys, mustUse } = await plan(prepared, store, options);

  let check: CheckResult | undefined;
  if (options.verify ?? true) {
    options.onStep?.("checking");
    check = await checkKey(prepared.record, options.check);
    if (!OUTCOME[check.outcome].usable) throw new AppleCheckError(check);
  }

  options.onStep?.("saving");
  const record = prepared.record;
  const entry = snapshot.entry;
  const replaced = planned.replaces;
  // The key LingCode uses joins the saved keys (if it was only in LingCode's entry) as soon as there is a second
  // one, so that it stays at hand, unless this registration is what replaces it.
  const kept = entry.state === "key" && !mustUse ? await keepActiveKey(store, snapshot, keys) : undefined;
  const switchedFrom = planned.use ? kept : undefined;
  const rotatedOut = replaced && replaced.keyId !== record.keyId ? replaced.keyId : undefined;
  await saveKey(store, snapshot.index, record, planned.name, { after: rotatedOut });
  if (planned.use) {
    try {
      await store.write(record);
    } catch (error) {
      if (!isAscKeyError(error)) throw error;
      throw new AscKeyError(
        error.code,
        `${error.message} The key itself is kept among the saved keys as "${planned.name}".`,
      );
    }
  }
  if (rotatedOut) await forgetKey(store, snapshot.index, rotatedOut);
  clearTokenCache();

  const summary = summarize(record) as KeySummary;
  const registration: Registration = {
    summary,
    sentence: statusSentence(record),
    fingerprint: prepared.fingerprint,
    fileName: prepared.fileName,
    warnings: prepared.warnings,
    check,
    name: planned.name,
    active: planned.use,
  };
  if (switchedFrom) registration.switchedFrom = switchedFrom;
  if (!planned.use && planned.current) registration.inUse = planned.current;
  // plan() drops `replaces` for the very same key registered again: what is left is another key.
  if (replaced?.summary) registration.replaced = replaced.summary;
  return registration;
}

export interface StatusReport {
  status: KeyStatus;
  sentence: string;
}

/** "Is my key set up?": LingCode's entry, one read. */
export async function readStatus(store: KeyStore): Promise<StatusReport> {
  const record = await store.read();
  return { status: summarize(record), sentence: statusSentence(record) };
}

export interface SavedKeyStatus {
  summary: SavedKeySummary;
  sentence: string;
}

/** A saved key's status, by name or Key ID (reads the list and that key's item). */
export async function readSavedKeyStatus(store: KeyStore, key: string): Promise<SavedKeyStatus> {
  const { record, summary } = await readSavedKey(store, key);
  return { summary, sentence: statusSentence(record) };
}

const noKey = () =>
  new AscKeyError(
    "no-key",
    `${NOT_CONFIGURED_SENTENCE} Register one with the App Store Connect key's three values first.`,
  );

/**
 * The record of the key LingCode uses, or with `key` (a name or Key ID) of that saved key, for a command that needs
 * the key itself. Throws no-key when nothing is saved, key-unknown / key-ambiguous for a reference that names no key
 * or two.
 */
export async function requireRecord(store: KeyStore, key?: string): Promise<KeyRecord> {
  if (key !== undefined) return (await readSavedKey(store, key)).record;
  const record = await store.read();
  if (!record) throw noKey();
  return record;
}

/** Which key a command works with: `key` names a saved key (name or Key ID); left out, the key LingCode uses. */
export interface KeyChoice {
  key?: string;
}

export interface Verification {
  summary: KeySummary;
  check: CheckResult;
}

/** One check with Apple of the key LingCode uses (or of the saved key `key`). Throws no-key when nothing is saved. */
export async function verifySavedKey(store: KeyStore, options: CheckOptions & KeyChoice = {}): Promise<Verification> {
  const { key, ...checkOptions } = options;
  const record = await requireRecord(store, key);
  const check = await checkKey(record, checkOptions);
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
  options: CapabilityOptions & KeyChoice & { lastSeen?: LastSeenQuota } = {},
): Promise<CapabilityCheck> {
  const { lastSeen, key, ...rest } = options;
  const record = await requireRecord(store, key);
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

/**
 * A short-lived token for the key LingCode uses, or the saved key `key` (reused within the process until a minute
 * before it expires).
 */
export async function mintSavedToken(store: KeyStore, options: MintOptions & KeyChoice = {}): Promise<string> {
  const { key, ...mintOptions } = options;
  return mintToken(await requireRecord(store, key), mintOptions);
}

/**
 * Removes a key (by default the one LingCode uses; a corrupt entry too) from LingCode's entry and the saved keys.
 * Removing the key LingCode uses needs `next` when other keys are saved: see removeKey in src/lib/saved-keys.ts.
 */
export function removeSavedKey(store: KeyStore, options: RemoveOptions = {}): Promise<Removal> {
  return removeKey(store, options);
}
