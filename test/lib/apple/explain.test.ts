/** A rejected key explained, against the Apple stand-in: the individual-key retry, the pause-and-retry, the causes. */
import { describe, expect, it } from "vitest";
import { checkKey, explainRejection } from "../../../src/lib/apple";
import type { KeyRecord } from "../../../src/lib/record";
import { decodeTokenClaims } from "../../../src/lib/token";
import { type Behaviour, type Answer, useAppleStandIn } from "../../support/apple-stand-in";
import { ISSUER_ID, makeRecord } from "../../support/keys";

const apple = useAppleStandIn();

/** A key registered with Apple as `atApple` says, checked as `record` says; the check must be a rejection. */
async function rejected(record: KeyRecord, atApple: Partial<KeyRecord> = {}, behaviour: Behaviour | Answer = "ok") {
  apple.registerRecord({ ...record, ...atApple }, behaviour);
  const check = await checkKey(record, { baseUrl: apple.url });
  expect(check.outcome).toBe("rejected");
  apple.requests.length = 0;
  return check;
}

const ids = (explained: { causes: { id: string }[] }) => explained.causes.map((cause) => cause.id);

describe("explainRejection", () => {
  it("an individual key registered with an Issuer ID: asked once more as one, accepted", async () => {
    const record = makeRecord({ kind: "team", issuerId: ISSUER_ID });
    const check = await rejected(record, { kind: "individual", issuerId: undefined });
    const explained = await explainRejection(record, check, { baseUrl: apple.url });
    expect(explained.individualAccepted).toBe(true);
    expect(explained.asIndividual?.outcome).toBe("valid");
    expect(explained.message).toBe(
      `Key ${record.keyId} is an individual key: Apple accepted it without the Issuer ID; save it as an individual key (no Issuer ID).`,
    );
    expect(explained.causes).toEqual([]);
    expect(explained.requests).toBe(1);
    expect(apple.requests).toHaveLength(1);
    // The one request: no iss, sub "user".
    const claims = decodeTokenClaims(apple.requests[0].authorization!.replace(/^Bearer /, ""));
    expect(claims).toMatchObject({ kind: "individual", keyId: record.keyId });
    expect(claims.issuerId).toBeUndefined();
    expect(JSON.stringify(explained)).not.toContain(ISSUER_ID);
  });

  it("a revoked team key: one more request, then the causes, most likely first, with the clock measured", async () => {
    const record = makeRecord({ kind: "team" });
    const check = await rejected(record, {}, "revoked");
    const explained = await explainRejection(record, check, { baseUrl: apple.url });
    expect(explained.individualAccepted).toBe(false);
    expect(explained.asIndividual?.outcome).toBe("rejected");
    expect(explained.requests).toBe(1);
    expect(apple.requests).toHaveLength(1);
    expect(explained.message).toBe(check.message);
    expect(ids(explained)).toEqual(["revoked", "other-team", "not-app-store-connect", "clock"]);
    expect(explained.causes[1].text).toMatch(/at the top of the Team Keys page of the team that made the key/);
    expect(explained.causes[2].text).toMatch(/Certificates, Identifiers & Profiles → Keys/);
    expect(Math.abs(explained.clockOffsetSeconds ?? 99)).toBeLessThanOrEqual(1);
    expect(explained.causes[3].text).toMatch(
      /^The clock: this Mac's clock is within a second of Apple's, within the minute/,
    );
  });

  it("a clock five minutes fast: the clock goes first, with the offset Apple's Date gave", async () => {
    apple.setClockSkew(-300);
    const record = makeRecord({ kind: "team" });
    const check = await rejected(record);
    const explained = await explainRejection(record, check, { baseUrl: apple.url });
    expect(explained.individualAccepted).toBe(false);
    expect(ids(explained)).toEqual(["clock", "revoked", "other-team", "not-app-store-connect"]);
    expect(explained.causes[0].text).toMatch(/clock is 5 min fast against Apple's, more than the minute Apple allows/);
    expect(explained.clockOffsetSeconds).toBeLessThanOrEqual(-299);
  });

  it("an individual key: no second kind to try (no request), and the team-key cause instead of another team's", async () => {
    const record = makeRecord({ kind: "individual" });
    const check = await rejected(record, { kind: "team", issuerId: ISSUER_ID });
    const explained = await explainRejection(record, check, { baseUrl: apple.url });
    expect(explained.requests).toBe(0);
    expect(apple.requests).toHaveLength(0);
    expect(explained.asIndividual).toBeUndefined();
    expect(ids(explained)).toEqual(["revoked", "team-key", "not-app-store-connect", "clock"]);
  });

  it("a key valid at its last check is asked once more after a pause; accepted then, nothing else is asked", async () => {
    const record = makeRecord({ kind: "team" });
    const check = await rejected(record, {}, "revoked");
    const waited: number[] = [];
    const explained = await explainRejection(record, check, {
      baseUrl: apple.url,
      wasValid: true,
      retryPauseMs: 1500,
      pause: async (ms) => {
        waited.push(ms);
        apple.setBehaviour(record.keyId, "ok"); // Apple's bad moment is over
      },
    });
    expect(waited).toEqual([1500]);
    expect(explained.retry?.outcome).toBe("valid");
    expect(explained.message).toBe(explained.retry?.message);
    expect(explained.causes).toEqual([]);
    expect(explained.requests).toBe(1);
    expect(apple.requests).toHaveLength(1);
  });

  it("still rejected after the pause: then the individual-key ask and the causes (two requests)", async () => {
    const record = makeRecord({ kind: "team" });
    const check = await rejected(record, {}, "revoked");
    const explained = await explainRejection(record, check, {
      baseUrl: apple.url,
      wasValid: true,
      pause: async () => undefined,
    });
    expect(explained.retry?.outcome).toBe("rejected");
    expect(explained.requests).toBe(2);
    expect(apple.requests).toHaveLength(2);
    expect(ids(explained)[0]).toBe("revoked");
  });
});
