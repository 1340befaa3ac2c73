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
 */
import { createHash } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT, type CryptoKey } from "jose";
import { AscKeyError } from "./errors";
import type { KeyRecord } from "./record";

export const AUDIENCE = "appstoreconnect-v1";
export const DEFAULT_TTL_SECONDS = 600;
export const MAX_TTL_SECONDS = 1200;
/** How far `iat` is set in the past. */
const BACKDATE_SECONDS = 60;
export const MIN_TTL_SECONDS = BACKDATE_SECONDS + 1;
/** A cached token is handed out again only while it has more than this left. */
const REUSE_MARGIN_SECONDS = 60;

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

interface TokenSummary {
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

const importedKeys = new Map<string, Promise<CryptoKey>>();
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

  const key = await importKey(credentials.privateKey, pemHash, keyId);
  const iat = nowSeconds - BACKDATE_SECONDS;
  const exp = iat + ttl;
  const payload: Record<string, unknown> = kind === "team" ? { iss: issuerId } : { sub: "user" };
  if (scope) payload.scope = scope;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", kid: keyId, typ: "JWT" })
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  tokens.set(cacheKey, { token, iat, exp });
  return token;
}

/** Reads a token's header and claims without verifying it (for display: "expires at ..."). */
export function decodeTokenClaims(token: string): TokenSummary {
  const header = decodeProtectedHeader(token);
  const claims = decodeJwt(token);
  const issuedAt = claims.iat ?? 0;
  const expiresAt = claims.exp ?? 0;
  const summary: TokenSummary = {
    keyId: String(header.kid ?? ""),
    kind: claims.iss === undefined ? "individual" : "team",
    issuedAt,
    expiresAt,
    lifetimeSeconds: expiresAt - issuedAt,
  };
  if (claims.iss !== undefined) summary.issuerId = claims.iss;
  if (Array.isArray(claims.scope)) summary.scope = claims.scope.map(String);
  return summary;
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

function importKey(pem: string, pemHash: string, keyId: string): Promise<CryptoKey> {
  let pending = importedKeys.get(pemHash);
  if (!pending) {
    pending = importPKCS8(pem.trim(), "ES256").catch((error: unknown) => {
      importedKeys.delete(pemHash);
      throw importFailure(error, pem, keyId);
    });
    importedKeys.set(pemHash, pending);
  }
  return pending;
}

/** Maps jose's failure to a sentence of our own; jose's text is never passed on. */
function importFailure(error: unknown, pem: string, keyId: string): AscKeyError {
  const reason = error instanceof Error ? error.message : "";
  if (/curve/i.test(reason)) {
    return new AscKeyError(
      "wrong-curve",
      `The private key for ${keyId} is not on the P-256 curve; use the AuthKey_${keyId}.p8 file from App Store Connect.`,
    );
  }
  if (!pem.includes("-----BEGIN PRIVATE KEY-----")) {
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
