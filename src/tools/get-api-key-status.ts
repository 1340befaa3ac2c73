import { readChecks } from "../helpers/local-storage";
import { keyStore } from "../helpers/core";
import { describeError, isAscKeyError, isUnreadableEntry } from "../lib/errors";
import { readStatus } from "../lib/pipeline";

/**
 * Is an App Store Connect API key registered for LingCode? Answers with the status sentence and masked
 * metadata (never the key, never the full Issuer ID), plus the last check with Apple if there was one. An entry
 * that can't be used, or a Keychain that didn't answer, is an answer too (as the status view shows it), never
 * "no key".
 */
export default async function tool() {
  let report;
  try {
    report = await readStatus(keyStore());
  } catch (error) {
    if (isUnreadableEntry(error)) {
      return {
        entry: "unreadable" as const,
        sentence: `A LingCode key entry is saved but unusable: ${describeError(error)}`,
      };
    }
    if (isAscKeyError(error) && error.code.startsWith("keychain-")) {
      return {
        entry: "keychain-problem" as const,
        sentence: `Couldn't read the Keychain, so whether a key is set up is unknown: ${describeError(error)}`,
      };
    }
    throw error;
  }
  const { status, sentence } = report;
  if (!status.configured) return { sentence, configured: false };
  // The bookkeeping is extra: if LocalStorage can't be read, the answer about the key still stands.
  const { latest } = await readChecks().catch(() => ({ latest: undefined }));
  const lastCheck =
    latest && latest.keyId === status.keyId
      ? { outcome: latest.outcome, message: latest.message, checkedAt: latest.checkedAt }
      : undefined;
  return { sentence, ...status, lastCheck };
}
