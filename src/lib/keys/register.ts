/**
 * Registering a key, the line every face follows: form values -> key model -> a plan from one read -> Apple check ->
 * Keychain -> status. The Raycast form, the AI tools and the asc-key CLI all call these functions; none of them knows
 * which face called it. Nothing here prints, caches or returns key material except `KeyRecord.privateKey`, which
 * callers hand to the store and never show.
 */
import {
  checkKey,
  explainRejection,
  privilegeWarningAfterRegistration,
  type CheckOptions,
  type CheckResult,
  type RejectionExplained,
} from "../apple";
import { rejectionText } from "../apple/rejection";
import { AscKeyError, isAscKeyError } from "../errors";
import { issuerIdSuffix, parseIssuerId, parseKeyId } from "../ids";
import { loadKeyFile, normalizePrivateKey } from "../key";
import type { KeyStore } from "../keychain";
import { checkNameFree, freeDefaultName, parseKeyName } from "../names";
import { type RoleWords, OUTCOME } from "../apple";
import type { KeyKind, KeyRecord } from "../record";
import { retireReplaced } from "./retired";
import { recordedRole } from "./roles";
import {
  isSavedAlready,
  listFromSnapshot,
  locateKey,
  readSnapshot,
  summaryOf,
  type ListedKey,
  type SavedKeySummary,
  type Snapshot,
} from "./read";
import { forgetKey, keepActiveKey, saveKey } from "./change";
import { namedKey, statusSentence, type KeySummary } from "../status";
import { clearTokenCache } from "../token";

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
   * such as "Unnamed key".
   */
  name?: string;
  /**
   * Whether LingCode uses the new key. Left out: RegistrationPlan.useByDefault. It is always true when the new key
   * replaces the key LingCode uses (rotating it, or the same Key ID); false then is refused (`choice-invalid`).
   */
  use?: boolean;
  /**
   * Rotation: the saved key (name or Key ID) the new key replaces. The new key takes its name and its place in the
   * list, LingCode uses it if it used the old one, and the old key is kept only as a retired key until Apple proves it
   * revoked (`Registration.replaced`: revoke it; docs/revocation.md).
   */
  rotates?: string;
}

/** How a plan is applied. */
interface ApplyOptions {
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

interface RegisterOptions extends RegistrationChoices, Omit<ApplyOptions, "recheck"> {
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
   * for an Admin key or an individual key (see roles.ts).
   */
  privilege?: RoleWords;
  /** The name it is saved under. */
  name: string;
  /** LingCode uses the new key now. */
  active: boolean;
  /** The key LingCode used before and no longer does; it stays among the saved keys. */
  switchedFrom?: SavedKeySummary;
  /** The key LingCode goes on using, when it does not use the new one. */
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
      `${replaces ? namedKey(replaces) : `Key ${keyId}`} is the key LingCode uses, so LingCode uses the key that replaces it; to stop using it, switch to another key or remove it.`,
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
      `This Key ID is saved already, as ${namedKey(sameId)}; rotate that key, or remove one of the two first.`,
    );
  }
  const replaced = rotated ?? sameId;
  if (!replaced) return {};
  // The very same key registered again (rotating a key into itself, too) replaces nothing.
  if (replaced.state === "ok" && isSavedAlready(replaced, { keyId, fingerprint: prepared.fingerprint })) {
    return { alreadySaved: summaryOf(replaced) };
  }
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
  if (given === undefined) return replaces?.name ?? sameId?.name ?? freeDefaultName(keys, except);
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
 * LingCode's entry in one update, read back, and last retires a rotated key (src/lib/keys/retired.ts) and removes
 * it. Apple saying `rejected` throws
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
  // Apple accepted it just now: a 401 later is asked once more before the key is called rejected (keys/accepted.ts).
  const acceptedAt = check && OUTCOME[check.outcome].usable ? check.checkedAt : undefined;
  const switchedFrom = await save(plan, basis, acceptedAt);
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
/**
 * The plan's writes, all under one hold of the saved keys' lock: the list is read again once, when the lock is taken
 * (the plan was read outside it), and every step below sees what the one before wrote, so no other change slips in
 * between them and none is lost.
 */
function save(plan: RegistrationPlan, basis: PlanBasis, acceptedAt?: string): Promise<SavedKeySummary | undefined> {
  return basis.store.saved.locked(() => saveHeld(plan, basis, acceptedAt), basis.snapshot.index);
}

async function saveHeld(
  plan: RegistrationPlan,
  basis: PlanBasis,
  acceptedAt: string | undefined,
): Promise<SavedKeySummary | undefined> {
  const { store, snapshot, keys } = basis;
  const record = basis.prepared.record;
  // The key LingCode uses joins the saved keys (if it was only in LingCode's entry) as soon as there is a second
  // one, so that it stays at hand, unless this registration is what replaces it.
  const kept = snapshot.entry.state === "key" && !plan.mustUse ? await keepActiveKey(store, snapshot, keys) : undefined;
  const rotatedOut = plan.replaces && plan.replaces.keyId !== record.keyId ? plan.replaces.keyId : undefined;
  // The key this one takes the place of is kept as a retired key (docs/revocation.md) before its item goes: here
  // for the same Key ID (its item is about to be written over), below for a rotated key.
  const entryRecord = snapshot.entry.state === "key" ? snapshot.entry.record : undefined;
  const replaced = plan.replaces?.summary;
  if (replaced && !rotatedOut) await retireReplaced(store, replaced, entryRecord);
  await saveKey(store, snapshot.index, record, plan.name, { after: rotatedOut, acceptedAt });
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
  if (rotatedOut) {
    if (replaced) await retireReplaced(store, replaced, entryRecord);
    await forgetKey(store, snapshot.index, rotatedOut);
  }
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
