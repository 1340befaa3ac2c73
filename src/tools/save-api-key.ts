import { Tool } from "@raycast/api";
import path from "node:path";
import { rememberRegistration } from "../helpers/register";
import { appleOptions, keyStore } from "../helpers/store";
import { AscKeyError } from "../lib/errors";
import { maskIssuerId } from "../lib/ids";
import {
  AppleCheckError,
  isDifferentKey,
  prepareKey,
  readPreviousForReplace,
  registerKey,
  type KeyInput,
} from "../lib/pipeline";

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

export const confirmation: Tool.Confirmation<Input> = async (input) => {
  let prepared;
  let previous;
  try {
    prepared = await prepareKey(toKeyInput(input));
    previous = await readPreviousForReplace(keyStore());
  } catch {
    // Nothing will be saved: the tool itself reports the reason.
    return undefined;
  }
  const { record, fingerprint } = prepared;
  const replaces = previous && isDifferentKey(previous, { keyId: record.keyId, fingerprint }) ? previous : undefined;
  const info = [
    { name: "Key ID", value: record.keyId },
    ...(record.issuerId
      ? [{ name: "Issuer ID", value: maskIssuerId(record.issuerId) }]
      : [{ name: "Key Type", value: "Individual" }]),
    { name: "File", value: path.basename(input.p8Path) },
    {
      name: "Replaces",
      value: replaces
        ? `Key ${replaces.keyId}`
        : previous
          ? `Nothing (key ${previous.keyId} is already saved)`
          : "Nothing (no key saved)",
    },
  ];
  return {
    message: replaces
      ? `Check key ${record.keyId} with Apple and save it in the Keychain, replacing key ${replaces.keyId}?`
      : `Check key ${record.keyId} with Apple and save it in the Keychain?`,
    info,
  };
};

/**
 * Registers an App Store Connect API key for LingCode: reads the .p8 file, checks the key with Apple, and
 * saves it in the Keychain (replacing any saved key). Returns the status sentence and fingerprint, or the
 * reason nothing was saved.
 */
export default async function tool(input: Input) {
  try {
    const registration = await registerKey(toKeyInput(input), { store: keyStore(), check: appleOptions() });
    await rememberRegistration(registration);
    return {
      saved: true,
      sentence: registration.sentence,
      fingerprint: registration.fingerprint,
      outcome: registration.check?.outcome,
      message: registration.check?.message,
      warnings: registration.warnings,
      replacedKeyId: registration.replaced?.keyId,
      revokeReminder: registration.replaced
        ? `Revoke the previous key ${registration.replaced.keyId} on Team Keys once nothing uses it.`
        : undefined,
    };
  } catch (error) {
    if (error instanceof AppleCheckError) {
      return { saved: false, outcome: error.check.outcome, reason: error.message };
    }
    if (error instanceof AscKeyError) return { saved: false, reason: error.message };
    throw error;
  }
}
