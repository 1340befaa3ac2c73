import { describe, expect, it } from "vitest";
import { AscKeyError } from "../../src/lib/errors";
import { normalizePrivateKey } from "../../src/lib/key";
import { parseRecord, serializeRecord } from "../../src/lib/record";
import { ISSUER_ID, makeKey, makeRecord } from "../support/keys";

function refusal(text: string): AscKeyError {
  try {
    parseRecord(text);
  } catch (error) {
    expect(error).toBeInstanceOf(AscKeyError);
    return error as AscKeyError;
  }
  throw new Error("parseRecord accepted it");
}

describe("the Keychain record", () => {
  const key = makeKey();
  const team = makeRecord({ keyId: "ABC1234DEF", privateKey: normalizePrivateKey(key.pem).pem }, key);
  const individual = makeRecord({ kind: "individual", keyId: "XYZ9876UVW" });

  it("serialises a team key as one line of JSON, fields in the documented order", () => {
    const text = serializeRecord(team);
    expect(text).not.toContain("\n");
    expect(Object.keys(JSON.parse(text))).toEqual(["version", "kind", "issuerId", "keyId", "privateKey", "savedAt"]);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: "ABC1234DEF",
      privateKey: team.privateKey,
      savedAt: team.savedAt,
    });
    // Printable ASCII only, so `security -w` hands it back as it is.
    expect(text).toMatch(/^[\x20-\x7E]+$/);
  });

  it("leaves the Issuer ID out for individual keys", () => {
    const parsed = JSON.parse(serializeRecord(individual));
    expect(parsed.kind).toBe("individual");
    expect("issuerId" in parsed).toBe(false);
  });

  it("round-trips", () => {
    expect(parseRecord(serializeRecord(team))).toEqual(team);
    expect(parseRecord(serializeRecord(individual))).toEqual(individual);
  });

  it("tolerates extra fields a native client may add, and surrounding whitespace", () => {
    const extra = { ...JSON.parse(serializeRecord(team)), label: "LingCode", updatedBy: "LingCode 2.1" };
    expect(parseRecord(`\n${JSON.stringify(extra, null, 2)}\n`)).toEqual(team);
  });

  it("normalises a key a native client stored in another accepted form", () => {
    const crlf = { ...JSON.parse(serializeRecord(team)), privateKey: key.pem.replace(/\n/g, "\r\n") };
    expect(parseRecord(JSON.stringify(crlf)).privateKey).toBe(team.privateKey);
  });

  it("refuses a missing field, a bad key or an unknown version, without echoing the value", () => {
    const base = JSON.parse(serializeRecord(team));
    const cases: Array<[unknown, string, RegExp]> = [
      ["not json", "record-corrupt", /not JSON/],
      [[1, 2], "record-corrupt", /object/],
      [{ ...base, version: undefined }, "record-corrupt", /version/],
      [{ ...base, version: 2 }, "record-version", /version 2/],
      [{ ...base, kind: "personal" }, "record-corrupt", /kind/],
      [{ ...base, kind: undefined }, "record-corrupt", /no kind/],
      [{ ...base, keyId: undefined }, "record-corrupt", /keyId/],
      [{ ...base, privateKey: "" }, "record-corrupt", /privateKey/],
      [{ ...base, privateKey: "garbage" }, "record-corrupt", /privateKey/],
      [{ ...base, issuerId: undefined }, "record-corrupt", /issuerId/],
      [{ ...base, issuerId: "nope" }, "record-corrupt", /Issuer ID/],
      [{ ...base, savedAt: "yesterday" }, "record-corrupt", /savedAt/],
      [{ ...base, savedAt: undefined }, "record-corrupt", /savedAt/],
    ];
    for (const [value, code, message] of cases) {
      const error = refusal(typeof value === "string" ? value : JSON.stringify(value));
      expect(error.code, JSON.stringify(value)?.slice(0, 40)).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("PRIVATE KEY");
      expect(error.message).not.toContain(ISSUER_ID);
    }
  });
});
