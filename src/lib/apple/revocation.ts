/**
 * When is a retired key (one a rotation or replacement took out of use) proven revoked? Pure rules over the
 * non-secret history of its checks with Apple, and the sentences every face shows for it. No I/O: the caller asks
 * Apple (one request per retired key, the validity check's `GET /v1/apps?limit=1`), records each answer here, and
 * deletes the retired key's material once the state is `revoked`, keeping only `revokedRecord`. See
 * docs/revocation.md.
 *
 * The proof: Apple refuses the retired key (401) at least twice, the answers at least 10 minutes apart by Apple's
 * clock (the `Date` header of its answers, never this computer's clock), and in each of those runs Apple accepts the
 * key LingCode uses. Apple answers 401 for a revoked key, but also now and then for a valid one, and for any key when
 * this computer's clock is off; the key LingCode uses being accepted in the same run rules out the network, the
 * clock and Apple having a bad minute, and two answers 10 minutes apart rule out a passing hiccup. A run in which
 * Apple did not answer, answered with an error, had no `Date`, or refused the key LingCode uses too proves nothing.
 * An answer accepting the retired key means it still works, and wipes out the refusals before it.
 */
import { formatCheckedAt, type SubtitleClock } from "./summary";
import { parseKeyId } from "../ids";
import { OUTCOME, OUTCOMES, type Outcome } from "./outcomes";
import { APPLE_ERROR, NOT_REACHED } from "./words";

/** How far apart, by Apple's clock, two refusals must be to prove a key revoked. */
export const PROOF_GAP_MS = 10 * 60_000;

/** One run's check of a retired key, as recorded between runs: nothing secret. */
export interface RetiredCheck {
  /** Apple's answer to the retired key. */
  outcome: Outcome;
  /** Apple's `Date` header on that answer (ISO 8601, or the header's own HTTP date); missing when there was none. */
  appleDate?: string;
  /** This computer's clock when the check ran (ISO 8601). Shown only where Apple's time is missing; proves nothing. */
  checkedAt: string;
  /** Apple's answer, in the same run, to the key LingCode uses; missing when LingCode uses no key. */
  current?: Outcome;
}

/** Why a run proved nothing about the retired key. */
type Unproven =
  "apple-error" | "unreachable" | "current-refused" | "current-unanswered" | "no-current-key" | "no-apple-date";

/** Why a run proved nothing, in words that follow "proved nothing: ". */
const UNPROVEN_REASON: Readonly<Record<Unproven, string>> = {
  "apple-error": APPLE_ERROR,
  unreachable: NOT_REACHED,
  "current-refused": "Apple refused the key LingCode uses too",
  "current-unanswered": "Apple did not answer for the key LingCode uses",
  "no-current-key": "LingCode uses no key to compare with",
  "no-apple-date": "Apple's answer carried no time",
};

/** The latest run, when it proved nothing: why, and when (Apple's time when there is one, else this computer's). */
interface LastUnproven {
  reason: Unproven;
  at: string;
}

export type RetiredKeyState =
  | {
      state: "still-works";
      /** When Apple last accepted it (Apple's time when there is one). */
      checkedAt: string;
      unproven?: LastUnproven;
    }
  | {
      state: "pending";
      /**
       * Apple's times of the refusals that count since it last worked, earliest first: none, one, or the earliest and
       * the latest (all less than PROOF_GAP_MS apart).
       */
      refusedAt: string[];
      /** From when on (Apple's clock) one more refusal proves it revoked; set when there is a refusal. */
      provableFrom?: string;
      unproven?: LastUnproven;
    }
  | {
      state: "revoked";
      /** Apple's times of the two refusals that prove it, earliest first. */
      refusedAt: [string, string];
    };

/** What remains of a retired key once it is proven revoked (its material deleted): nothing secret. */
export interface RevokedKey {
  keyId: string;
  /** Apple's times of the two refusals that proved it, earliest first (ISO 8601). */
  refusedAt: [string, string];
}

type Verdict = { counts: "works" } | { counts: "refused"; at: number } | { counts: "nothing"; why: Unproven };

/** What one run says about the retired key. */
function judgeCheck(check: RetiredCheck): Verdict {
  if (OUTCOME[check.outcome].usable) return { counts: "works" };
  if (check.outcome === "server-error") return { counts: "nothing", why: "apple-error" };
  if (check.outcome === "unreachable") return { counts: "nothing", why: "unreachable" };
  // Refused: it counts only when Apple accepted the key LingCode uses in the same run, and said when.
  if (check.current === undefined) return { counts: "nothing", why: "no-current-key" };
  if (check.current === "rejected") return { counts: "nothing", why: "current-refused" };
  if (!OUTCOME[check.current].usable) return { counts: "nothing", why: "current-unanswered" };
  const at = Date.parse(check.appleDate ?? "");
  if (Number.isNaN(at)) return { counts: "nothing", why: "no-apple-date" };
  return { counts: "refused", at };
}

interface Refusal {
  check: RetiredCheck;
  at: number;
}

interface Walk {
  state: RetiredKeyState;
  /** The checks the state depends on, in their order: what addRetiredCheck keeps. */
  kept: RetiredCheck[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** When a check was answered: Apple's time when it said one, else this computer's. */
function answeredAt(check: RetiredCheck): string {
  const apple = Date.parse(check.appleDate ?? "");
  return Number.isNaN(apple) ? check.checkedAt : iso(apple);
}

function walk(history: readonly RetiredCheck[]): Walk {
  let works: RetiredCheck | undefined;
  let earliest: Refusal | undefined;
  let latest: Refusal | undefined;
  let unproven: { check: RetiredCheck; reason: Unproven } | undefined;
  for (const check of history) {
    const verdict = judgeCheck(check);
    if (verdict.counts === "nothing") {
      unproven = { check, reason: verdict.why };
      continue;
    }
    unproven = undefined;
    if (verdict.counts === "works") {
      works = check;
      earliest = latest = undefined;
      continue;
    }
    const refusal = { check, at: verdict.at };
    // Every counting refusal so far lies within PROOF_GAP_MS of every other, so the earliest and the latest are the
    // only ones a new refusal can be far enough from.
    const far = [earliest, latest].find((other) => other && Math.abs(refusal.at - other.at) >= PROOF_GAP_MS);
    if (far) {
      const [first, second] = far.at < refusal.at ? [far, refusal] : [refusal, far];
      return {
        state: { state: "revoked", refusedAt: [iso(first.at), iso(second.at)] },
        kept: [first.check, second.check].sort((a, b) => history.indexOf(a) - history.indexOf(b)),
      };
    }
    if (!earliest || refusal.at < earliest.at) earliest = refusal;
    if (!latest || refusal.at >= latest.at) latest = refusal;
  }
  const last = unproven && { reason: unproven.reason, at: answeredAt(unproven.check) };
  const kept = [...new Set([works, earliest?.check, latest?.check, unproven?.check])]
    .filter((check): check is RetiredCheck => check !== undefined)
    .sort((a, b) => history.indexOf(a) - history.indexOf(b));
  let state: RetiredKeyState;
  if (earliest && latest) {
    const refusedAt = earliest.at === latest.at ? [iso(earliest.at)] : [iso(earliest.at), iso(latest.at)];
    state = { state: "pending", refusedAt, provableFrom: iso(earliest.at + PROOF_GAP_MS) };
  } else if (works) {
    state = { state: "still-works", checkedAt: answeredAt(works) };
  } else {
    state = { state: "pending", refusedAt: [] };
  }
  if (last) state.unproven = last;
  return { state, kept };
}

/** The state of a retired key from its checks, oldest first. No checks: `pending` with no refusals. */
export function retiredKeyState(history: readonly RetiredCheck[]): RetiredKeyState {
  return walk(history).state;
}

/**
 * The history with `check` added, cut down to the checks its state depends on (at most four: the last answer that
 * accepted the key, the earliest and latest refusals since, and the latest run when it proved nothing), so the
 * record kept between runs stays small however often the key is checked. The state of the result is the state of
 * the whole history.
 */
export function addRetiredCheck(history: readonly RetiredCheck[], check: RetiredCheck): RetiredCheck[] {
  return walk([...history, check]).kept;
}

/** The record to keep once the state is `revoked`; undefined before. */
export function revokedRecord(keyId: string, state: RetiredKeyState): RevokedKey | undefined {
  return state.state === "revoked" ? { keyId, refusedAt: [...state.refusedAt] } : undefined;
}

/**
 * The sentence for a retired key, written once for every face:
 * - "Key ABC1234DEF still works at Apple (checked 09:14): revoke it on Team Keys"
 * - "Key ABC1234DEF not proven revoked yet: Apple refused it at 09:14; one more refusal at 09:24 or later proves it."
 * - "Key ABC1234DEF revoked: Apple refused it at 09:14 and 09:31."
 * Times as the Check API Key subtitle shows them (a clock time today, with the date otherwise).
 */
export function retiredKeySentence(keyId: string, state: RetiredKeyState, clock: SubtitleClock = {}): string {
  const at = (time: string) => formatCheckedAt(time, clock);
  switch (state.state) {
    case "still-works":
      return `Key ${keyId} still works at Apple (checked ${at(state.checkedAt)}): revoke it on Team Keys`;
    case "revoked":
      return `Key ${keyId} revoked: Apple refused it at ${at(state.refusedAt[0])} and ${at(state.refusedAt[1])}.`;
    case "pending": {
      const waiting = `Key ${keyId} not proven revoked yet`;
      if (state.refusedAt.length === 0 || !state.provableFrom) {
        return `${waiting}: once it is revoked on Team Keys, two refusals by Apple at least 10 minutes apart prove it.`;
      }
      const refused = state.refusedAt.map(at).join(" and ");
      return `${waiting}: Apple refused it at ${refused}; one more refusal at ${at(state.provableFrom)} or later proves it.`;
    }
  }
}

/**
 * "Revoke key ABC1234DEF on Team Keys.": the step a rotation or replacement ends with, said as long as Apple has not
 * refused the old key (see revocationStepDue), before the key's own sentence (about the proof).
 */
export function revokeStep(keyId: string): string {
  return `Revoke key ${keyId} on Team Keys.`;
}

/** The state of a key a rotation has just retired: nothing asked yet, so nothing refused. */
export const JUST_RETIRED: RetiredKeyState = { state: "pending", refusedAt: [] };

/**
 * Whether the step to revoke is still due for a retired key in this state: Apple has not refused it (it still works,
 * or nothing it answered was a refusal that counts). Once Apple refuses it, its sentence says what is left.
 */
export function revocationStepDue(state: RetiredKeyState): boolean {
  return state.state === "still-works" || (state.state === "pending" && state.refusedAt.length === 0);
}

/** The sentence for a revoked key's record, the same words as its state's. */
export function revokedSentence(record: RevokedKey, clock: SubtitleClock = {}): string {
  return retiredKeySentence(record.keyId, { state: "revoked", refusedAt: record.refusedAt }, clock);
}

/** "The check at 09:40 proved nothing: Apple refused the key LingCode uses too.", when the latest run did. */
export function unprovenNote(state: RetiredKeyState, clock: SubtitleClock = {}): string | undefined {
  if (state.state === "revoked" || !state.unproven) return undefined;
  const { reason, at } = state.unproven;
  return `The check at ${formatCheckedAt(at, clock)} proved nothing: ${UNPROVEN_REASON[reason]}.`;
}

const isTime = (value: unknown): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value));
const isOutcome = (value: unknown): value is Outcome => OUTCOMES.includes(value as Outcome);

/**
 * A retired key's history as read back from where it was kept (the saved keys' index), dropping any entry that is
 * not a check this version reads: a damaged record can only make the proof take longer, never prove anything.
 */
export function parseRetiredChecks(value: unknown): RetiredCheck[] {
  if (!Array.isArray(value)) return [];
  const checks: RetiredCheck[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== "object" || entry === null) continue;
    const raw = entry as Record<string, unknown>;
    if (!isOutcome(raw.outcome) || !isTime(raw.checkedAt)) continue;
    if (raw.appleDate !== undefined && !isTime(raw.appleDate)) continue;
    if (raw.current !== undefined && !isOutcome(raw.current)) continue;
    const check: RetiredCheck = { outcome: raw.outcome, checkedAt: raw.checkedAt };
    if (raw.appleDate !== undefined) check.appleDate = raw.appleDate;
    if (raw.current !== undefined) check.current = raw.current;
    checks.push(check);
  }
  return checks;
}

/** A revoked key's record as read back, or undefined when it is not one. */
export function parseRevokedKey(value: unknown): RevokedKey | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const refusedAt = raw.refusedAt;
  if (typeof raw.keyId !== "string" || !Array.isArray(refusedAt) || refusedAt.length !== 2) return undefined;
  let keyId: string;
  try {
    // A Key ID as the key model reads one: nothing that could carry control characters into a sentence.
    keyId = parseKeyId(raw.keyId).keyId;
  } catch {
    return undefined;
  }
  const [first, second] = refusedAt as unknown[];
  if (!isTime(first) || !isTime(second)) return undefined;
  // What was kept must still be a proof: two refusals in order, far enough apart.
  if (Date.parse(second) - Date.parse(first) < PROOF_GAP_MS) return undefined;
  return { keyId, refusedAt: [first, second] };
}
