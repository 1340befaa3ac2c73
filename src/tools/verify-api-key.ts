import { refreshLauncherSubtitle } from "../helpers/launcher";
import { bestEffort, rememberVerification } from "../helpers/local-storage";
import { appleOptions, keyStore } from "../helpers/core";
import { isAscKeyError } from "../lib/errors";
import { verifySavedKey, type Verification } from "../lib/pipeline";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";

/**
 * Checks the saved App Store Connect API key with Apple (one request) and returns the outcome and a sentence
 * telling the user what it means: valid, role-limited, agreement-required, rejected, rate-limited,
 * server-error or unreachable.
 */
export default async function tool() {
  let verification: Verification;
  try {
    verification = await verifySavedKey(keyStore(), appleOptions());
  } catch (error) {
    // Nothing to check is an answer, not a failure.
    if (isAscKeyError(error, "no-key")) return { configured: false, sentence: NOT_CONFIGURED_SENTENCE };
    throw error;
  }
  const { summary, check } = verification;
  // Apple has answered: remembering the answer is extra, and its failure must not hide the answer.
  await bestEffort(async () => {
    await rememberVerification(summary, check);
    await refreshLauncherSubtitle();
  });
  return {
    keyId: summary.keyId,
    outcome: check.outcome,
    message: check.message,
    rateLimitRemaining: check.rateLimitRemaining,
    clockOffsetSeconds: check.clockOffsetSeconds,
  };
}
