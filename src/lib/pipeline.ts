/**
 * The one line every face of the product follows: form values -> key model -> Apple check -> Keychain -> status.
 * The Raycast form, the AI tools and the asc-key CLI all call these functions; none of them knows which face
 * called it. Nothing here prints, caches or returns key material except `KeyRecord.privateKey`, which callers
 * hand to the store or to token minting and never show.
 */
import {
  checkCapabilities,
  checkKey,
  explainRejection,
  privilegeWarningAfterRegistration,
  type CapabilityOptions,
  type CapabilityReport,
  type CheckOptions,
  type CheckResult,
  type ExplainOptions,
  type RejectionExplained,
} from "./apple";
import { AscKeyError, isAscKeyError } from "./errors";
import { issuerIdSuffix, parseIssuerId, parseKeyId } from "./ids";
import { loadKeyFile, normalizePrivateKey } from "./key";
import type { KeyStore } from "./keychain";
import { checkNameFree, freeDefaultName, parseKeyName } from "./key-names";
import { OUTCOME } from "./outcomes";
import { readRecordedRole, recordedRole } from "./key-roles-store";
import type { RoleWords } from "./key-role";
import { rejectionText } from "./rejection";
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
  /** What may be shown about the key, made once here (its fingerprint is the one above, not computed again). */
  summary: KeySummary;
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
  const summary: KeySummary = { configured: true, kind: input.kind, keyId, fingerprint, savedAt: record.savedAt };
  if (issuerId) {
    record.issuerId = issuerId;
    summary.issuerIdSuffix = issuerIdSuffix(issuerId);
  }
  return { record, fingerprint, summary, fileName, warnings };
}

/** Apple's answer stopped a registration: nothing was saved. */
export class AppleCheckError extends AscKeyError {
  readonly check: CheckResult;
  /** A rejection explained (apple/explain.ts); `individualAccepted`: save it again as an individual key. */
  readonly explained?: RejectionExplained;

  constructor(check: CheckResult, explained?: RejectionExplained, keyId = "") {
    const message = explained ? rejectionText(keyId, explained) : check.message;
    super(check.outcome === "rejected" ? "apple-rejected" : "apple-unavailable", message);
    this.check = check;
    if (explained) this.explained = explained;
  }
}

export type RegistrationStep = "reading" | "checking" | "saving" | "probing";

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

/** How a plan is applied. */
export interface ApplyOptions {
  /** Check with Apple before saving (default true). */
  verify?: boolean;
  check?: CheckOptions;
  onStep?: (step: RegistrationStep) => void;
  /**
   * Read LingCode's entry (and the list) again before writing, and refuse (`plan-outdated`) when what the plan
   * decided no longer holds: another app or asc-key changed the saved keys while the user was looking at the plan.
   * Default true; false only right after planning, with nothing but Apple's check in between (registerKey).
   */
  recheck?: boolean;
  /**
   * After a `valid` check, ask Apple whether the key reaches Users and Access (one more request, never a refusal):
   * `Registration.privilege` is the warning. `switchHint` says, in the face's words, how to switch keys.
   */
  privilege?: { switchHint?: string };
}

export interface RegisterOptions extends RegistrationChoices, Omit<ApplyOptions, "recheck"> {
  store: KeyStore;
  now?: () => number;
}

/** What a registration would do, to ask the user before it does it. Nothing secret. */
export interface RegistrationPlan {
  /** The key to register, as shown (nothing secret). */
  key: KeySummary;
  /** The name the key will be saved under. */
  name: string;
  /** The key LingCode uses now, with its name (undefined: none, or an unreadable entry). */
  current?: SavedKeySummary;
  /** LingCode's entry is there but unreadable; it is replaced if LingCode uses the new key. */
  currentUnreadable: boolean;
  /** The answer to "Should LingCode use this key?" when nobody says: see usesByDefault. */
  useByDefault: boolean;
  /** Whether LingCode will use the new key, with the choices given. */
  use: boolean;
  /** The new key takes the place of the key LingCode uses, so "no" is not a choice (a form shows it fixed). */
  mustUse: boolean;
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
  /**
   * What the privilege probe (ApplyOptions.privilege) found to say, when the key reaches Users and Access: a note for a
   * team key with no role recorded (the one step that settles it), nothing for a recorded App Manager key, a warning
   * for an Admin key or an individual key (see key-role.ts).
   */
  privilege?: RoleWords;
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

/** What a plan was made from: kept beside the plan (never in it: the key is secret) for applyRegistration. */
interface PlanBasis {
  store: KeyStore;
  prepared: PreparedKey;
  choices: RegistrationChoices;
  snapshot: Snapshot;
  keys: ListedKey[];
  /** The key `choices.rotates` names, as located in this read. */
  rotated?: ListedKey;
}

const bases = new WeakMap<RegistrationPlan, PlanBasis>();

/**
 * What registering this key would do (its name, whether LingCode would use it, what it replaces), without writing
 * anything: one read of the list of saved keys and of LingCode's entry. Refuses a bad or taken name (`name-invalid`,
 * `name-taken`), an unknown key to rotate, and a choice it cannot honour, before anything is checked or saved. Show
 * it, then hand it to applyRegistration.
 */
export async function planRegistration(
  prepared: PreparedKey,
  store: KeyStore,
  choices: RegistrationChoices = {},
): Promise<RegistrationPlan> {
  return planFrom(await readBasis(store, prepared, choices));
}

/**
 * The same registration with other choices of name and use (a form's fields), from the plan's own read: no read.
 * `prepared` is the key as read again at submit; undefined comes back when it is not the key planned for (another
 * Key ID, type, Issuer ID or key material), and then it needs a plan of its own.
 */
export function withChoices(
  plan: RegistrationPlan,
  choices: Pick<RegistrationChoices, "name" | "use">,
  prepared: PreparedKey,
): RegistrationPlan | undefined {
  const basis = basisOf(plan);
  const planned = basis.prepared.record;
  const same =
    prepared.record.keyId === planned.keyId &&
    prepared.record.kind === planned.kind &&
    prepared.record.issuerId === planned.issuerId &&
    prepared.fingerprint === basis.prepared.fingerprint;
  if (!same) return undefined;
  return planFrom({ ...basis, prepared, choices: { ...choices, rotates: basis.choices.rotates } });
}

async function readBasis(store: KeyStore, prepared: PreparedKey, choices: RegistrationChoices): Promise<PlanBasis> {
  const snapshot = await readSnapshot(store, true);
  const keys = listFromSnapshot(snapshot);
  const rotated =
    choices.rotates === undefined ? undefined : (await locateKey(store, snapshot, keys, choices.rotates)).key;
  return { store, prepared, choices, snapshot, keys, rotated };
}

function planFrom(basis: PlanBasis): RegistrationPlan {
  const plan = decide(basis);
  bases.set(plan, basis);
  return plan;
}

function basisOf(plan: RegistrationPlan): PlanBasis {
  const basis = bases.get(plan);
  if (!basis) throw new TypeError("Not a plan made by planRegistration.");
  return basis;
}

/** The plan from what was read: which saved key the new one meets, its name, and whether LingCode uses it. */
function decide(basis: PlanBasis): RegistrationPlan {
  const { prepared, choices, keys, rotated } = basis;
  const given = choices.name === undefined ? undefined : parseKeyName(choices.name);
  const { keyId } = prepared.record;
  const active = keys.find((key) => key.state === "ok" && key.active);
  const current = active?.state === "ok" ? summaryOf(active) : undefined;
  const sameId = keys.find((key) => key.keyId === keyId);
  const { replaces, alreadySaved } = meeting(prepared, sameId, rotated);
  const name = nameFor(prepared, given, keys, replaces, sameId);

  const entry = basis.snapshot.entry;
  // A key that takes a saved key's place (a rotation, or the same Key ID with other key material) keeps it.
  const inPlaceOf = rotated ?? (replaces ? sameId : undefined);
  const useByDefault = usesByDefault(prepared.record, entry, inPlaceOf);
  const mustUse = (replaces?.active ?? false) || (entry.state === "key" && entry.record.keyId === keyId);
  if (mustUse && choices.use === false) {
    throw new AscKeyError(
      "choice-invalid",
      `${replaces ? `"${replaces.name}"` : `Key ${keyId}`} is the key LingCode uses, so LingCode uses the key that replaces it; to stop using it, switch to another key or remove it.`,
    );
  }
  const plan: RegistrationPlan = {
    key: prepared.summary,
    name,
    current,
    currentUnreadable: entry.state === "unreadable",
    useByDefault,
    use: mustUse || (choices.use ?? useByDefault),
    mustUse,
    alreadySaved,
    replaces,
  };
  return plan;
}

/**
 * The one rule for "should LingCode use the new key?" when nobody says: yes when LingCode has no usable key, when it
 * uses a key with this Key ID, or a team key of the same team (the same Issuer ID, in full); no otherwise. A key that
 * takes a saved key's place (`inPlaceOf`: a rotation, or the same Key ID with other key material) keeps it: yes
 * exactly when LingCode uses the key it replaces.
 */
function usesByDefault(record: KeyRecord, entry: Snapshot["entry"], inPlaceOf: ListedKey | undefined): boolean {
  if (inPlaceOf) return inPlaceOf.active;
  if (entry.state !== "key") return true;
  const used = entry.record;
  return (
    used.keyId === record.keyId || (used.kind === "team" && record.kind === "team" && used.issuerId === record.issuerId)
  );
}

/** The saved key the new one meets: the one it replaces (rotation, or the same Key ID), or itself saved already. */
function meeting(
  prepared: PreparedKey,
  sameId: ListedKey | undefined,
  rotated: ListedKey | undefined,
): Pick<RegistrationPlan, "replaces" | "alreadySaved"> {
  const { keyId } = prepared.record;
  if (rotated && sameId && sameId !== rotated) {
    throw new AscKeyError(
      "choice-invalid",
      `Key ${keyId} is saved already as "${sameId.name}"; rotate that key, or remove one of the two first.`,
    );
  }
  const replaced = rotated ?? sameId;
  if (!replaced) return {};
  const same = replaced.state === "ok" && replaced.keyId === keyId && replaced.fingerprint === prepared.fingerprint;
  // The very same key registered again (rotating a key into itself, too) replaces nothing.
  if (same) return { alreadySaved: summaryOf(replaced) };
  const replaces: NonNullable<RegistrationPlan["replaces"]> = {
    keyId: replaced.keyId,
    name: replaced.name,
    why: rotated ? "rotation" : "same-key-id",
    active: replaced.active,
  };
  if (replaced.state === "ok") replaces.summary = summaryOf(replaced);
  return { replaces };
}

/** The name given (if free), else the replaced key's, the same Key ID's, or a free default. */
function nameFor(
  prepared: PreparedKey,
  given: string | undefined,
  keys: ListedKey[],
  replaces: RegistrationPlan["replaces"],
  sameId: ListedKey | undefined,
): string {
  const except = [prepared.record.keyId, ...(replaces ? [replaces.keyId] : [])];
  if (given === undefined) return replaces?.name ?? sameId?.name ?? freeDefaultName(prepared.summary, keys, except);
  checkNameFree(given, keys, except);
  return given;
}

/** What a plan shows, for telling whether a later read still gives the same plan. */
function decisionOf(plan: RegistrationPlan): string {
  const key = (summary?: { keyId: string; fingerprint?: string }) => summary && [summary.keyId, summary.fingerprint];
  const { name, use, currentUnreadable, replaces } = plan;
  return JSON.stringify([
    name,
    use,
    currentUnreadable,
    key(plan.current),
    key(plan.alreadySaved),
    replaces && [replaces.keyId, replaces.why, replaces.active, key(replaces.summary)],
  ]);
}

/**
 * applyRegistration's second look, after Apple's answer: LingCode's entry and the list read again, and the plan they
 * give compared with the one the user saw. The writes then start from this read.
 */
async function recheck(plan: RegistrationPlan, basis: PlanBasis): Promise<PlanBasis> {
  let fresh: PlanBasis;
  let again: RegistrationPlan | undefined;
  try {
    fresh = await readBasis(basis.store, basis.prepared, basis.choices);
    again = decide(fresh);
  } catch (error) {
    if (!isAscKeyError(error) || isKeychainError(error)) throw error;
  }
  if (again === undefined || decisionOf(again) !== decisionOf(plan)) {
    throw new AscKeyError(
      "plan-outdated",
      "The saved keys changed since this registration was planned (another app or asc-key saved or switched a key); nothing was saved. Register again to see what it does now.",
    );
  }
  return fresh!;
}

function isKeychainError(error: AscKeyError): boolean {
  return error.code.startsWith("keychain-");
}

/**
 * Applies a plan: checks with Apple (unless told not to), reads again what may have changed since the plan (see
 * ApplyOptions.recheck), then saves. Saving first adds the key LingCode uses to the saved keys if it was only in
 * LingCode's entry (unless the new key replaces it), writes the new key's line and item, then (when LingCode uses it)
 * LingCode's entry in one update, read back, and last removes a rotated key. Apple saying `rejected` throws
 * AppleCheckError(apple-rejected); `unreachable` or `server-error` throws AppleCheckError(apple-unavailable) so the
 * caller can offer to save without verifying (apply the same plan again with `verify: false`). Every refusal comes
 * before anything is written; the saved keys survive every failure.
 */
export async function applyRegistration(plan: RegistrationPlan, options: ApplyOptions = {}): Promise<Registration> {
  const planned = basisOf(plan);
  const { prepared } = planned;
  let check: CheckResult | undefined;
  if (options.verify ?? true) {
    options.onStep?.("checking");
    check = await checkKey(prepared.record, options.check);
    if (check.outcome === "rejected") {
      // One more request for a team key (as an individual key), then what the 401 can mean: see apple/explain.ts.
      const explained = await explainRejection(prepared.record, check, options.check);
      throw new AppleCheckError(check, explained, prepared.record.keyId);
    }
    if (!OUTCOME[check.outcome].usable) throw new AppleCheckError(check);
  }
  const basis = options.recheck === false ? planned : await recheck(plan, planned);

  options.onStep?.("saving");
  const switchedFrom = await save(plan, basis);
  const registration: Registration = {
    summary: prepared.summary,
    sentence: statusSentence(prepared.record),
    fingerprint: prepared.fingerprint,
    fileName: prepared.fileName,
    warnings: prepared.warnings,
    check,
    name: plan.name,
    active: plan.use,
  };
  if (switchedFrom) registration.switchedFrom = switchedFrom;
  if (!plan.use && plan.current) registration.inUse = plan.current;
  // The very same key registered again has no `replaces`: what is left is another key.
  if (plan.replaces?.summary) registration.replaced = plan.replaces.summary;
  if (options.privilege && check?.outcome === "valid") {
    options.onStep?.("probing");
    const privilege = await privilegeWarningAfterRegistration(prepared.record, check, {
      ...options.check,
      switchHint: options.privilege.switchHint,
      role: recordedRole(basis.snapshot.index, prepared.record.keyId, prepared.fingerprint),
    });
    if (privilege) registration.privilege = privilege;
  }
  return registration;
}

/** The writes, in their order. Returns the key LingCode used before, when LingCode switches from it. */
async function save(plan: RegistrationPlan, basis: PlanBasis): Promise<SavedKeySummary | undefined> {
  const { store, snapshot, keys } = basis;
  const record = basis.prepared.record;
  // The key LingCode uses joins the saved keys (if it was only in LingCode's entry) as soon as there is a second
  // one, so that it stays at hand, unless this registration is what replaces it.
  const kept = snapshot.entry.state === "key" && !plan.mustUse ? await keepActiveKey(store, snapshot, keys) : undefined;
  const rotatedOut = plan.replaces && plan.replaces.keyId !== record.keyId ? plan.replaces.keyId : undefined;
  await saveKey(store, snapshot.index, record, plan.name, { after: rotatedOut });
  if (plan.use) {
    try {
      await store.write(record);
    } catch (error) {
      if (!isAscKeyError(error)) throw error;
      throw new AscKeyError(
        error.code,
        `${error.message} The key itself is kept among the saved keys as "${plan.name}".`,
      );
    }
  }
  if (rotatedOut) await forgetKey(store, snapshot.index, rotatedOut);
  clearTokenCache();
  return plan.use ? kept : undefined;
}

/**
 * Registers a key in one go, with no question in between: validate, plan (see planRegistration), then apply the plan
 * (see applyRegistration) without reading again: one read of LingCode's entry before writing, one to read it back.
 */
export async function registerKey(input: KeyInput | PreparedKey, options: RegisterOptions): Promise<Registration> {
  options.onStep?.("reading");
  const prepared = "record" in input ? input : await prepareKey(input, options.now);
  const plan = await planRegistration(prepared, options.store, options);
  return applyRegistration(plan, { ...options, recheck: false });
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
  /** Apple's answer; after a 401 asked again after a pause (VerifyOptions.wasValid), the second answer. */
  check: CheckResult;
  /** A 401 explained (see apple/explain.ts); `check.message` then says what was found. */
  explained?: RejectionExplained;
}

/** How a saved key is verified. */
export interface VerifyOptions extends CheckOptions, KeyChoice, Pick<ExplainOptions, "retryPauseMs" | "pause"> {
  /**
   * Whether the key was valid at its last check (the caller remembers checks per key; the CLI remembers none): then a
   * 401 is asked once more after a short pause before the key is called rejected.
   */
  wasValid?: (keyId: string) => boolean;
}

/**
 * One check with Apple of the key LingCode uses (or of the saved key `key`); a 401 is explained (one or two more
 * requests: see apple/explain.ts), and the message says what was found. Throws no-key when nothing is saved.
 */
export async function verifySavedKey(store: KeyStore, options: VerifyOptions = {}): Promise<Verification> {
  const { key, wasValid, ...checkOptions } = options;
  const record = await requireRecord(store, key);
  const summary = summarize(record) as KeySummary;
  const check = await checkKey(record, checkOptions);
  if (check.outcome !== "rejected") return { summary, check };
  const explained = await explainRejection(record, check, { ...checkOptions, wasValid: wasValid?.(record.keyId) });
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
  // The role recorded from Team Keys, from the index alone (a team key only; an unreadable index: none).
  const role = record.kind === "team" ? await readRecordedRole(store, record.keyId).catch(() => undefined) : undefined;
  const remembered = rememberedQuota(record.keyId, lastSeen, (options.now ?? Date.now)());
  const checkOptions =
    remembered === undefined || rest.rateLimitRemaining !== undefined
      ? rest
      : { ...rest, rateLimitRemaining: remembered };
  const report = await checkCapabilities(record, role ? { ...checkOptions, role } : checkOptions);
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
