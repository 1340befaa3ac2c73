/**
 * App Store Connect API tokens (Apple, "Generating Tokens for API Requests").
 *
 * - Header `{ alg: "ES256", kid: <Key ID>, typ: "JWT" }`.
 * - Team keys: `iss: <Issuer ID>`; individual keys: `sub: "user"` and no `iss`. `aud: "appstoreconnect-v1"`.
 * - `iat` is back-dated 60 s so a clock that runs a little fast is not refused.
 * - Lifetime is measured as Apple measures it, `exp - iat`: `exp = iat + ttlSeconds`. The default 600 s therefore
 *   leaves 540 s from now. Apple refuses more than 1200 s; a lifetime of 60 s or less would be expired at birth, so
 *   the accepted range is 61..1200 whole seconds.
 * - The private key is imported once per process (cached under a SHA-256 of the PEM, never the PEM itself), and a
 *   minted token is reused until a minute before it expires, as Apple asks.
 * - Signed with node:crypto directly (ES256 = ECDSA P-256 over SHA-256, signature as raw r||s). jose did the same
 *   through WebCrypto, but added 16 KB to every Raycast bundle that mints and cost 1.4x a bare import + sign.
 */
import { createHash, createPrivateKey, sign, type KeyObject } from "node:crypto";
import { AscKeyError } from "./errors";
import type { KeyRecord } from "./record";

export const AUDIENCE = "appstoreconnect-v1";
export const DEFAULT_TTL_SECONDS = 600;
export const MAX_TTL_SECONDS = 1200;
/** How far `iat` is set in the past. */
export const BACKDATE_SECONDS = 60;
export const MIN_TTL_SECONDS = BACKDATE_SECONDS + 1;
/** A cached token is handed out again only while it has more than this left. */
export const REUSE_MARGIN_SECONDS = 60;

/** What signing needs; a KeyRecord is one. */
export type TokenCredentials = Pick<KeyRecord, "kind" | "issuerId" | "keyId" | "privateKey">;

export interface MintOptions {
  /** `exp - iat` in whole seconds, 61..1200. Default 600. */
  ttlSeconds?: number;
  /** Optional `scope` claim: entries like `"GET /v1/apps?filter[platform]=IOS"`. */
  scope?: string[];
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** `false` signs a fresh token (and caches it) even if a cached one is still good. Default `true`. */
  reuse?: boolean;
}

export interface TokenSummary {
  keyId: string;
  kind: "team" | "individual";
  /** Team tokens only. */
  issuerId?: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  /** `exp - iat` */
  lifetimeSeconds: number;
  scope?: string[];
}

const SCOPE_PATTERN = /^(GET|POST|PATCH|PUT|DELETE) \/[^\s]*$/;
const MAX_SCOPE_ENTRIES = 50;
const MAX_SCOPE_LENGTH = 500;

const importedKeys = new Map<string, KeyObject>();
const tokens = new Map<string, { token: string; iat: number; exp: number }>();

/** Forgets every cached token and imported key (call it when the key is replaced or deleted). */
export function clearTokenCache(): void {
  tokens.clear();
  importedKeys.clear();
}

/** Signs (or reuses) a token for the App Store Connect API. Failures are AscKeyErrors without key material. */
export async function mintToken(credentials: TokenCredentials, options: MintOptions = {}): Promise<string> {
  const ttl = checkTtl(options.ttlSeconds);
  const scope = checkScope(options.scope);
  const { kind, keyId } = credentials;
  if (typeof keyId !== "string" || keyId.trim() === "") {
    throw new AscKeyError("key-id-missing", "The key has no Key ID; register the key again with its Key ID.");
  }
  let issuerId: string | undefined;
  if (kind === "team") {
    if (typeof credentials.issuerId !== "string" || credentials.issuerId.trim() === "") {
      throw new AscKeyError(
        "issuer-id-missing",
        `Team key ${keyId} has no Issuer ID; register it again with the Issuer ID shown on the Team Keys page.`,
      );
    }
    issuerId = credentials.issuerId;
  }
  // An individual key's token must not carry `iss`; any issuerId given with one is ignored.

  const pemHash = createHash("sha256").update(credentials.privateKey).digest("hex");
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const cacheKey = JSON.stringify([kind, issuerId ?? null, keyId, scope ?? null, ttl, pemHash]);
  const cached = tokens.get(cacheKey);
  // `iat <= now` as well: after a fast clock is corrected, a token minted under it would be refused.
  if (options.reuse !== false && cached && cached.iat <= nowSeconds && nowSeconds < cached.exp - REUSE_MARGIN_SECONDS) {
    return cached.token;
  }

  const key = importKey(credentials.privateKey, pemHash, keyId);
  const iat = nowSeconds - BACKDATE_SECONDS;
  const exp = iat + ttl;
  const payload: Record<string, unknown> = kind === "team" ? { iss: issuerId } : { sub: "user" };
  if (scope) payload.scope = scope;
  Object.assign(payload, { aud: AUDIENCE, iat, exp });
  const signingInput = `${base64url({ alg: "ES256", kid: keyId, typ: "JWT" })}.${base64url(payload)}`;
  const signature = sign("sha256", Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" });
  const token = `${signingInput}.${signature.toString("base64url")}`;
  tokens.set(cacheKey, { token, iat, exp });
  return token;
}

/** Reads a token's header and claims without verifying it (for display: "expires at ..."). */
export function decodeTokenClaims(token: string): TokenSummary {
  const [headerPart = "", claimsPart = ""] = token.split(".");
  const header = decodePart(headerPart);
  const claims = decodePart(claimsPart);
  const issuedAt = typeof claims.iat === "number" ? claims.iat : 0;
  const expiresAt = typeof claims.exp === "number" ? claims.exp : 0;
  const summary: TokenSummary = {
    keyId: String(header.kid ?? ""),
    kind: claims.iss === undefined ? "individual" : "team",
    issuedAt,
    expiresAt,
    lifetimeSeconds: expiresAt - issuedAt,
  };
  if (claims.iss !== undefined) summary.issuerId = String(claims.iss);
  if (Array.isArray(claims.scope)) summary.scope = claims.scope.map(String);
  return summary;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function decodePart(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("This is not a JSON Web Token.");
  }
  return value as Record<string, unknown>;
}

function checkTtl(ttlSeconds: number | undefined): number {
  if (ttlSeconds === undefined) return DEFAULT_TTL_SECONDS;
  if (
    typeof ttlSeconds !== "number" ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < MIN_TTL_SECONDS ||
    ttlSeconds > MAX_TTL_SECONDS
  ) {
    throw new AscKeyError(
      "token-lifetime",
      `A token lifetime must be a whole number of seconds from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} (Apple refuses more than 20 minutes).`,
    );
  }
  return ttlSeconds;
}

function checkScope(scope: string[] | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  if (!Array.isArray(scope) || scope.length === 0 || scope.length > MAX_SCOPE_ENTRIES) {
    throw new AscKeyError(
      "token-scope",
      `A token scope must list 1 to ${MAX_SCOPE_ENTRIES} requests such as "GET /v1/apps"; leave it out for an unscoped token.`,
    );
  }
  scope.forEach((entry, index) => {
    if (typeof entry !== "string" || entry.length > MAX_SCOPE_LENGTH || !SCOPE_PATTERN.test(entry)) {
      throw new AscKeyError(
        "token-scope",
        `Token scope entry ${index + 1} is not "METHOD /path" (for example "GET /v1/apps?filter[platform]=IOS").`,
      );
    }
  });
  return [...scope];
}

function importKey(pem: string, pemHash: string, keyId: string): KeyObject {
  let key = importedKeys.get(pemHash);
  if (!key) {
    key = importPkcs8(pem.trim(), keyId);
    importedKeys.set(pemHash, key);
  }
  return key;
}

const PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";

/**
 * Reads a PKCS#8 PEM as jose's `importPKCS8(pem, "ES256")` did: it must start with the BEGIN line; the body is the
 * base64 between the BEGIN and END lines, whitespace ignored (CRLF, one long line); the key must be EC on P-256.
 */
function importPkcs8(pem: string, keyId: string): KeyObject {
  let key: KeyObject | undefined;
  if (pem.startsWith(PKCS8_BEGIN)) {
    const body = pem.replace(/-----(?:BEGIN|END) PRIVATE KEY-----|\s/g, "");
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
      try {
        key = createPrivateKey({ key: Buffer.from(body, "base64"), format: "der", type: "pkcs8" });
      } catch {
        key = undefined;
      }
    }
  }
  if (key?.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return key;
  throw importFailure(key, pem, keyId);
}

/** Says why a key cannot sign ES256, in our own words: the parser's text is never passed on. */
function importFailure(key: KeyObject | undefined, pem: string, keyId: string): AscKeyError {
  if (key?.asymmetricKeyType === "ec") {
    return new AscKeyError(
      "wrong-curve",
      `The private key for ${keyId} is not on the P-256 curve; use the AuthKey_${keyId}.p8 file from App Store Connect.`,
    );
  }
  if (!pem.includes(PKCS8_BEGIN)) {
    return new AscKeyError(
      "not-a-key",
      `The saved private key for ${keyId} is not a PKCS#8 PEM key; register the AuthKey_${keyId}.p8 file again.`,
    );
  }
  return new AscKeyError(
    "corrupt-key",
    `The private key for ${keyId} could not be used to sign; register the AuthKey_${keyId}.p8 file again.`,
  );
}
