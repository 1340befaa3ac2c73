import { describe, expect, it } from "vitest";
import { AscKeyError, describeError, isUnreadableEntry, refusedInput, type ErrorCode } from "../../src/lib/errors";

const err = (code: ErrorCode) => new AscKeyError(code, "reason");

describe("classifying errors", () => {
  it("names the input a key-model refusal is about", () => {
    expect(refusedInput(err("issuer-id-invalid"))).toBe("issuerId");
    expect(refusedInput(err("issuer-id-not-allowed"))).toBe("issuerId");
    expect(refusedInput(err("key-id-missing"))).toBe("keyId");
    expect(refusedInput(err("kind-invalid"))).toBe("kind");
    for (const code of ["file-too-large", "subscription-key", "not-a-key", "rsa-key", "wrong-curve"] as const) {
      expect(refusedInput(err(code)), code).toBe("p8");
    }
  });

  it("says nothing for failures that are not about the input", () => {
    for (const code of ["no-key", "keychain-locked", "record-corrupt", "apple-rejected", "token-lifetime"] as const) {
      expect(refusedInput(err(code)), code).toBeUndefined();
    }
    expect(refusedInput(new Error("boom"))).toBeUndefined();
    expect(refusedInput(undefined)).toBeUndefined();
  });

  it("recognises an entry that was read but can't be used", () => {
    expect(isUnreadableEntry(err("record-corrupt"))).toBe(true);
    expect(isUnreadableEntry(err("record-version"))).toBe(true);
    expect(isUnreadableEntry(err("keychain-locked"))).toBe(false);
    expect(isUnreadableEntry(new Error("record-corrupt"))).toBe(false);
  });
});

describe("messages", () => {
  it("are one line, with any control character that slipped in shown as an escape (toasts show them as they are)", () => {
    const error = new AscKeyError("file-not-found", "There is no file at a\u001b[2J\u0007b\u009b.p8;\r\n  try again.");
    expect(error.message).toBe("There is no file at a\\x1b[2J\\x07b\\u009b.p8; try again.");
    expect(describeError(error)).toBe(error.message);
  });
});
