/**
 * A rejected key explained. Apple answers 401 for a revoked key, a key sent with another team's Issuer ID, an
 * individual key sent with an Issuer ID (or a team key without one), a key that is not an App Store Connect key at
 * all (APNs, Sign in with Apple, MusicKit and DeviceCheck keys download as `AuthKey_<ID>.p8` too), a clock that is
 * off, and now and then for a valid key. So, after a 401:
 *
 * 1. A key that was valid at its last check is asked once more after a short pause (one request): accepted then,
 *    the first 401 was Apple's bad moment.
 * 2. A team key is asked once more as an individual key (one request; no `iss`, `sub: "user"`): accepted, it is an
 *    individual key registered with an Issuer ID.
 * 3. Otherwise, what the 401 can mean, most likely first: revoked, another team's Issuer ID (a team key) or a team
 *    key registered as individual, not an App Store Connect key, and the clock with the offset measured from Apple's
 *    `Date`; a clock off by more than Apple allows is the likeliest of all and goes first.
 */
import { OUTCOME } from "./outcomes";
import type { TokenCredentials } from "../token";
import { checkKey, type CheckOptions, type CheckResult } from "./check";
import { CLOCK_TOLERANCE_SECONDS } from "./judge";
import { clockCause, individualAccepted, REJECTION_CAUSES } from "./words";

/** How long to wait before asking again about a key that was valid at its last check. */
const RETRY_PAUSE_MS = 2_000;

type RejectionCauseId = keyof typeof REJECTION_CAUSES | "clock";

export interface RejectionExplained {
  /** Asked again after a pause (only for a key valid at its last check): Apple's second answer. */
  retry?: CheckResult;
  /** Asked as an individual key (team keys only): Apple's answer. */
  asIndividual?: CheckResult;
  /** Apple accepted the key as an individual key: save it as one. */
  individualAccepted: boolean;
  /** One sentence saying what was found, for the user. */
  message: string;
  /** What the 401 can mean, most likely first; empty when a second ask was accepted. */
  causes: { id: RejectionCauseId; text: string }[];
  /** Apple's `Date` minus the local clock, from the latest answer that carried one. */
  clockOffsetSeconds?: number;
  /** Requests sent here (0, 1 or 2), beyond the check that was rejected. */
  requests: number;
}

export interface ExplainOptions extends CheckOptions {
  /** The key was valid at its last check: ask once more after a pause before calling it rejected. */
  wasValid?: boolean;
  /** Default 2 s. */
  retryPauseMs?: number;
  /** How to wait (tests pass their own). */
  pause?: (ms: number) => Promise<void>;
}

/** Explains a `rejected` check of `credentials` (see the order at the top); never throws for Apple's answers. */
export async function explainRejection(
  credentials: TokenCredentials,
  rejected: Pick<CheckResult, "outcome" | "message" | "clockOffsetSeconds">,
  options: ExplainOptions = {},
): Promise<RejectionExplained> {
  const out: RejectionExplained = { individualAccepted: false, message: rejected.message, causes: [], requests: 0 };
  let offset = rejected.clockOffsetSeconds;
  const ask = async (asked: TokenCredentials) => {
    out.requests += 1;
    const check = await checkKey(asked, options);
    offset = check.clockOffsetSeconds ?? offset;
    return check;
  };

  if (options.wasValid) {
    const pause = options.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    await pause(options.retryPauseMs ?? RETRY_PAUSE_MS);
    out.retry = await ask(credentials);
    if (out.retry.outcome !== "rejected") return { ...out, message: out.retry.message, ...withOffset(offset) };
  }

  if (credentials.kind === "team") {
    out.asIndividual = await ask({ kind: "individual", keyId: credentials.keyId, privateKey: credentials.privateKey });
    if (OUTCOME[out.asIndividual.outcome].usable) {
      return {
        ...out,
        individualAccepted: true,
        message: individualAccepted(credentials.keyId),
        ...withOffset(offset),
      };
    }
  }

  const clockFirst = offset !== undefined && Math.abs(offset) > CLOCK_TOLERANCE_SECONDS;
  const ids: (keyof typeof REJECTION_CAUSES)[] = [
    "revoked",
    credentials.kind === "team" ? "other-team" : "team-key",
    "not-app-store-connect",
  ];
  const clock = { id: "clock" as const, text: clockCause(offset, CLOCK_TOLERANCE_SECONDS) };
  const others = ids.map((id) => ({ id, text: REJECTION_CAUSES[id] }));
  out.causes = clockFirst ? [clock, ...others] : [...others, clock];
  return { ...out, ...withOffset(offset) };
}

function withOffset(offset: number | undefined): { clockOffsetSeconds?: number } {
  return offset === undefined ? {} : { clockOffsetSeconds: offset };
}
