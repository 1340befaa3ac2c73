/**
 * What the launcher and the status view say about the last check with Apple. Pure functions over a
 * non-secret record of the check, so the background command, the status view and the tests share the words.
 */
import type { CheckResult } from "./check";
import { isAscKeyError, isUnreadableEntry } from "../errors";
import { OUTCOME, type Outcome } from "./outcomes";

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

/** The clock and the time format of the launcher subtitle; tests fix all three. */
export interface SubtitleClock {
  /** Default: Date.now(). */
  now?: number;
  /** An IANA time zone; default: this Mac's. */
  timeZone?: string;
  /** Default: en-US, 24-hour ("Nov 25, 09:14"), as the rest of the subtitle is English. */
  locale?: string;
}

/**
 * When something happened, as a clock time: "09:14" on the same day as `now`, else "Nov 25, 09:14", with the year
 * when it differs ("Nov 25, 2025, 09:14"). The subtitle is text written once and then shown for up to 12 hours, so
 * it says when, not how long ago.
 */
export function formatCheckedAt(iso: string, clock: SubtitleClock = {}): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "at an unknown time";
  const now = clock.now ?? Date.now();
  const { timeZone, locale = "en-US" } = clock;
  const day = (ms: number) =>
    new Date(ms).toLocaleDateString("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const time: Intl.DateTimeFormatOptions = { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (day(at) === day(now)) return new Date(at).toLocaleTimeString(locale, time);
  const sameYear = day(at).slice(0, 4) === day(now).slice(0, 4);
  return new Date(at).toLocaleString(locale, {
    ...time,
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
  });
}

/**
 * The launcher subtitle for the Check API Key command, e.g. "Key ABC1234DEF valid, checked 09:14",
 * "Apple rejected key ABC1234DEF: revoked? (checked Nov 25, 09:14)", "No key". An inconclusive check (offline,
 * server error) keeps the last conclusive answer with its time instead of raising an alarm.
 */
export function checkSubtitle(
  keyId: string | undefined,
  latest: RememberedCheck | undefined,
  lastConclusive: RememberedCheck | undefined,
  clock: SubtitleClock = {},
): string {
  if (!keyId) return "No key";
  const conclusive = latest && OUTCOME[latest.outcome].conclusive && latest.keyId === keyId ? latest : lastConclusive;
  const usable = conclusive && conclusive.keyId === keyId ? conclusive : undefined;
  if (!usable) {
    if (latest && latest.keyId === keyId)
      return OUTCOME[latest.outcome].subtitle(keyId, formatCheckedAt(latest.checkedAt, clock));
    return `Key ${keyId}: not checked yet`;
  }
  return OUTCOME[usable.outcome].subtitle(keyId, formatCheckedAt(usable.checkedAt, clock));
}

/** The saved entry is there but is not a key record this version reads (damaged, or from a newer version). */
export const UNREADABLE_ENTRY_SUBTITLE = "Saved key entry unreadable: register again";

/**
 * The subtitle when the check could not get as far as the key. An unreadable entry says so (the remembered
 * answers are about a key that can no longer be used); the Keychain not answering (locked, denied, timed out)
 * says when, and keeps the last conclusive answer, as being offline does: "Couldn't read the Keychain at 09:14;
 * last: Key ABC1234DEF valid, checked 08:02".
 */
export function failedCheckSubtitle(
  error: unknown,
  lastConclusive: RememberedCheck | undefined,
  clock: SubtitleClock = {},
): string {
  if (isUnreadableEntry(error)) {
    return UNREADABLE_ENTRY_SUBTITLE;
  }
  const now = clock.now ?? Date.now();
  const what =
    isAscKeyError(error) && error.code.startsWith("keychain-")
      ? "Couldn't read the Keychain"
      : "Couldn't check the key";
  const failed = `${what} at ${formatCheckedAt(new Date(now).toISOString(), { ...clock, now })}`;
  if (!lastConclusive) return failed;
  return `${failed}; last: ${checkSubtitle(lastConclusive.keyId, undefined, lastConclusive, { ...clock, now })}`;
}
