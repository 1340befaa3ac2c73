/**
 * What the launcher and the status view say about the last check with Apple. Pure functions over a
 * non-secret record of the check, so the background command, the status view and the tests share the words.
 */
import { isUsable, type CheckResult, type Outcome } from "./asc-client";

/** A check as remembered between runs: nothing secret (Key ID, outcome, sentence, when, quota). */
export interface RememberedCheck {
  keyId: string;
  outcome: Outcome;
  message: string;
  checkedAt: string;
  rateLimitRemaining?: number;
  rateLimitLimit?: number;
  clockOffsetSeconds?: number;
}

export function rememberCheck(keyId: string, check: CheckResult): RememberedCheck {
  const remembered: RememberedCheck = {
    keyId,
    outcome: check.outcome,
    message: check.message,
    checkedAt: check.checkedAt,
  };
  if (check.rateLimitRemaining !== undefined) remembered.rateLimitRemaining = check.rateLimitRemaining;
  if (check.rateLimitLimit !== undefined) remembered.rateLimitLimit = check.rateLimitLimit;
  if (check.clockOffsetSeconds !== undefined) remembered.clockOffsetSeconds = check.clockOffsetSeconds;
  return remembered;
}

/** "just now", "5m ago", "2h ago", "3d ago". */
export function formatAge(sinceIso: string, now: number = Date.now()): string {
  if (Number.isNaN(Date.parse(sinceIso))) return "at an unknown time";
  const seconds = Math.max(0, Math.round((now - Date.parse(sinceIso)) / 1000));
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

/** Whole days since an ISO time. */
export function ageInDays(sinceIso: string, now: number = Date.now()): number {
  if (Number.isNaN(Date.parse(sinceIso))) return 0;
  return Math.max(0, Math.floor((now - Date.parse(sinceIso)) / 86_400_000));
}

const OUTCOME_WORDS: Record<Outcome, string> = {
  valid: "valid",
  "role-limited": "valid (small role)",
  "agreement-required": "valid, agreement to accept",
  rejected: "rejected",
  "rate-limited": "valid (rate-limited)",
  "server-error": "not checked: Apple had an error",
  unreachable: "not checked: offline",
};

/** A short label for an outcome, for metadata rows. */
export function outcomeLabel(outcome: Outcome): string {
  return OUTCOME_WORDS[outcome];
}

/** Is this answer news about the key (as opposed to a network or server hiccup)? */
export function isConclusive(outcome: Outcome): boolean {
  return outcome !== "unreachable" && outcome !== "server-error";
}

/**
 * The launcher subtitle for the Check API Key command, e.g. "Key ABC1234DEF valid, checked 2h ago",
 * "Apple rejected key ABC1234DEF: revoked?", "No key". An inconclusive check (offline, server error) keeps
 * the last conclusive answer with its age instead of raising an alarm.
 */
export function checkSubtitle(
  keyId: string | undefined,
  latest: RememberedCheck | undefined,
  lastConclusive: RememberedCheck | undefined,
  now: number = Date.now(),
): string {
  if (!keyId) return "No key";
  const conclusive = latest && isConclusive(latest.outcome) && latest.keyId === keyId ? latest : lastConclusive;
  const usable = conclusive && conclusive.keyId === keyId ? conclusive : undefined;
  if (!usable) {
    if (latest && latest.keyId === keyId)
      return `Key ${keyId}: ${OUTCOME_WORDS[latest.outcome]}, ${formatAge(latest.checkedAt, now)}`;
    return `Key ${keyId}: not checked yet`;
  }
  const age = formatAge(usable.checkedAt, now);
  switch (usable.outcome) {
    case "rejected":
      return `Apple rejected key ${keyId}: revoked? (checked ${age})`;
    case "agreement-required":
      return `Key ${keyId} valid, but an agreement needs accepting (checked ${age})`;
    case "role-limited":
      return `Key ${keyId} valid, small role (checked ${age})`;
    default:
      return isUsable(usable.outcome) ? `Key ${keyId} valid, checked ${age}` : `Key ${keyId}: ${usable.outcome}`;
  }
}
