/**
 * The one judgement of one answer from App Store Connect, in the outcome table's vocabulary (outcomes.ts), and
 * what the same answer says about one area of the capability check.
 *
 * The status code decides; the body only refines the message. In order:
 * - no answer: `unreachable` (the area is unknown: offline);
 * - a body over the cap: `server-error` (an answer that big is not Apple's, whatever its status);
 * - 5xx: `server-error`;
 * - 401: `rejected` whatever the body (HTML included), blamed on the clock when Apple's `Date` is more than
 *   CLOCK_TOLERANCE_SECONDS from ours;
 * - 429: `rate-limited` whatever the body;
 * - 403 split by Apple's `code` (matched by prefix): FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED is
 *   `agreement-required` and FORBIDDEN_ERROR `role-limited` (the key works; the area is a `no`, the only evidence of
 *   one); a 403 without either cannot be told apart from a proxy and is `server-error`;
 * - 200 with a JSON:API `data` list: `valid` (the area is a `yes`); a 200 that is not Apple's JSON is a captive
 *   portal or a proxy: `server-error`.
 * Being offline, rate limited or refused is never evidence about what a key's role allows: those areas are unknown.
 */
import type { Outcome } from "./outcomes";
import type { KeyKind } from "../record";
import type { AppleAnswer } from "./ask";
import {
  AGREEMENT_REASON,
  clockRejection,
  notApple,
  outcomeSentence,
  RATE_LIMITED_REASON,
  REJECTED_REASON,
  serverError,
  tooLarge,
  unexpected,
  unreachable,
} from "./words";

/** Beyond this difference between Apple's `Date` and the local clock, a 401 is blamed on the clock. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export type AreaAnswer = "yes" | "no" | "unknown";

/** Why an area is `unknown`. */
type UnknownCause =
  "agreement" | "rate-limited" | "offline" | "server-error" | "rejected" | "unexpected" | "not-probed";

export interface AreaResult {
  answer: AreaAnswer;
  /** Set for `unknown`. */
  cause?: UnknownCause;
  /** Set for `unknown`: a few words, e.g. "rate limited: the key has used up this hour's requests". */
  reason?: string;
  /** The HTTP status that decided the answer, when there was one. */
  httpStatus?: number;
}

interface Judgement {
  outcome: Outcome;
  /** One sentence telling the user what it means and what to do; names the key by its Key ID only. */
  message: string;
  /** What the answer says about the area it was asked for. */
  area: AreaResult;
}

/** Which key the answer was about, for the sentences. */
interface KeyNaming {
  keyId: string;
  kind: KeyKind;
}

/** An area no request was sent for, and why. */
export function notProbed(reason: string): AreaResult {
  return { answer: "unknown", cause: "not-probed", reason };
}

/** Judges one answer (see the order at the top). */
export function judgeAnswer(answer: AppleAnswer, key: KeyNaming): Judgement {
  const { status } = answer;
  if (status === undefined) {
    const { message, reason } = unreachable(answer.host, answer.failure ?? "network error");
    return { outcome: "unreachable", message, area: { answer: "unknown", cause: "offline", reason } };
  }
  const verdict = (
    outcome: Outcome,
    area: Omit<AreaResult, "httpStatus">,
    message = outcomeSentence(outcome, key),
  ) => ({
    outcome,
    message,
    area: { ...area, httpStatus: status },
  });
  const unknown = (outcome: Outcome, cause: UnknownCause, words: { message: string; reason: string }) =>
    verdict(outcome, { answer: "unknown", cause, reason: words.reason }, words.message);

  if (answer.tooLarge) return unknown("server-error", "unexpected", tooLarge(status));
  if (status >= 500) return unknown("server-error", "server-error", serverError(status));
  if (status === 401) {
    const offset = answer.clockOffsetSeconds;
    const message =
      offset !== undefined && Math.abs(offset) > CLOCK_TOLERANCE_SECONDS
        ? clockRejection(key.keyId, offset)
        : outcomeSentence("rejected", key);
    return unknown("rejected", "rejected", { message, reason: REJECTED_REASON });
  }
  if (status === 429) {
    return unknown("rate-limited", "rate-limited", {
      message: outcomeSentence("rate-limited", key),
      reason: RATE_LIMITED_REASON,
    });
  }
  const code = answer.appleError?.code ?? "";
  if (status === 403 && code.startsWith("FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED")) {
    return unknown("agreement-required", "agreement", {
      message: outcomeSentence("agreement-required", key),
      reason: AGREEMENT_REASON,
    });
  }
  // The only evidence of "no": the key works, and its role does not allow this request.
  if (status === 403 && code.startsWith("FORBIDDEN_ERROR")) return verdict("role-limited", { answer: "no" });
  if (status === 200 && Array.isArray((answer.body as { data?: unknown } | undefined)?.data)) {
    return verdict("valid", { answer: "yes" });
  }
  if (answer.body === undefined) return unknown("server-error", "unexpected", notApple(status));
  const words = answer.appleError?.title || answer.appleError?.detail;
  return unknown("server-error", "unexpected", unexpected(status, words));
}
