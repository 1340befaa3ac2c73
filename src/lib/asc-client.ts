/**
 * The live check: one `GET /v1/apps?limit=1` with a fresh token, and a verdict the user can act on.
 *
 * Every answer maps to exactly one outcome. 403 is split by Apple's `code` (matched by prefix): a small role and
 * a missing agreement both mean the key itself works. Apple's body must be JSON: an HTML page with status 200 is a
 * captive portal or proxy, not Apple. Messages name the Key ID only: never the token, the private key or the Issuer
 * ID. A key that cannot sign throws its AscKeyError instead of producing an outcome. The token only travels over
 * https, or over plain http to this computer (the test stand-ins).
 */
import { mintToken, type TokenCredentials } from "./token";

export const DEFAULT_ASC_API_URL = "https://api.appstoreconnect.apple.com";
/** Overrides the base URL for tests and stand-ins (read at call time). */
export const ASC_API_URL_ENV = "LINGCODE_ASC_API_URL";
export const DEFAULT_TIMEOUT_MS = 15_000;
export const CHECK_PATH = "/v1/apps?limit=1";
/** Beyond this difference between Apple's `Date` and the local clock, a 401 is blamed on the clock. */
export const CLOCK_TOLERANCE_SECONDS = 60;
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

/**
 * The sentence per outcome, shared by the UI, the CLI and the README. With a Key ID it names the key; with a kind,
 * a rejection points at the right page. `checkKey` gives more specific sentences for a wrong clock, a server error
 * and an unreachable server.
 */
export function outcomeSentence(outcome: Outcome, key: { keyId?: string; kind?: "team" | "individual" } = {}): string {
  const the = key.keyId ? `Key ${key.keyId}` : "The key";
  const theLower = key.keyId ? `key ${key.keyId}` : "the key";
  switch (outcome) {
    case "valid":
      return `${the} works: App Store Connect accepted it; nothing to do.`;
    case "role-limited":
      return `${the} works, but its role does not allow listing apps; if LingCode needs more, use a key with the App Manager or Admin role.`;
    case "agreement-required":
      return `${the} is fine, but App Store Connect refuses every request until the Account Holder accepts the latest agreement under Business in App Store Connect; do not re-enter the key.`;
    case "rejected":
      return key.kind === "individual"
        ? `Apple rejected ${theLower}: it was revoked, the Key ID does not match the .p8 file, or it is a team key (which needs the Issuer ID); check it under your profile in App Store Connect and register it again.`
        : `Apple rejected ${theLower}: it was revoked, the Issuer ID or Key ID does not match the .p8 file, or it is an individual key (which takes no Issuer ID); check it at ${TEAM_KEYS_URL} and register it again.`;
    case "rate-limited":
      return `${the} works but has used up its hourly request allowance; wait up to an hour and check again.`;
    case "server-error":
      return "App Store Connect answered with an error; try again in a few minutes.";
    case "unreachable":
      return "App Store Connect could not be reached; check the internet connection and try again.";
  }
}

/** The general sentences, without a Key ID. */
export const OUTCOME_SENTENCES: Readonly<Record<Outcome, string>> = Object.freeze(
  Object.fromEntries(OUTCOMES.map((outcome) => [outcome, outcomeSentence(outcome)])) as Record<Outcome, string>,
);

export interface CheckResult {
  outcome: Outcome;
  /** One sentence telling the user what to do. */
  message: string;
  httpStatus?: number;
  /** From `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:N;` */
  rateLimitRemaining?: number;
  rateLimitLimit?: number;
  /** Apple's `Date` minus the local clock, rounded to seconds, when the answer had a `Date` header. */
  clockOffsetSeconds?: number;
  /** ISO 8601 time the check started. */
  checkedAt: string;
  /** `errors[0].code` of Apple's answer. */
  appleCode?: string;
}

export interface CheckOptions {
  /** Default: `LINGCODE_ASC_API_URL`, else https://api.appstoreconnect.apple.com */
  baseUrl?: string;
  /** Default 15 000 ms; covers connecting and reading the answer. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
}

/** Does the key itself work (or is at least not known to be bad)? */
export function isUsable(outcome: Outcome): boolean {
  return (
    outcome === "valid" || outcome === "role-limited" || outcome === "agreement-required" || outcome === "rate-limited"
  );
}

/** The API base URL without a trailing slash: `LINGCODE_ASC_API_URL` when set, else Apple's. */
export function resolveBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[ASC_API_URL_ENV]?.trim();
  return (fromEnv || DEFAULT_ASC_API_URL).replace(/\/+$/, "");
}

/**
 * May a bearer token go to this host over plain http? Only on this computer: `localhost`, 127.0.0.0/8 and ::1
 * (`hostname` as the URL parser gives it: `127.1` is already `127.0.0.1`, and ::1 comes bracketed).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Checks the key against App Store Connect with exactly one request. A base URL that is not a web address, or is
 * plain http to anything but this computer, gets no request (and no token is made): `unreachable`.
 */
export async function checkKey(credentials: TokenCredentials, options: CheckOptions = {}): Promise<CheckResult> {
  const now = options.now ?? Date.now;
  const checkedAt = new Date(now()).toISOString();
  const baseUrl = (options.baseUrl ?? resolveBaseUrl()).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;

  // The address is judged before a token exists: a bad one gets no request and no token.
  let url: URL;
  try {
    url = new URL(CHECK_PATH, baseUrl + "/");
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
  } catch {
    return {
      outcome: "unreachable",
      message:
        options.baseUrl === undefined
          ? `The App Store Connect address in ${ASC_API_URL_ENV} is not a web address; fix or unset it and try again.`
          : "The App Store Connect address given is not a web address; fix it and try again.",
      checkedAt,
    };
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    const where = options.baseUrl === undefined ? `the address in ${ASC_API_URL_ENV}` : "the address given";
    return {
      outcome: "unreachable",
      message: `Refusing to send the key's token over plain http to ${url.host}: ${where} must use https (http is only for localhost, 127.x.x.x and ::1); fix it and try again.`,
      checkedAt,
    };
  }

  // A fresh token per check: the check must not depend on what an earlier clock or key left in the cache.
  const token = await mintToken(credentials, { now, reuse: false });

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await doFetch(url, {
      method: "GET",
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      redirect: "manual",
      signal: controller.signal,
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    const reason = controller.signal.aborted ? `no answer within ${formatSeconds(timeoutMs)}` : networkReason(error);
    return {
      outcome: "unreachable",
      message: `Could not reach App Store Connect at ${url.host} (${reason}); check the internet connection and try again.`,
      checkedAt,
    };
  } finally {
    clearTimeout(timer);
  }

  const result: CheckResult = { outcome: "server-error", message: "", httpStatus: status, checkedAt };
  Object.assign(result, parseRateLimit(headers.get("x-rate-limit")));
  const serverDate = Date.parse(headers.get("date") ?? "");
  // `Date` has whole seconds, cut down: the server's clock was half a second past it on average.
  if (!Number.isNaN(serverDate)) result.clockOffsetSeconds = Math.round((serverDate + 500 - now()) / 1000);

  const body = parseJson(text);
  const firstError = firstAppleError(body);
  if (firstError?.code) result.appleCode = firstError.code;
  return { ...result, ...judge(status, body, firstError, credentials, result.clockOffsetSeconds) };
}

interface AppleError {
  status?: string;
  code?: string;
  title?: string;
  detail?: string;
}

function judge(
  status: number,
  body: object | undefined,
  error: AppleError | undefined,
  credentials: TokenCredentials,
  clockOffset: number | undefined,
): Pick<CheckResult, "outcome" | "message"> {
  const key = { keyId: credentials.keyId, kind: credentials.kind };
  const verdict = (outcome: Outcome) => ({ outcome, message: outcomeSentence(outcome, key) });
  if (status >= 500) {
    return {
      outcome: "server-error",
      message: `App Store Connect had a server error (HTTP ${status}); try again in a few minutes.`,
    };
  }
  if (body === undefined) {
    return {
      outcome: "server-error",
      message: `The answer (HTTP ${status}) did not come from App Store Connect's API, perhaps from a proxy or a Wi-Fi login page; try again on another network.`,
    };
  }
  const code = error?.code ?? "";
  if (status === 200 && Array.isArray((body as { data?: unknown }).data)) return verdict("valid");
  if (status === 401) {
    if (clockOffset !== undefined && Math.abs(clockOffset) > CLOCK_TOLERANCE_SECONDS) {
      const how = clockOffset < 0 ? "fast" : "slow";
      return {
        outcome: "rejected",
        message: `Apple refused key ${credentials.keyId} because this Mac's clock is ${formatOffset(Math.abs(clockOffset))} ${how}; turn on "Set time and date automatically" in System Settings and check again.`,
      };
    }
    return verdict("rejected");
  }
  if (status === 403 && code.startsWith("FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED")) {
    return verdict("agreement-required");
  }
  if (status === 403 && code.startsWith("FORBIDDEN_ERROR")) return verdict("role-limited");
  if (status === 429) return verdict("rate-limited");
  const title = error?.title ? ` "${clip(error.title)}"` : "";
  return {
    outcome: "server-error",
    message: `App Store Connect answered HTTP ${status}${title}, which this check does not expect; try again later, and report it if it persists.`,
  };
}

/** `user-hour-lim:3600;user-hour-rem:3599;` → limit and remaining. */
export function parseRateLimit(header: string | null | undefined): {
  rateLimitLimit?: number;
  rateLimitRemaining?: number;
} {
  const out: { rateLimitLimit?: number; rateLimitRemaining?: number } = {};
  for (const part of (header ?? "").split(";")) {
    const [name, value] = part.split(":").map((s) => s.trim());
    if (!value || !/^\d+$/.test(value)) continue;
    if (name === "user-hour-lim") out.rateLimitLimit = Number(value);
    if (name === "user-hour-rem") out.rateLimitRemaining = Number(value);
  }
  return out;
}

function parseJson(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function firstAppleError(body: unknown): AppleError | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || typeof errors[0] !== "object" || errors[0] === null) return undefined;
  const raw = errors[0] as Record<string, unknown>;
  const pick = (field: string) => (typeof raw[field] === "string" ? (raw[field] as string) : undefined);
  return { status: pick("status"), code: pick("code"), title: pick("title"), detail: pick("detail") };
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

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function formatOffset(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
