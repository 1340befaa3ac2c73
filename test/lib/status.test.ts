import { describe, expect, it } from "vitest";
import { normalizePrivateKey } from "../../src/lib/key";
import { NOT_CONFIGURED_SENTENCE, statusSentence, summarize, summarySentence } from "../../src/lib/status";
import { makeKey, makeRecord } from "../support/keys";

describe("status sentences, word for word", () => {
  const issuerId = "69a6de70-03db-47e3-e053-5b8c7c11aabc";

  it("team key", () => {
    const record = makeRecord({ issuerId, keyId: "ABC1234DEF" });
    expect(statusSentence(record)).toBe("Yes, Issuer ID ends in ...abc, Key ID ABC1234DEF");
    expect(summarySentence(summarize(record))).toBe("Yes, Issuer ID ends in ...abc, Key ID ABC1234DEF");
  });

  it("individual key", () => {
    const record = makeRecord({ kind: "individual", keyId: "ABC1234DEF" });
    expect(statusSentence(record)).toBe("Yes, individual key, Key ID ABC1234DEF");
    expect(summarySentence(summarize(record))).toBe("Yes, individual key, Key ID ABC1234DEF");
  });

  it("no key", () => {
    expect(NOT_CONFIGURED_SENTENCE).toBe("No, no ASC key configured.");
    expect(statusSentence(undefined)).toBe("No, no ASC key configured.");
    expect(summarySentence(summarize(undefined))).toBe("No, no ASC key configured.");
  });

  it("summaries carry nothing secret and mask the Issuer ID", () => {
    const key = makeKey();
    const record = makeRecord({ issuerId, keyId: "ABC1234DEF" }, key);
    const summary = summarize(record);
    expect(summary).toEqual({
      configured: true,
      kind: "team",
      keyId: "ABC1234DEF",
      issuerIdSuffix: "abc",
      fingerprint: normalizePrivateKey(key.pem).fingerprint,
      savedAt: record.savedAt,
    });
    const text = JSON.stringify(summary);
    expect(text).not.toContain(issuerId);
    expect(text).not.toContain("PRIVATE");
    expect(summarize(makeRecord({ kind: "individual" }))).not.toHaveProperty("issuerIdSuffix");
  });
});
