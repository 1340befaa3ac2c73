import { Tool } from "@raycast/api";
import path from "node:path";
import { rememberRegistration } from "../helpers/register";
import { appleOptions, keyStore } from "../helpers/core";
import { AscKeyError, describeError, isAscKeyError, refusedInput } from "../lib/errors";
import { maskIssuerId } from "../lib/ids";
import {
  AppleCheckError,
  applyRegistration,
  insteadOf,
  keepsUsing,
  namedKey,
  planRegistration,
  prepareKey,
  registerKey,
  revokeReplaced,
  savedBesideSentence,
  type KeyInput,
  type PreparedKey,
  type Registration,
  type RegistrationPlan,
} from "../lib/keys";

type Input = {
  /**
   * The Issuer ID of the team, hex in 8-4-4-4-12 groups, e.g. 57246542-96fe-1a63-e053-0824d011072a. Required for
   * team keys; leave it out for individual keys.
   */
  issuerId?: string;
  /** The Key ID, usually ten letters and digits, e.g. 2X9R4HXF34 (it is also in the file name AuthKey_<Key ID>.p8). */
  keyId: string;
  /** The absolute path of the .p8 private key file, e.g. /Users/me/Downloads/AuthKey_2X9R4HXF34.p8. Never the key's contents. */
  p8Path: string;
  /**
   * True for an individual key (one that acts as a single user and has no Issuer ID). Default false: a team key. Set it
   * (and leave issuerId out) when an earlier call answered `individualKey: true`.
   */
  individual?: boolean;
  /**
   * A short name to know the key by among the saved keys, e.g. the client or team it is for ("Acme"). Optional: by
   * default the key keeps the name it was saved under, or is called "Unnamed key".
   */
  name?: string;
  /**
   * Whether LingCode should use this key from now on. Leave it out unless the user said: by default LingCode uses it
   * when LingCode has no key or uses a key of the same team, and otherwise it is only saved beside the others.
   */
  useForLingCode?: boolean;
};

function toKeyInput(input: Input): KeyInput {
  return {
    kind: input.individual ? "individual" : "team",
    issuerId: input.issuerId,
    keyId: input.keyId,
    p8Path: input.p8Path?.replace(/^~(?=\/)/, process.env.HOME ?? "~"),
  };
}

/**
 * The plan the confirmation showed, kept (in memory, one at a time) for the run of the same input that follows it: the
 * tool applies that plan instead of planning again, and the plan's own second look after Apple's check refuses
 * (`plan-outdated`) if the saved keys changed while the user read it. Taken once; any other input plans afresh.
 */
let confirmed: { input: string; plan: RegistrationPlan } | undefined;

function sameInput(input: Input): string {
  return JSON.stringify([
    input.issuerId,
    input.keyId,
    input.p8Path,
    input.individual ?? false,
    input.name,
    input.useForLingCode,
  ]);
}

/** The plan confirmed for this very input, if any; forgotten either way. */
function takeConfirmedPlan(input: Input): RegistrationPlan | undefined {
  const kept = confirmed;
  confirmed = undefined;
  return kept?.input === sameInput(input) ? kept.plan : undefined;
}

/** The confirmation's "LingCode Uses" row, and the words its message adds (the import tool asks the same way). */
export function whoLingCodeUses(plan: RegistrationPlan, keyId: string): { row: string; clause: string } {
  const current = plan.current;
  if (!plan.use) {
    return {
      row: `${current ? namedKey(current) : "No key"} (this key is only saved)`,
      clause: current ? `; ${keepsUsing(current)}` : "; LingCode will not use it",
    };
  }
  if (current && current.keyId !== keyId && plan.replaces?.keyId !== current.keyId) {
    return {
      row: `This key, instead of ${namedKey(current)}`,
      clause: `; LingCode will use it ${insteadOf(current)}`,
    };
  }
  return { row: "This key", clause: "; LingCode will use it" };
}

/** The confirmation's "Replaces" row, and the words its message adds. */
export function whatItReplaces(plan: RegistrationPlan): { row: string; clause: string } {
  if (plan.replaces) {
    const why = plan.replaces.why === "same-key-id" ? ": same Key ID, other key material" : "";
    return {
      row: `The saved key ${namedKey(plan.replaces)}${why}`,
      clause: `, replacing the saved key "${plan.replaces.name}"`,
    };
  }
  if (plan.currentUnreadable && plan.use) {
    return {
      row: "An unreadable entry (it cannot be used; saving replaces it)",
      clause: ", replacing the unreadable saved entry",
    };
  }
  if (plan.alreadySaved) {
    return { row: `Nothing (${namedKey(plan.alreadySaved)} is already saved)`, clause: "" };
  }
  return { row: plan.current || plan.currentUnreadable ? "Nothing" : "Nothing (no key saved)", clause: "" };
}

/**
 * Asked before the tool runs: the key, the name it is saved under, whether LingCode will use it (and which key is
 * kept beside it), and what it replaces. No confirmation only when the input will be refused (a bad key, ID, file or name, or
 * a choice that cannot be honoured): then nothing will be saved and the tool reports the reason. The saved keys not
 * being readable still asks, saying what it could not find out.
 */
export const confirmation: Tool.Confirmation<Input> = async (input) => {
  confirmed = undefined;
  let prepared: PreparedKey | undefined;
  try {
    prepared = await prepareKey(toKeyInput(input));
  } catch (error) {
    if (refusedInput(error)) return undefined;
    // Not the input's fault: ask with the input as given.
  }
  let plan: RegistrationPlan | undefined;
  let unknown: string | undefined;
  if (prepared) {
    try {
      plan = await planRegistration(prepared, keyStore(), { name: input.name, use: input.useForLingCode });
    } catch (error) {
      if (refusedInput(error) || isAscKeyError(error, "choice-invalid")) return undefined;
      // Locked, denied, timed out, no Secret Service: whatever is saved may well be replaced, so say so.
      unknown = describeError(error);
    }
  } else {
    unknown = "the key could not be read to compare it";
  }
  const keyId = prepared?.record.keyId ?? String(input.keyId ?? "").trim();
  const issuerId = prepared ? prepared.record.issuerId : undefined;
  const info = [
    { name: "Key ID", value: keyId },
    ...(issuerId
      ? [{ name: "Issuer ID", value: maskIssuerId(issuerId) }]
      : prepared?.record.kind === "individual" || input.individual
        ? [{ name: "Key Type", value: "Individual" }]
        : []),
    { name: "File", value: path.basename(String(input.p8Path ?? "")) },
  ];
  if (!plan) {
    info.push({ name: "Replaces", value: `The saved key, if any (could not be read: ${unknown})` });
    return { message: `Check key ${keyId} with Apple and save it in the Keychain, replacing any saved key?`, info };
  }

  confirmed = { input: sameInput(input), plan };
  const uses = whoLingCodeUses(plan, keyId);
  const replaced = whatItReplaces(plan);
  const clause = uses.clause + replaced.clause;
  const lingCode = uses.row;
  const replaces = replaced.row;
  info.push(
    { name: "Name", value: plan.name },
    { name: "LingCode Uses", value: lingCode },
    { name: "Replaces", value: replaces },
  );
  return { message: `Check key ${keyId} with Apple and save it in the Keychain as "${plan.name}"${clause}?`, info };
};

/**
 * Registers an App Store Connect API key: reads the .p8 file, checks the key with Apple, and saves it in the
 * Keychain under a name, beside the other saved keys. LingCode uses it when useForLingCode says so, or by default when
 * LingCode has no key or uses a key of the same team; the key LingCode used before remains saved. Returns the status
 * sentence and fingerprint, or the reason nothing was saved. After the confirmation, it saves what the confirmation
 * showed (its plan), or nothing if the saved keys changed meanwhile.
 */
export default async function tool(input: Input) {
  let registration;
  const plan = takeConfirmedPlan(input);
  try {
    registration = plan
      ? await applyRegistration(plan, { check: appleOptions(), privilege: {} })
      : await registerKey(toKeyInput(input), {
          store: keyStore(),
          check: appleOptions(),
          privilege: {},
          name: input.name,
          use: input.useForLingCode,
        });
  } catch (error) {
    if (error instanceof AppleCheckError) {
      const { individualKey, nextStep } = individualHint(
        error,
        "save-api-key again with individual: true and no issuerId",
      );
      return { saved: false, outcome: error.check.outcome, reason: error.message, individualKey, nextStep };
    }
    if (error instanceof AscKeyError) return { saved: false, reason: error.message };
    throw error;
  }
  const { warnings, roleNote } = await savedNotes(registration);
  const { summary, inUse, switchedFrom, replaced } = registration;
  return {
    saved: true,
    name: registration.name,
    usedByLingCode: registration.active,
    sentence: registration.active
      ? registration.sentence
      : savedBesideSentence({ ...summary, name: registration.name }, inUse),
    fingerprint: registration.fingerprint,
    outcome: registration.check?.outcome,
    message: registration.check?.message,
    warnings,
    roleNote,
    previousKeyStaysSaved: switchedFrom ? { name: switchedFrom.name, keyId: switchedFrom.keyId } : undefined,
    lingCodeKeepsUsing: inUse ? { name: inUse.name, keyId: inUse.keyId } : undefined,
    replacedKeyId: replaced?.keyId,
    revokeReminder: replaced ? revokeReplaced(replaced) : undefined,
    keyId: summary.keyId,
  };
}

/**
 * What to add to the answer when Apple's check saved nothing: for a team key Apple accepted as an individual key, that
 * it is one (`individualKey: true`) and how to save it as one in one more call (`call`, in the model's words).
 */
export function individualHint(error: AppleCheckError, call: string): { individualKey?: true; nextStep?: string } {
  if (!error.explained?.individualAccepted) return {};
  return {
    individualKey: true,
    nextStep: `This is an individual key: Apple accepted it without the Issuer ID. To save it as an individual key, call ${call}.`,
  };
}

/**
 * Once the key is saved: the registration remembered (best effort: the bookkeeping failing must not make the answer
 * say otherwise), its warnings, and Users and Access as a warning for an Admin or individual key, or as a note for a
 * team key with no role recorded. Shared with import-api-key.
 */
export async function savedNotes(
  registration: Registration,
): Promise<{ warnings: string[]; roleNote: string | undefined }> {
  const notRemembered = await rememberRegistration(registration);
  const warnings = [...registration.warnings];
  if (registration.privilege?.level === "warn") warnings.push(registration.privilege.text);
  const roleNote = registration.privilege?.level === "note" ? registration.privilege.text : undefined;
  if (notRemembered) warnings.push(notRemembered);
  return { warnings, roleNote };
}
