import { generateKeyPairSync, verify } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { isAscKeyError } from "../../src/lib/errors";
import {
  clearTokenCache,
  decodeTokenClaims,
  DEFAULT_TTL_SECONDS,
  MAX_TTL_SECONDS,
  mintToken,
  type TokenCredentials,
} from "../../src/lib/token";
import { ISSUER_ID, makeKey, makeRecord } from "../support/keys";
import { expectNoSecret } from "../support/leaks";

const jose = vi.hoisted(() => ({ imports: 0 }));
vi.mock("jose", async (importOriginal) => {
  const actual = await importOriginal<typeof import("jose")>();
  return {
    ...actual,
    importPKCS8: (...args: Parameters<typeof actual.importPKCS8>) => {
      jose.imports += 1;
      return actual.importPKCS8(...args);
    },
  };
});

const NOW_MS = Date.UTC(2026, 10, 26, 4, 0, 0);
const NOW = NOW_MS / 1000;
const at = (seconds: number) => () => NOW_MS + seconds * 1000;

/** Decodes and checks a token by hand: no jose. */
function decode(token: string) {
  const [h, p, s] = token.split(".");
  const part = (x: string) => JSON.parse(Buffer.from(x, "base64url").toString("utf8"));
  return { header: part(h), payload: part(p), data: Buffer.from(`${h}.${p}`), signature: Buffer.from(s, "base64url") };
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

beforeEach(() => {
  clearTokenCache();
  jose.imports = 0;
});

describe("mintToken: header and claims", () => {
  it("team key: ES256/kid/JWT header, iss, aud, iat back-dated 60 s, exp - iat = 600", async () => {
    const key = makeKey();
    const record = makeRecord({ kind: "team" }, key);
    const token = await mintToken(record, { now: at(0) });
    const { header, payload, data, signature } = decode(token);
    expect(header).toEqual({ alg: "ES256", kid: record.keyId, typ: "JWT" });
    expect(payload).toEqual({ iss: ISSUER_ID, aud: "appstoreconnect-v1", iat: NOW - 60, exp: NOW - 60 + 600 });
    expect(verify("sha256", data, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)).toBe(true);
  });

  it("individual key: sub user and no iss, even if an issuerId is passed", async () => {
    const key = makeKey();
    const record = makeRecord({ kind: "individual" }, key);
    const token = await mintToken({ ...record, issuerId: ISSUER_ID }, { now: at(0) });
    const { header, payload, data, signature } = decode(token);
    expect(header).toEqual({ alg: "ES256", kid: record.keyId, typ: "JWT" });
    expect(payload).toEqual({ sub: "user", aud: "appstoreconnect-v1", iat: NOW - 60, exp: NOW + 540 });
    expect(payload).not.toHaveProperty("iss");
    expect(verify("sha256", data, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)).toBe(true);
  });

  it("decodeTokenClaims summarises a token", async () => {
    const record = makeRecord({ kind: "team" });
    const token = await mintToken(record, { now: at(0), scope: ["GET /v1/apps"] });
    expect(decodeTokenClaims(token)).toEqual({
      keyId: record.keyId,
      kind: "team",
      issuerId: ISSUER_ID,
      issuedAt: NOW - 60,
      expiresAt: NOW + 540,
      lifetimeSeconds: 600,
      scope: ["GET /v1/apps"],
    });
    const individual = await mintToken(makeRecord({ kind: "individual" }), { now: at(0) });
    expect(decodeTokenClaims(individual)).toMatchObject({ kind: "individual", lifetimeSeconds: 600 });
    expect(decodeTokenClaims(individual)).not.toHaveProperty("issuerId");
  });

  it("a team key without an Issuer ID is refused", async () => {
    const record = makeRecord({ kind: "team" });
    const error = await refusal(mintToken({ ...record, issuerId: undefined }));
    expect(isAscKeyError(error, "issuer-id-missing")).toBe(true);
    expect(isAscKeyError(await refusal(mintToken({ ...record, issuerId: " " })), "issuer-id-missing")).toBe(true);
    expect(isAscKeyError(await refusal(mintToken({ ...record, keyId: "" })), "key-id-missing")).toBe(true);
  });

  it("a KeyRecord is assignable to the credentials", () => {
    const credentials: TokenCredentials = makeRecord();
    expect(credentials.keyId).toBeTruthy();
  });
});

describe("mintToken: lifetime", () => {
  it(`defaults to ${DEFAULT_TTL_SECONDS} s and accepts ${MAX_TTL_SECONDS} s`, async () => {
    const record = makeRecord();
    expect(DEFAULT_TTL_SECONDS).toBe(600);
    expect(MAX_TTL_SECONDS).toBe(1200);
    const max = decode(await mintToken(record, { now: at(0), ttlSeconds: 1200 })).payload;
    expect(max.exp - max.iat).toBe(1200);
    const min = decode(await mintToken(record, { now: at(0), ttlSeconds: 61 })).payload;
    expect(min.exp - min.iat).toBe(61);
  });

  it.each([1201, 0, -1, 60, 600.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s s", async (ttlSeconds) => {
    const error = await refusal(mintToken(makeRecord(), { ttlSeconds }));
    expect(isAscKeyError(error, "token-lifetime")).toBe(true);
    expect(jose.imports).toBe(0);
  });
});

describe("mintToken: scope", () => {
  it("puts a valid scope in the token", async () => {
    const scope = ["GET /v1/apps?filter[platform]=IOS", "PATCH /v1/apps/123"];
    expect(decode(await mintToken(makeRecord(), { scope })).payload.scope).toEqual(scope);
  });

  it.each([
    ["an empty list", []],
    ["a method alone", ["GET"]],
    ["a lowercase method", ["get /v1/apps"]],
    ["a relative path", ["GET v1/apps"]],
    ["a space in the path", ["GET /v1/apps extra"]],
    ["two spaces", ["GET  /v1/apps"]],
    ["a newline", ["GET /v1/apps\n"]],
    ["a number", ["GET /v1/apps", 42]],
    ["an unknown method", ["FETCH /v1/apps"]],
    ["an absurd length", [`GET /${"a".repeat(600)}`]],
  ])("refuses %s", async (_label, scope) => {
    const error = await refusal(mintToken(makeRecord(), { scope: scope as string[] }));
    expect(isAscKeyError(error, "token-scope")).toBe(true);
  });
});

describe("mintToken: reuse and key import", () => {
  it("reuses a token until a minute before it expires", async () => {
    const record = makeRecord();
    const first = await mintToken(record, { now: at(0) });
    // exp = now + 540; reused while now < exp - 60 = now + 480
    expect(await mintToken(record, { now: at(479) })).toBe(first);
    const second = await mintToken(record, { now: at(480) });
    expect(second).not.toBe(first);
    expect(decode(second).payload.iat).toBe(NOW + 480 - 60);
    expect(await mintToken(record, { now: at(500) })).toBe(second);
  });

  it("signs afresh when asked, for another lifetime, scope, kind or key, and after the clock moved back", async () => {
    const key = makeKey();
    const record = makeRecord({ kind: "team" }, key);
    const first = await mintToken(record, { now: at(0) });
    const forced = await mintToken(record, { now: at(0), reuse: false });
    expect(forced).not.toBe(first);
    expect(await mintToken(record, { now: at(1) })).toBe(forced);
    expect(await mintToken(record, { now: at(1), ttlSeconds: 900 })).not.toBe(forced);
    expect(await mintToken(record, { now: at(1), scope: ["GET /v1/apps"] })).not.toBe(forced);
    expect(await mintToken({ ...record, kind: "individual" }, { now: at(1) })).not.toBe(forced);
    expect(await mintToken({ ...record, issuerId: "00000000-0000-0000-0000-000000000000" }, { now: at(1) })).not.toBe(
      forced,
    );
    expect(await mintToken({ ...record, privateKey: makeKey().pem }, { now: at(1) })).not.toBe(forced);
    // a fast clock was corrected: the cached token's iat is now in the future
    expect(await mintToken(record, { now: at(-600) })).not.toBe(forced);
  });

  it("imports each key once per process, keyed by the PEM", async () => {
    const key = makeKey();
    const team = makeRecord({ kind: "team" }, key);
    const individual = makeRecord({ kind: "individual", keyId: team.keyId }, key);
    await Promise.all([mintToken(team), mintToken(team, { reuse: false }), mintToken(individual)]);
    await mintToken(team, { ttlSeconds: 1200 });
    await mintToken(individual, { scope: ["GET /v1/apps"], reuse: false });
    expect(jose.imports).toBe(1);
    await mintToken(makeRecord());
    expect(jose.imports).toBe(2);
    clearTokenCache();
    await mintToken(team);
    expect(jose.imports).toBe(3);
  });

  it("clearTokenCache forgets minted tokens", async () => {
    const record = makeRecord();
    const first = await mintToken(record, { now: at(0) });
    clearTokenCache();
    expect(await mintToken(record, { now: at(0) })).not.toBe(first);
  });
});

describe("no key material anywhere", () => {
  it("tokens carry no part of the private key", async () => {
    const key = makeKey();
    const d = key.privateKey.export({ format: "jwk" }).d as string;
    for (const kind of ["team", "individual"] as const) {
      const token = await mintToken(makeRecord({ kind }, key), { scope: ["GET /v1/apps"] });
      const decoded = JSON.stringify(decode(token).header) + JSON.stringify(decode(token).payload);
      expectNoSecret({ pems: [key.pem], extra: [d] }, token, "token");
      expectNoSecret({ pems: [key.pem], extra: [d] }, decoded, "decoded token");
    }
  });

  it("refusals of unusable keys say why without quoting them", async () => {
    const good = makeKey();
    const body = good.pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    const cases: Array<[string, string]> = [
      [body, "not-a-key"],
      [good.pem.replace(/\n/g, "\\n"), "corrupt-key"],
      [good.pem.replace(body.slice(20, 40), "A".repeat(20)), "corrupt-key"],
      [makeKey("P-384").pem, "wrong-curve"],
      [
        generateKeyPairSync("rsa", { modulusLength: 2048 })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
        "corrupt-key",
      ],
    ];
    for (const [privateKey, code] of cases) {
      const record = makeRecord({ privateKey });
      const error = await refusal(mintToken(record));
      expect(isAscKeyError(error), `${code}: ${String(error)}`).toBe(true);
      expect((error as { code: string }).code).toBe(code);
      const text = `${(error as Error).message} ${String((error as Error).stack)} ${JSON.stringify(error)}`;
      expect(text).toContain(record.keyId);
      expectNoSecret({ pems: [privateKey] }, text, code);
    }
  });
});
