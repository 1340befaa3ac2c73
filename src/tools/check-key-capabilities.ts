import { readChecks } from "../helpers/local-storage";
import { appleOptions, keyStore } from "../helpers/core";
import { AREAS, type Area, type AreaAnswer } from "../lib/apple";
import { isAscKeyError } from "../lib/errors";
import { checkSavedKeyCapabilities, type CapabilityCheck } from "../lib/keys";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";

/**
 * What can the saved App Store Connect API key do? Asks Apple once per area, all at once (at most six read-only
 * requests): apps, builds, TestFlight, provisioning and Users and Access, each "yes", "no" or "unknown" with the
 * reason, and the conclusions Apple's role pages back. It never names the key's role: Apple's API does not say it.
 * When the last check saw fewer than 20 requests left this hour, it asks nothing and says so.
 */
export default async function tool() {
  let checked: CapabilityCheck;
  try {
    const { latest } = await readChecks();
    checked = await checkSavedKeyCapabilities(keyStore(), { ...appleOptions(), lastSeen: latest });
  } catch (error) {
    // Nothing to check is an answer, not a failure.
    if (isAscKeyError(error, "no-key")) return { configured: false, sentence: NOT_CONFIGURED_SENTENCE };
    throw error;
  }
  const { report } = checked;
  const areas: Partial<Record<Area, AreaAnswer>> = {};
  const unknownBecause: Partial<Record<Area, string>> = {};
  for (const area of AREAS) {
    const result = report.areas[area];
    if (!result) continue;
    areas[area] = result.answer;
    if (result.answer === "unknown" && result.reason) unknownBecause[area] = result.reason;
  }
  return {
    keyId: report.keyId,
    kind: report.kind,
    outcome: report.outcome,
    message: report.message,
    areas,
    unknownBecause,
    conclusions: report.conclusions.map(({ level, text, sources }) => ({ level, text, sources })),
    requests: report.requests,
    rateLimitRemaining: report.rateLimitRemaining,
  };
}
