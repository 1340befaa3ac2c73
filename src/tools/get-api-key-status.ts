import { keyStore } from "../helpers/store";
import { readChecks } from "../helpers/memory";
import { readStatus } from "../lib/pipeline";

/**
 * Is an App Store Connect API key registered for LingCode? Answers with the status sentence and masked
 * metadata (never the key, never the full Issuer ID), plus the last check with Apple if there was one.
 */
export default async function tool() {
  const { status, sentence } = await readStatus(keyStore());
  if (!status.configured) return { sentence, configured: false };
  const { latest } = await readChecks();
  const lastCheck =
    latest && latest.keyId === status.keyId
      ? { outcome: latest.outcome, message: latest.message, checkedAt: latest.checkedAt }
      : undefined;
  return { sentence, ...status, lastCheck };
}
