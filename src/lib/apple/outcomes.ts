/**
 * Apple's answers, in one table: what each outcome of a check means and how every face of the product shows it.
 * Adding an outcome is one entry here; the compiler then asks for every field.
 *
 * The outcomes (from `GET /v1/apps?limit=1`, judged in apple/judge.ts):
 * - valid: 200 with a JSON `data` array.
 * - role-limited: 403 `FORBIDDEN_ERROR`: the key is valid, its role too small for this request.
 * - agreement-required: 403 `FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED`: every endpoint refuses until the
 *   Account Holder accepts the latest agreement; the key itself is fine.
 * - rejected: 401: bad signature, wrong Issuer ID or Key ID, revoked key, or a clock off by minutes.
 * - rate-limited: 429: the key works but has used its hourly allowance (3600 requests, rolling hour).
 * - server-error: 5xx, or an answer that is not App Store Connect's (a proxy, a Wi-Fi login page).
 * - unreachable: no answer at all.
 */
import type { KeyKind } from "../record";

export const TEAM_KEYS_URL = "https://appstoreconnect.apple.com/access/integrations/api";

export const OUTCOMES = [
  "valid",
  "role-limited",
  "agreement-required",
  "rejected",
  "rate-limited",
  "server-error",
  "unreachable",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How the outcome's tag is coloured (Raycast's Color of the same name). */
type OutcomeColor = "Green" | "Orange" | "Red" | "SecondaryText";

/** Which of asc-key's exit statuses the outcome gives (`verify`; `register` saves only usable outcomes). */
type OutcomeExit = "ok" | "rejected" | "unavailable";

interface KeyWords {
  /** "Key ABC1234DEF" or "The key". */
  the: string;
  /** "key ABC1234DEF" or "the key". */
  theLower: string;
  kind?: KeyKind;
}

interface OutcomeFacts {
  /** A short label for a metadata row or a tag: "valid (small role)". */
  label: string;
  /** The sentence telling the user what it means and what to do; names the key when its ID is known. */
  sentence: (key: KeyWords) => string;
  /** Does the key itself work (or is it at least not known to be bad)? A registration saves only these. */
  usable: boolean;
  /** Is the answer news about the key, as opposed to a network or server hiccup? */
  conclusive: boolean;
  /** The toast title after Verify with Apple (a success toast when usable, else a failure toast). */
  toastTitle: string;
  /** The launcher subtitle of Check API Key, given the Key ID and when it was checked. */
  subtitle: (keyId: string, when: string) => string;
  color: OutcomeColor;
  exit: OutcomeExit;
  /** asc-key's warning on stderr for an outcome that exits 0 but deserves a word. */
  cliWarning?: string;
}

const valid = (keyId: string, when: string) => `Key ${keyId} valid, checked ${when}`;
const notChecked = (keyId: string, when: string, label: string) => `Key ${keyId}: ${label}, ${when}`;

export const OUTCOME: Readonly<Record<Outcome, OutcomeFacts>> = {
  valid: {
    label: "valid",
    sentence: ({ the }) => `${the} works: App Store Connect accepted it; nothing to do.`,
    usable: true,
    conclusive: true,
    toastTitle: "Key Works",
    subtitle: valid,
    color: "Green",
    exit: "ok",
  },
  "role-limited": {
    label: "valid (small role)",
    sentence: ({ the }) =>
      `${the} works, but its role does not allow listing apps; if LingCode needs more, use a key with the App Manager or Admin role.`,
    usable: true,
    conclusive: true,
    toastTitle: "Key Works, Small Role",
    subtitle: (keyId, when) => `Key ${keyId} valid, small role (checked ${when})`,
    color: "Orange",
    exit: "ok",
    cliWarning: "the key is valid, but its role is too small to list apps.",
  },
  "agreement-required": {
    label: "valid, agreement to accept",
    sentence: ({ the }) =>
      `${the} is fine, but App Store Connect refuses every request until the Account Holder accepts the latest agreement under Business in App Store Connect; do not re-enter the key.`,
    usable: true,
    conclusive: true,
    toastTitle: "Key Fine, Agreement Needed",
    subtitle: (keyId, when) => `Key ${keyId} valid, but an agreement needs accepting (checked ${when})`,
    color: "Orange",
    exit: "ok",
    cliWarning: "the key is valid, but App Store Connect needs the Account Holder to accept an agreement.",
  },
  rejected: {
    label: "rejected",
    sentence: ({ theLower, kind }) =>
      kind === "individual"
        ? `Apple rejected ${theLower}: it was revoked, the Key ID does not match the .p8 file, or it is a team key (which needs the Issuer ID); check it under your profile in App Store Connect and register it again.`
        : `Apple rejected ${theLower}: it was revoked, the Issuer ID or Key ID does not match the .p8 file, or it is an individual key (which takes no Issuer ID); check it at ${TEAM_KEYS_URL} and register it again.`,
    usable: false,
    conclusive: true,
    toastTitle: "Apple Rejected the Key",
    subtitle: (keyId, when) => `Apple rejected key ${keyId}: revoked? (checked ${when})`,
    color: "Red",
    exit: "rejected",
  },
  "rate-limited": {
    label: "valid (rate-limited)",
    sentence: ({ the }) =>
      `${the} works but has used up its hourly request allowance; wait up to an hour and check again.`,
    usable: true,
    conclusive: true,
    toastTitle: "Key Works, Rate-Limited",
    subtitle: valid,
    color: "Orange",
    exit: "ok",
    cliWarning: "the key is valid, but it has used up this hour's requests.",
  },
  "server-error": {
    label: "not checked: Apple had an error",
    sentence: () => "App Store Connect answered with an error; try again in a few minutes.",
    usable: false,
    conclusive: false,
    toastTitle: "Apple Had an Error",
    subtitle: (keyId, when) => notChecked(keyId, when, "not checked: Apple had an error"),
    color: "SecondaryText",
    exit: "unavailable",
  },
  unreachable: {
    label: "not checked: offline",
    sentence: () => "App Store Connect could not be reached; check the internet connection and try again.",
    usable: false,
    conclusive: false,
    toastTitle: "Couldn't Reach Apple",
    subtitle: (keyId, when) => notChecked(keyId, when, "not checked: offline"),
    color: "SecondaryText",
    exit: "unavailable",
  },
};

/**
 * The sentence for an outcome. With a Key ID it names the key; with a kind, a rejection points at the right page.
 * The Apple room (apple/words.ts) gives more specific sentences for a wrong clock, a server error and an unreachable
 * server.
 */
export function outcomeSentence(outcome: Outcome, key: { keyId?: string; kind?: KeyKind } = {}): string {
  return OUTCOME[outcome].sentence({
    the: key.keyId ? `Key ${key.keyId}` : "The key",
    theLower: key.keyId ? `key ${key.keyId}` : "the key",
    kind: key.kind,
  });
}

export function isOutcome(value: unknown): value is Outcome {
  return (OUTCOMES as readonly unknown[]).includes(value);
}
