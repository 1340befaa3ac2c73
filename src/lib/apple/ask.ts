/**
 * The one function that sends requests to App Store Connect: `askApple` asks for one or more paths with one fresh
 * token, all at once, and hands back each answer as read (status, JSON body, `X-Rate-Limit`, `Date`) or why there
 * was none. It judges nothing; judge.ts does.
 *
 * - The address is checked before a token exists: not a web address, or plain http to anything but this computer
 *   (`localhost`, 127.0.0.0/8, ::1: the test stand-ins), and nothing is signed or sent. A bearer token must not
 *   cross a network in the clear.
 * - One timeout covers every request and every body: a server that trickles forever is cut off by it.
 * - A redirect is not followed (the token goes to the address given and nowhere else): its 3xx is the answer.
 * - A body is read up to MAX_ANSWER_BYTES, counted after decompression: Apple's answers are a few KB, and an
 *   endless or gzip-bombed body must not grow the process. Anything longer is cut off here, unread.
 */
import { mintToken, type TokenCredentials } from "../token";
import { ADDRESS_NOT_WEB, networkReason, noAnswerWithin, plainHttpRefused } from "./words";

export const DEFAULT_ASC_API_URL = "https://api.appstoreconnect.apple.com";
/** How long a check waits for Apple, connecting and reading included. */
const APPLE_TIMEOUT_MS = 15_000;
/** The most of an answer that is read, counted after decompression. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface AskOptions {
  /** Default: Apple's, https://api.appstoreconnect.apple.com */
  baseUrl?: string;
  /** Default 15 000 ms; covers connecting and reading every answer. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
}

/** `errors[0]` of Apple's answer, its text fields only. */
interface AppleError {
  code?: string;
  title?: string;
  detail?: string;
}

/** An answer as read, before anyone judges it. */
export interface AppleAnswer {
  path: string;
  host: string;
  /** Absent when there was no answer: then `failure` says why, in a few words. */
  status?: number;
  failure?: string;
  /** The body when it is a JSON object; absent for anything else (HTML, a list, a scalar, too large). */
  body?: object;
  /** The body was over MAX_ANSWER_BYTES and was not read. */
  tooLarge?: boolean;
  appleError?: AppleError;
  /** From `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:N;` */
  rateLimitLimit?: number;
  rateLimitRemaining?: number;
  /** Apple's `Date` minus the local clock, in whole seconds. */
  clockOffsetSeconds?: number;
  /** Apple's `Date`, in milliseconds since the epoch (whole seconds, as the header gives it). */
  appleTime?: number;
}

/** Either nothing was sent (the address is refused, and why), or one answer per path, in the order asked. */
type Asked = { refused: string } | { answers: AppleAnswer[] };

/**
 * Asks App Store Connect for each path (`/v1/apps?limit=1`), all at once, with one token signed now: a check must
 * not depend on what an earlier clock or key left in the token cache. A key that cannot sign throws its AscKeyError
 * (nothing is sent). An individual key's token has `sub: "user"` and no `iss`: to ask as one, pass the credentials
 * with `kind: "individual"`.
 */
export async function askApple(
  credentials: TokenCredentials,
  paths: readonly string[],
  options: AskOptions = {},
): Promise<Asked> {
  const base = baseUrl(options.baseUrl ?? DEFAULT_ASC_API_URL);
  if (typeof base === "string") return { refused: base };
  const now = options.now ?? Date.now;
  const token = await mintToken(credentials, { now, reuse: false });
  const timeoutMs = options.timeoutMs ?? APPLE_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const ask = (path: string) => askOne(new URL(path.replace(/^\//, ""), base), path, token, options, controller);
    return { answers: await Promise.all(paths.map(ask)) };
  } finally {
    clearTimeout(timer);
  }
}

async function askOne(
  url: URL,
  path: string,
  token: string,
  options: AskOptions,
  controller: AbortController,
): Promise<AppleAnswer> {
  const answer: AppleAnswer = { path, host: url.host };
  let response: Response;
  let text: string | undefined;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: "GET",
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      redirect: "manual",
      signal: controller.signal,
    });
    text = await readCapped(response, MAX_ANSWER_BYTES);
  } catch (error) {
    answer.failure = controller.signal.aborted
      ? noAnswerWithin(options.timeoutMs ?? APPLE_TIMEOUT_MS)
      : networkReason(error);
    return answer;
  }
  answer.status = response.status;
  Object.assign(answer, parseRateLimit(response.headers.get("x-rate-limit")));
  const appleTime = Date.parse(response.headers.get("date") ?? "");
  if (!Number.isNaN(appleTime)) {
    answer.appleTime = appleTime;
    // `Date` has whole seconds, cut down: Apple's clock was half a second past it on average.
    // `+ 0` turns Math.round's -0 (an offset just under zero) into 0, which JSON and every reader say alike.
    answer.clockOffsetSeconds = Math.round((appleTime + 500 - (options.now ?? Date.now)()) / 1000) + 0;
  }
  if (text === undefined) answer.tooLarge = true;
  else {
    const body = parseJson(text);
    if (body) answer.body = body;
    const appleError = firstAppleError(body);
    if (appleError) answer.appleError = appleError;
  }
  return answer;
}

/**
 * May a bearer token go to this host over plain http? Only on this computer: `localhost`, 127.0.0.0/8 and ::1
 * (`hostname` as the URL parser gives it: `127.1` is already `127.0.0.1`, and ::1 comes bracketed).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The base every path is resolved against, or, as a sentence, why no request may be sent there. */
function baseUrl(given: string): URL | string {
  let url: URL;
  try {
    url = new URL(given.replace(/\/+$/, "") + "/");
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
  } catch {
    return ADDRESS_NOT_WEB;
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) return plainHttpRefused(url.host);
  return url;
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
function parseJson(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function firstAppleError(body: object | undefined): AppleError | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || typeof errors[0] !== "object" || errors[0] === null) return undefined;
  const raw = errors[0] as Record<string, unknown>;
  const pick = (field: string) => (typeof raw[field] === "string" ? (raw[field] as string) : undefined);
  const error: AppleError = {};
  for (const field of ["code", "title", "detail"] as const) {
    const value = pick(field);
    if (value !== undefined) error[field] = value;
  }
  return error;
}
