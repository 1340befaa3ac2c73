import { refreshLauncherSubtitle } from "../helpers/launcher";
import { saveCheck } from "../helpers/memory";
import { appleOptions, keyStore } from "../helpers/store";
import { verifySavedKey } from "../lib/pipeline";

/**
 * Checks the saved App Store Connect API key with Apple (one request) and returns the outcome and a sentence
 * telling the user what it means: valid, role-limited, agreement-required, rejected, rate-limited,
 * server-error or unreachable.
 */
export default async function tool() {
  const { summary, check } = await verifySavedKey(keyStore(), appleOptions());
  await saveCheck(summary.keyId, check);
  await refreshLauncherSubtitle();
  return {
    keyId: summary.keyId,
    outcome: check.outcome,
    message: check.message,
    rateLimitRemaining: check.rateLimitRemaining,
    clockOffsetSeconds: check.clockOffsetSeconds,
  };
}
