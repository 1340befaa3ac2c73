import { describe, expect, it } from "vitest";
import { AscKeyError } from "../../src/lib/errors";
import {
  findIssuerIds,
  isSubscriptionKeyFileName,
  issuerIdSuffix,
  keyIdFromFileName,
  maskIssuerId,
  parseIssuerId,
  parseKeyId,
} from "../../src/lib/ids";

const APPLE_EXAMPLE = "57246542-96fe-1a63-e053-0824d011072a";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AscKeyError);
    expect((error as AscKeyError).message).not.toMatch(/\n/);
    return (error as AscKeyError).code;
  }
  return undefined;
}

describe("Issuer ID", () => {
  it("accepts Apple's own example, which is not an RFC 4122 UUID", () => {
    expect(parseIssuerId(APPLE_EXAMPLE)).toBe(APPLE_EXAMPLE);
  });

  it("trims and lowercases", () => {
    expect(parseIssuerId(`  ${APPLE_EXAMPLE.toUpperCase()} \n`)).toBe(APPLE_EXAMPLE);
  });

  it("pulls the ID out of pasted text", () => {
    expect(parseIssuerId(`Issuer ID: ${APPLE_EXAMPLE}`)).toBe(APPLE_EXAMPLE);
    expect(parseIssuerId(`Issuer ID\n${APPLE_EXAMPLE}\nCopy`)).toBe(APPLE_EXAMPLE);
    expect(parseIssuerId(`"issuer_id": "${APPLE_EXAMPLE}",`)).toBe(APPLE_EXAMPLE);
  });

  it("cleans typographic dashes and invisible characters from a paste", () => {
    expect(parseIssuerId("57246542\u201396fe\u20141a63-e053-0824d011072a\u200b")).toBe(APPLE_EXAMPLE);
  });

  it("refuses empty, malformed and ambiguous values", () => {
    expect(codeOf(() => parseIssuerId(""))).toBe("issuer-id-missing");
    expect(codeOf(() => parseIssuerId("   "))).toBe("issuer-id-missing");
    expect(codeOf(() => parseIssuerId(undefined))).toBe("issuer-id-missing");
    expect(codeOf(() => parseIssuerId("57246542-96fe-1a63-e053-0824d011072"))).toBe("issuer-id-invalid");
    expect(codeOf(() => parseIssuerId("57246542-96fe-1a63-e053-0824d011072g"))).toBe("issuer-id-invalid");
    expect(codeOf(() => parseIssuerId("5724654296fe1a63e0530824d011072a"))).toBe("issuer-id-invalid");
    expect(codeOf(() => parseIssuerId("ABC1234DEF"))).toBe("issuer-id-invalid");
    expect(codeOf(() => parseIssuerId(`${APPLE_EXAMPLE} 69a6de70-03db-47e3-e053-5b8c7c11a4d1`))).toBe(
      "issuer-id-invalid",
    );
    // Part of a longer hex run is not an Issuer ID.
    expect(codeOf(() => parseIssuerId(`0${APPLE_EXAMPLE}0`))).toBe("issuer-id-invalid");
  });

  it("finds distinct IDs in text", () => {
    expect(findIssuerIds(`a ${APPLE_EXAMPLE} b ${APPLE_EXAMPLE.toUpperCase()}`)).toEqual([APPLE_EXAMPLE]);
    expect(findIssuerIds("nothing here")).toEqual([]);
  });

  it("masks to the last three characters", () => {
    expect(issuerIdSuffix(APPLE_EXAMPLE)).toBe("72a");
    expect(maskIssuerId(APPLE_EXAMPLE)).toBe("...72a");
  });
});

describe("Key ID", () => {
  it("trims and uppercases", () => {
    expect(parseKeyId("  2x9r4hxf34 ")).toEqual({ keyId: "2X9R4HXF34" });
  });

  it("drops a pasted label", () => {
    expect(parseKeyId("Key ID: 2X9R4HXF34")).toEqual({ keyId: "2X9R4HXF34" });
  });

  it("refuses empty, inner whitespace, control characters and absurd lengths", () => {
    expect(codeOf(() => parseKeyId(""))).toBe("key-id-missing");
    expect(codeOf(() => parseKeyId(" \t"))).toBe("key-id-missing");
    expect(codeOf(() => parseKeyId("2X9R4 HXF34"))).toBe("key-id-invalid");
    expect(codeOf(() => parseKeyId("2X9R4\u0007HXF34"))).toBe("key-id-invalid");
    expect(codeOf(() => parseKeyId("A".repeat(21)))).toBe("key-id-invalid");
    expect(codeOf(() => parseKeyId(APPLE_EXAMPLE))).toBe("key-id-invalid");
  });

  it("accepts unusual Key IDs with a warning", () => {
    const short = parseKeyId("abc123");
    expect(short.keyId).toBe("ABC123");
    expect(short.warning).toMatch(/ten letters and digits/);
    expect(parseKeyId("A".repeat(20)).warning).toBeDefined();
    expect(parseKeyId("ABC-234DEF").warning).toBeDefined();
  });
});

describe("file names", () => {
  it("reads the Key ID from AuthKey_<ID>.p8", () => {
    expect(keyIdFromFileName("/Users/me/Downloads/AuthKey_2X9R4HXF34.p8")).toBe("2X9R4HXF34");
    expect(keyIdFromFileName("authkey_2x9r4hxf34.p8")).toBe("2X9R4HXF34");
    expect(keyIdFromFileName("AuthKey_2X9R4HXF34 (1).p8")).toBe("2X9R4HXF34");
    expect(keyIdFromFileName("AuthKey_2X9R4HXF34-1.p8")).toBe("2X9R4HXF34");
    expect(keyIdFromFileName("key.p8")).toBeUndefined();
    expect(keyIdFromFileName("AuthKey_2X9R4HXF34.pem")).toBeUndefined();
  });

  it("recognises In-App Purchase key files", () => {
    expect(isSubscriptionKeyFileName("/tmp/SubscriptionKey_2X9R4HXF34.p8")).toBe(true);
    expect(isSubscriptionKeyFileName("SubscriptionKey_2X9R4HXF34 (2).p8")).toBe(true);
    expect(isSubscriptionKeyFileName("AuthKey_2X9R4HXF34.p8")).toBe(false);
  });
});
