import { bestEffort } from "../helpers/local-storage";
import { appleOptions, keyStore } from "../helpers/core";
import { verifyAndRemember } from "../helpers/verify";
import { AscKeyError, describeError, isAscKeyError } from "../lib/errors";
import type { Verification } from "../lib/keys";
import { checkRetiredKeys, stillWorkingNote } from "../lib/keys";
import { rememberRetiredNote, retiredKey } from "../helpers/retired";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";

type Input = {
  /**
   * Another saved key to check, by the name the user gave it (e.g. "Acme") or its Key ID. Leave it out to check the
   * key LingCode uses (the usual question).
   */
  key?: string;
  /**
   * Also check the old keys a rotation took out of use (one request each) to prove they were revoked: true for "did
   * I revoke my old key?" when the user wants Apple asked now. Only with the key LingCode uses (no `key`).
   */
  retired?: boolean;
};

/**
 * Checks an App Store Connect API key with Apple (one request): the key LingCode uses, or another saved key by name
 * or Key ID. Returns the outcome and a sentence telling the user what it means: valid, role-limited,
 * agreement-required, rejected, rate-limited, server-error or unreachable. With `retired: true`, also each old key a
 * rotation took out of use (one request each), with its sentence: proof that it was revoked comes from two refusals
 * at least 10 minutes apart by Apple's clock.
 */
export default async function tool(input: Input = {}) {
  let verification: Verification;
  try {
    // Apple's answer is remembered for the key it checked (best effort: its failure must not hide the answer); the
    // status view and the launcher show only the key LingCode uses.
    verification = await verifyAndRemember({ key: input.key });
  } catch (error) {
    // Nothing to check is an answer, not a failure; so is a name that means no saved key.
    if (isAscKeyError(error, "no-key")) return { configured: false, sentence: NOT_CONFIGURED_SENTENCE };
    if (input.key !== undefined && error instanceof AscKeyError && error.code.startsWith("key-")) {
      return { checked: false, reason: describeError(error) };
    }
    throw error;
  }
  const { summary, check } = verification;
  let retiredKeys: ReturnType<typeof retiredKey>[] | undefined;
  if (input.retired && input.key === undefined) {
    const retired = await checkRetiredKeys(keyStore(), check, appleOptions());
    await bestEffort(() => rememberRetiredNote(stillWorkingNote(retired)));
    retiredKeys = retired.map(retiredKey);
  }
  return {
    keyId: summary.keyId,
    outcome: check.outcome,
    message: check.message,
    rateLimitRemaining: check.rateLimitRemaining,
    clockOffsetSeconds: check.clockOffsetSeconds,
    retiredKeys,
  };
}
