/**
 * Apple's answers, in one table: what each outcome of a check means and how every face of the product shows it.
 * Adding an outcome is one entry here; the compiler then asks for every field, and for its sentence in words.ts
 * (`outcomeSentence`, the one place that says what an outcome means to the user).
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

interface OutcomeFacts {
  /** A short label for a metadata row or a tag: "valid (small role)". */
  label: string;
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
    usable: true,
    conclusive: true,
    toastTitle: "Key Works",
    subtitle: valid,
    color: "Green",
    exit: "ok",
  },
  "role-limited": {
    label: "valid (small role)",
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
    usable: false,
    conclusive: true,
    toastTitle: "Apple Rejected the Key",
    subtitle: (keyId, when) => `Apple rejected key ${keyId}: revoked? (checked ${when})`,
    color: "Red",
    exit: "rejected",
  },
  "rate-limited": {
    label: "valid (rate-limited)",
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
    usable: false,
    conclusive: false,
    toastTitle: "Apple Had an Error",
    subtitle: (keyId, when) => notChecked(keyId, when, "not checked: Apple had an error"),
    color: "SecondaryText",
    exit: "unavailable",
  },
  unreachable: {
    label: "not checked: offline",
    usable: false,
    conclusive: false,
    toastTitle: "Couldn't Reach Apple",
    subtitle: (keyId, when) => notChecked(keyId, when, "not checked: offline"),
    color: "SecondaryText",
    exit: "unavailable",
  },
};

export function isOutcome(value: unknown): value is Outcome {
  return (OUTCOMES as readonly unknown[]).includes(value);
}
