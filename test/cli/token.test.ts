/**
 * asc-key token on an in-memory Keychain (useCliWorld), in this process: the JWT it prints, checked by hand.
 */
import { createPublicKey, verify as verifySignature } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HAS_KEYRING } from "../support/keyring";
import { ISSUER_ID, makeKeyId } from "../support/keys";
import { apple, cli, expectFailure, key, keyId, registerTeam, useCliWorld } from "../support/asc-key";

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>,
    signed: Buffer.from(`${header}.${payload}`),
    signature: Buffer.from(signature, "base64url"),
  };
}

describe.skipIf(!HAS_KEYRING)("token on an in-memory Keychain", () => {
  useCliWorld();

  describe("token", () => {
    it("exits 1 when no key is configured", async () => {
      expectFailure(await cli(["token"]), 1, /No, no ASC key configured/);
    });

    it("prints only a JWT that verifies with the public key and carries the team claims", async () => {
      expect((await registerTeam()).status).toBe(0);
      const before = Math.floor(Date.now() / 1000);
      const run = await cli(["token"]);
      const after = Math.floor(Date.now() / 1000);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const { header, claims, signed, signature } = decodeJwt(run.stdout.trim());
      expect(verifySignature("sha256", signed, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)).toBe(
        true,
      );
      expect(header).toEqual({ alg: "ES256", kid: keyId, typ: "JWT" });
      expect(claims.iss).toBe(ISSUER_ID);
      expect(claims.sub).toBeUndefined();
      expect(claims.aud).toBe("appstoreconnect-v1");
      expect(claims.scope).toBeUndefined();
      const iat = claims.iat as number;
      expect((claims.exp as number) - iat).toBe(600);
      expect(iat).toBeGreaterThanOrEqual(before - 61);
      expect(iat).toBeLessThanOrEqual(after - 59);

      // It works as the curl example in docs/cli.md uses it.
      const answer = await fetch(`${apple.url}/v1/apps`, { headers: { Authorization: `Bearer ${run.stdout.trim()}` } });
      expect(answer.status).toBe(200);
    });

    it("takes --ttl and repeated --scope", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["token", "--ttl", "1200", "--scope", "GET /v1/apps", "--scope", "GET /v1/builds?limit=1"]);
      expect(run.status, run.stderr).toBe(0);
      const { claims } = decodeJwt(run.stdout.trim());
      expect((claims.exp as number) - (claims.iat as number)).toBe(1200);
      expect(claims.scope).toEqual(["GET /v1/apps", "GET /v1/builds?limit=1"]);
      expectFailure(await cli(["token", "--ttl", "1201"]), 2, /1200/);
      expectFailure(await cli(["token", "--scope", "apps please"]), 2, /scope/);
    });

    it("signs individual-key tokens with sub and without iss", async () => {
      const individualId = makeKeyId();
      apple.register({ keyId: individualId, kind: "individual", publicKey: key.publicKey });
      const register = await cli(["register", "--individual", "--key-id", individualId, "--p8", "-"], {
        input: key.pem,
      });
      expect(register.status, register.stderr).toBe(0);
      const run = await cli(["token", "--ttl", "300"]);
      expect(run.status).toBe(0);
      const { header, claims, signed, signature } = decodeJwt(run.stdout.trim());
      expect(
        verifySignature("sha256", signed, { key: createPublicKey(key.pem), dsaEncoding: "ieee-p1363" }, signature),
      ).toBe(true);
      expect(header.kid).toBe(individualId);
      expect(claims.sub).toBe("user");
      expect(claims).not.toHaveProperty("iss");
      expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    });
  });
});
