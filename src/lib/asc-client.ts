/**
 * The live check: one `GET /v1/apps?limit=1` with a fresh token, and a verdict the user can act on.
 *
 * Every answer maps to exactly one outcome, and the status code decides it: 401 is `rejected` and 429
 * `rate-limited` whatever the body says (HTML included); the body only refines the message. 403 is split by Apple's
 * `code` (matched by prefix): a small role and a missing agreement both mean the key itself works; a 403 without
 * one cannot be told apart and is a server error. A 200 must carry Apple's JSON: an HTML page with status 200 is a
 * captive portal or proxy, not Apple. The answer is read up to MAX_ANSWER_BYTES (after decompression): Apple's are
 * a few KB, and an endless or gzip-bombed body must not grow the process. Apple's own words (`title`, `detail`)
 * reach a message only made printable. Messages name the Key ID only: never the token, the private key or the
 * Issuer ID. A key that cannot sign throws its AscKeyError instead of producing an outcome. The token only travels
 * over https, or over plain http to this computer (the test stand-ins).
 */
import { outcomeSentence, type Outcome } from "./outcomes";
import { printable } from "./text";
import { mintToken, type TokenCredentials } from "./token";

export { OUTCOMES, outcomeSentence, TEAM_KEYS_URL, type Outcome } from "./outcomes";

export const DEFAULT_ASC_API_URL = "https://api.appstoreconnect.apple.com";
export const DEFAULT_TIMEOUT_MS = 15_000;
/**
 * The most of an answer that is read, counted after decompression. Apple's answers to the check are a few KB (one
 * app, or one error); anything longer is not Apple's API and is cut off here, unread: `server-error`.
 */
export const MAX_ANSWER_BYTES = 1024 * 1024;
export const CHECK_PATH = "/v1/apps?limit=1";
/** Beyond this difference between Apple's `Date` and the local clock, a 401 is blamed on the clock. */
export const CLOCK_TOLERANCE_SECONDS = 60;

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
  /** Default: Apple's, https://api.appstoreconnect.apple.com */
  baseUrl?: string;
  /** Default 15 000 ms; covers connecting and reading the answer. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
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
 * Where a request for `path` goes under `baseUrl`, or, as a sentence, why none may be sent there: the address is
 * not a web address, or it is plain http to anything but this computer (a bearer token must not cross a network in
 * the clear).
 */
export function requestUrl(baseUrl: string, path: string): URL | string {
  let url: URL;
  try {
    url = new URL(path.replace(/^\//, ""), baseUrl.replace(/\/+$/, "") + "/");
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
  } catch {
    return "The App Store Connect address given is not a web address; fix it and try again.";
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return `Refusing to send the key's token over plain http to ${url.host}: the address given must use https (http is only for localhost, 127.x.x.x and ::1); fix it and try again.`;
  }
  return url;
}

/**
 * Checks the key against App Store Connect with exactly one request. A base URL that is not a web address, or is
 * plain http to anything but this computer, gets no request (and no token is made): `unreachable`.
 */
export async function checkKey(credentials: TokenCredentials, options: CheckOptions = {}): Promise<CheckResult> {
  const now = options.now ?? Date.now;
  const checkedAt = new Date(now()).toISOString();
  const baseUrl = (options.baseUrl ?? DEFAULT_ASC_API_URL).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;

  // The address is judged before a token exists: a bad one gets no request and no token.
  const url = requestUrl(baseUrl, CHECK_PATH);
  if (typeof url === "string") return { outcome: "unreachable", message: url, checkedAt };

  // A fresh token per check: the check must not depend on what an earlier clock or key left in the cache.
  const token = await mintToken(credentials, { now, reuse: false });

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let status: number;
  let headers: Headers;
  let text: string | undefined;
  try {
    const response = await doFetch(url, {
      method: "GET",
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      redirect: "manual",
      signal: controller.signal,
    });
    status = response.status;
    headers = response.headers;
    // Still under the timer: a body that trickles in forever is cut off by the same timeout.
    text = await readCapped(response, MAX_ANSWER_BYTES);
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
  const offset = clockOffsetSeconds(headers.get("date"), now());
  if (offset !== undefined) result.clockOffsetSeconds = offset;

  if (text === undefined) {
    return {
      ...result,
      message: `The answer (HTTP ${status}) was over ${MAX_ANSWER_BYTES / 1024 / 1024} MB, far more than App Store Connect's API sends, so it was not read; it may come from a proxy; try again later or on another network.`,
    };
  }
  const body = parseJson(text);
  const firstError = firstAppleError(body);
  if (firstError?.code) result.appleCode = firstError.code;
  return { ...result, ...judge(status, body, firstError, credentials, result.clockOffsetSeconds) };
}

/**
 * The body as text, or undefined when it is longer than `maxBytes`. Counts the bytes as they arrive (fetch has
 * already undone any gzip or br, so this caps the decompressed size) and cancels the stream at the cap, which
 * closes the connection: an endless body or a decompression bomb costs at most `maxBytes` of memory.
 */
export async function readCapped(response: Response, maxBytes: number = MAX_ANSWER_BYTES): Promise<string | undefined> {
  // A declared length over the cap is refused before a byte is read.
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Not awaited: cancelling must not wait on a server that keeps sending.
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
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
  // The status code decides; the body only refines the message.
  if (status >= 500) {
    return {
      outcome: "server-error",
      message: `App Store Connect had a server error (HTTP ${status}); try again in a few minutes.`,
    };
  }
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
  if (status === 429) return verdict("rate-limited");
  const code = error?.code ?? "";
  if (status === 403 && code.startsWith("FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED")) {
    return verdict("agreement-required");
  }
  if (status === 403 && code.startsWith("FORBIDDEN_ERROR")) return verdict("role-limited");
  if (status === 200 && Array.isArray((body as { data?: unknown } | undefined)?.data)) return verdict("valid");
  if (body === undefined) {
    return {
      outcome: "server-error",
      message: `The answer (HTTP ${status}) did not come from App Store Connect's API, perhaps from a proxy or a Wi-Fi login page; try again on another network.`,
    };
  }
  const words = error?.title || error?.detail;
  const quoted = words ? ` "${clip(words)}"` : "";
  return {
    outcome: "server-error",
    message: `App Store Connect answered HTTP ${status}${quoted}, which this check does not expect; try again later, and report it if it persists.`,
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

/** A JSON object, or undefined for anything else (not JSON, an array, a scalar). */
export function parseJson(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Apple's `Date` header minus the local clock `now` (ms), in whole seconds; undefined without a usable header. */
export function clockOffsetSeconds(date: string | null | undefined, now: number): number | undefined {
  const serverDate = Date.parse(date ?? "");
  // `Date` has whole seconds, cut down: the server's clock was half a second past it on average.
  return Number.isNaN(serverDate) ? undefined : Math.round((serverDate + 500 - now) / 1000);
}

/** The first entry of Apple's `errors` array, its text fields only. */
export function firstAppleError(body: unknown): AppleError | undefined {
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

/** Apple's words for a message: one line, at most 80 characters (whole code points), controls made visible. */
function clip(text: string): string {
  const flat = Array.from(text.replace(/\s+/g, " ").trim());
  return printable(flat.length > 80 ? `${flat.slice(0, 79).join("")}…` : flat.join(""));
}
