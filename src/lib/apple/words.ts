/**
 * Every sentence about Apple's answer, written once: what the user reads when App Store Connect was not asked, did
 * not answer, answered with something that is not its API, refused the key because of the clock, or counted the
 * hour's requests. Each comes in two sizes where both are needed: a `message` (one sentence saying what to do, for a
 * check's outcome) and a `reason` (a few words for one area of the capability check that stays unknown). The
 * sentence for each outcome (valid, rejected, ...) is here too (`outcomeSentence`); the outcomes themselves, as a
 * closed set of facts, are the table in outcomes.ts.
 *
 * No sentence carries the token, the private key or the Issuer ID: a key is named by its Key ID only. Apple's own
 * words reach a sentence only clipped and made printable.
 */
import type { KeyKind } from "../record";
import { durationWords, printable } from "../text";
import { TEAM_KEYS_URL, type Outcome } from "./outcomes";

/** The most of an answer that is read (see ask.ts); said as "1 MB" (it is 1 MiB, which is over 1 MB anyway). */
const CAP_WORDS = "1 MB";

/** How far a clock is off, as the user reads it: "45 s", "5 min", "3 h". */
function offsetWords(seconds: number): string {
  const size = Math.abs(seconds);
  if (size < 120) return `${size} s`;
  if (size < 7200) return `${Math.round(size / 60)} min`;
  return `${Math.round(size / 3600)} h`;
}

// ---------------------------------------------------------------------------------------------------------------
// What each outcome means

/** No answer at all: the `unreachable` outcome, and why a revocation run proved nothing. */
export const NOT_REACHED = "App Store Connect could not be reached";

/** An answer that is an error of Apple's: the `server-error` outcome, and why a revocation run proved nothing. */
export const APPLE_ERROR = "App Store Connect answered with an error";

interface KeyNaming {
  /** "Key ABC1234DEF" or "The key". */
  the: string;
  /** "key ABC1234DEF" or "the key". */
  theLower: string;
  kind?: KeyKind;
}

const OUTCOME_SENTENCES: Readonly<Record<Outcome, (key: KeyNaming) => string>> = {
  valid: ({ the }) => `${the} works: App Store Connect accepted it; nothing to do.`,
  "role-limited": ({ the }) =>
    `${the} works, but its role does not allow listing apps; if LingCode needs more, use a key with the App Manager or Admin role.`,
  "agreement-required": ({ the }) =>
    `${the} is fine, but App Store Connect refuses every request until the Account Holder accepts the latest agreement under Business in App Store Connect; do not re-enter the key.`,
  rejected: ({ theLower, kind }) =>
    kind === "individual"
      ? `Apple rejected ${theLower}: it was revoked, the Key ID does not match the .p8 file, or it is a team key (which needs the Issuer ID); check it under your profile in App Store Connect and register it again.`
      : `Apple rejected ${theLower}: it was revoked, the Issuer ID or Key ID does not match the .p8 file, or it is an individual key (which takes no Issuer ID); check it at ${TEAM_KEYS_URL} and register it again.`,
  "rate-limited": ({ the }) =>
    `${the} works but has used up its hourly request allowance; wait up to an hour and check again.`,
  "server-error": () => `${APPLE_ERROR}; try again in a few minutes.`,
  unreachable: () => `${NOT_REACHED}; check the internet connection and try again.`,
};

/**
 * The sentence telling the user what an outcome means and what to do. With a Key ID it names the key; with a kind, a
 * rejection points at the right page. More specific sentences for a wrong clock, a server error and an unreachable
 * server follow below.
 */
export function outcomeSentence(outcome: Outcome, key: { keyId?: string; kind?: KeyKind } = {}): string {
  return OUTCOME_SENTENCES[outcome]({
    the: key.keyId ? `Key ${key.keyId}` : "The key",
    theLower: key.keyId ? `key ${key.keyId}` : "the key",
    kind: key.kind,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Not asked

export const ADDRESS_NOT_WEB = "The App Store Connect address given is not a web address; fix it and try again.";

export function plainHttpRefused(host: string): string {
  return `Refusing to send the key's token over plain http to ${host}: the address given must use https (http is only for localhost, 127.x.x.x and ::1); fix it and try again.`;
}

export const ADDRESS_UNUSABLE_REASON = "not probed: the App Store Connect address is unusable";

/** Nothing sent because an earlier answer's `X-Rate-Limit` said too few requests were left this hour. */
export function quotaGuard(keyId: string, left: number): { message: string; reason: string } {
  const why = `only ${left} request${left === 1 ? "" : "s"} left this hour`;
  return {
    message: `${keyId ? `Key ${keyId}` : "The key"} has ${why} (Apple's X-Rate-Limit); not probing, so LingCode keeps them. Ask again within the hour.`,
    reason: `not probed: ${why}`,
  };
}

export const NOT_PROBED_REASON = "not probed";

// ---------------------------------------------------------------------------------------------------------------
// No answer

export function noAnswerWithin(timeoutMs: number): string {
  return `no answer within ${durationWords(timeoutMs)}`;
}

/** Why a request never got an answer, in a few words (no text from the error itself). */
export function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : "";
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the name could not be looked up, perhaps offline";
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the connection was dropped";
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      return "no network route";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "the connection timed out";
    default:
      if (/CERT|SSL|TLS/i.test(code)) return "the secure connection could not be verified";
      return "network error";
  }
}

/** `why` is `noAnswerWithin` or `networkReason`. */
export function unreachable(host: string, why: string): { message: string; reason: string } {
  return {
    message: `Could not reach App Store Connect at ${host} (${why}); check the internet connection and try again.`,
    reason: `offline: ${why}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// An answer that is not a verdict on the key

export function serverError(status: number): { message: string; reason: string } {
  return {
    message: `App Store Connect had a server error (HTTP ${status}); try again in a few minutes.`,
    reason: `server error (HTTP ${status})`,
  };
}

export function tooLarge(status: number): { message: string; reason: string } {
  return {
    message: `The answer (HTTP ${status}) was over ${CAP_WORDS}, far more than App Store Connect's API sends, so it was not read; it may come from a proxy; try again later or on another network.`,
    reason: `an answer over ${CAP_WORDS} (HTTP ${status}), not App Store Connect's`,
  };
}

export function notApple(status: number): { message: string; reason: string } {
  return {
    message: `The answer (HTTP ${status}) did not come from App Store Connect's API, perhaps from a proxy or a Wi-Fi login page; try again on another network.`,
    reason: `not App Store Connect's API (HTTP ${status}): a proxy or Wi-Fi login page?`,
  };
}

/** `words`: Apple's `title` or `detail`, quoted clipped and printable. */
export function unexpected(status: number, words: string | undefined): { message: string; reason: string } {
  const quoted = words ? ` "${clip(words)}"` : "";
  return {
    message: `App Store Connect answered HTTP ${status}${quoted}, which this check does not expect; try again later, and report it if it persists.`,
    reason: `an answer this check does not expect (HTTP ${status})`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A verdict on the key, in an area's words (the outcome's own sentence is outcomeSentence, above)

export const REJECTED_REASON = "Apple rejected the key (HTTP 401)";
export const RATE_LIMITED_REASON = "rate limited: the key has used up this hour's requests";
export const AGREEMENT_REASON = "agreement missing: the Account Holder must accept the latest agreement";

/** A 401 from a computer whose clock is off by more than Apple tolerates (offset: Apple's clock minus ours). */
export function clockRejection(keyId: string, offsetSeconds: number): string {
  const how = offsetSeconds < 0 ? "fast" : "slow";
  return `Apple refused key ${keyId} because this Mac's clock is ${offsetWords(offsetSeconds)} ${how}; turn on "Set time and date automatically" in System Settings and check again.`;
}

/** Apple's words for a message: one line, at most 80 characters (whole code points), controls made visible. */
function clip(text: string): string {
  const flat = Array.from(text.replace(/\s+/g, " ").trim());
  return printable(flat.length > 80 ? `${flat.slice(0, 79).join("")}…` : flat.join(""));
}

// ---------------------------------------------------------------------------------------------------------------
// A rejection explained (explain.ts)

/** Asked again as an individual key (no `iss`, `sub: "user"`), Apple accepted it. */
export function individualAccepted(keyId: string): string {
  return `Key ${keyId} is an individual key: Apple accepted it without the Issuer ID; save it as an individual key (no Issuer ID).`;
}

/** What Apple's 401 can mean, one sentence each (the order is explain.ts's). */
export const REJECTION_CAUSES = {
  revoked: "It was revoked on Team Keys; a revoked key cannot be restored, so make a new one there.",
  "other-team":
    "The Issuer ID is another team's: it is at the top of the Team Keys page of the team that made the key.",
  "team-key": "It is a team key: a team key needs the Issuer ID shown at the top of Team Keys.",
  "not-app-store-connect":
    "It is not an App Store Connect key: APNs, Sign in with Apple, MusicKit and DeviceCheck keys also download as AuthKey_<ID>.p8, but they are made in Certificates, Identifiers & Profiles → Keys, and App Store Connect refuses them.",
} as const;

/** The clock as a cause, with the offset measured from Apple's `Date` (undefined: no answer carried one). */
export function clockCause(offsetSeconds: number | undefined, toleranceSeconds: number): string {
  if (offsetSeconds === undefined)
    return "The clock: Apple's answer had no Date, so this Mac's clock could not be compared.";
  const how = offsetSeconds < 0 ? "fast" : "slow";
  const size =
    Math.abs(offsetSeconds) <= 1
      ? "within a second of Apple's"
      : `${offsetWords(offsetSeconds)} ${how} against Apple's`;
  const verdict =
    Math.abs(offsetSeconds) > toleranceSeconds
      ? `more than the minute Apple allows; turn on "Set time and date automatically" in System Settings`
      : "within the minute Apple allows, so not the cause";
  return `The clock: this Mac's clock is ${size}, ${verdict}.`;
}
