import { Tool } from "@raycast/api";
import path from "node:path";
import { bestEffort } from "../helpers/local-storage";
import { rememberRegistration } from "../helpers/register";
import { appleOptions, keyStore } from "../helpers/core";
import { AscKeyError, describeError, isUnreadableEntry, refusedInput } from "../lib/errors";
import { privilegeWarningAfterRegistration } from "../lib/capabilities";
import { maskIssuerId } from "../lib/ids";
import {
  AppleCheckError,
  isDifferentKey,
  prepareKey,
  registerKey,
  type KeyInput,
  type PreparedKey,
} from "../lib/pipeline";
import { summarize, type KeySummary } from "../lib/status";

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
  /** True for an individual key (one that acts as a single user and has no Issuer ID). Default false: a team key. */
  individual?: boolean;
};

function toKeyInput(input: Input): KeyInput {
  return {
    kind: input.individual ? "individual" : "team",
    issuerId: input.issuerId,
    keyId: input.keyId,
    p8Path: input.p8Path?.replace(/^~(?=\/)/, process.env.HOME ?? "~"),
  };
}

/** What is saved now, as far as the confirmation can tell. */
type Saved =
  | { state: "none" }
  | { state: "key"; summary: KeySummary }
  | { state: "unreadable" }
  | { state: "unknown"; reason: string };

async function readSaved(): Promise<Saved> {
  try {
    const status = summarize(await keyStore().read());
    return status.configured ? { state: "key", summary: status } : { state: "none" };
  } catch (error) {
    if (isUnreadableEntry(error)) {
      return { state: "unreadable" };
    }
    // Locked, denied, timed out, no Secret Service: whatever is saved may well be replaced, so say so.
    return { state: "unknown", reason: describeError(error) };
  }
}

/** The "Replaces" row of the confirmation, and the words its message adds, for what is saved now. */
function whatItReplaces(saved: Saved, replaces: KeySummary | undefined): { replacesText: string; replacing: string } {
  if (replaces) return { replacesText: `Key ${replaces.keyId}`, replacing: `, replacing key ${replaces.keyId}` };
  switch (saved.state) {
    case "key":
      return { replacesText: `Nothing (key ${saved.summary.keyId} is already saved)`, replacing: "" };
    case "unreadable":
      return {
        replacesText: "An unreadable entry (it cannot be used; saving replaces it)",
        replacing: ", replacing the unreadable saved entry",
      };
    case "unknown":
      return {
        replacesText: `The saved key, if any (could not be read: ${saved.reason})`,
        replacing: ", replacing any saved key",
      };
    case "none":
      return { replacesText: "Nothing (no key saved)", replacing: "" };
  }
}

/**
 * Asked before the tool runs. No confirmation only when the key model refuses the input: then nothing will be
 * saved and the tool reports the reason. Anything else (the saved key could not be read, or is unreadable) still
 * asks, saying what it could not find out: the tool may replace whatever is there.
 */
export const confirmation: Tool.Confirmation<Input> = async (input) => {
  let prepared: PreparedKey | undefined;
  try {
    prepared = await prepareKey(toKeyInput(input));
  } catch (error) {
    if (refusedInput(error)) return undefined;
    // Not the input's fault: ask with the input as given.
  }
  const saved = await readSaved();
  const keyId = prepared?.record.keyId ?? String(input.keyId ?? "").trim();
  const issuerId = prepared ? prepared.record.issuerId : undefined;
  const previous = saved.state === "key" ? saved.summary : undefined;
  const replaces =
    previous && (!prepared || isDifferentKey(previous, { keyId, fingerprint: prepared.fingerprint }))
      ? previous
      : undefined;

  const { replacesText, replacing } = whatItReplaces(saved, replaces);

  const info = [
    { name: "Key ID", value: keyId },
    ...(issuerId
      ? [{ name: "Issuer ID", value: maskIssuerId(issuerId) }]
      : prepared?.record.kind === "individual" || input.individual
        ? [{ name: "Key Type", value: "Individual" }]
        : []),
    { name: "File", value: path.basename(String(input.p8Path ?? "")) },
    { name: "Replaces", value: replacesText },
  ];
  return {
    message: `Check key ${keyId} with Apple and save it in the Keychain${replacing}?`,
    info,
  };
};

/**
 * Registers an App Store Connect API key for LingCode: reads the .p8 file, checks the key with Apple, and
 * saves it in the Keychain (replacing any saved key). Returns the status sentence and fingerprint, or the
 * reason nothing was saved.
 */
export default async function tool(input: Input) {
  let registration;
  let prepared: PreparedKey;
  try {
    prepared = await prepareKey(toKeyInput(input));
    registration = await registerKey(prepared, { store: keyStore(), check: appleOptions() });
  } catch (error) {
    if (error instanceof AppleCheckError) {
      return { saved: false, outcome: error.check.outcome, reason: error.message };
    }
    if (error instanceof AscKeyError) return { saved: false, reason: error.message };
    throw error;
  }
  // The key is saved from here on: the bookkeeping failing must not make the answer say otherwise.
  const warnings = [...registration.warnings];
  const privilege = await privilegeWarningAfterRegistration(prepared.record, registration.check, appleOptions());
  if (privilege) warnings.push(privilege);
  if (!(await bestEffort(() => rememberRegistration(registration)))) {
    warnings.push("The check's answer could not be remembered; Verify with Apple shows it again.");
  }
  return {
    saved: true,
    sentence: registration.sentence,
    fingerprint: registration.fingerprint,
    outcome: registration.check?.outcome,
    message: registration.check?.message,
    warnings,
    replacedKeyId: registration.replaced?.keyId,
    revokeReminder: registration.replaced
      ? `Revoke the previous key ${registration.replaced.keyId} on Team Keys once nothing uses it.`
      : undefined,
  };
}
