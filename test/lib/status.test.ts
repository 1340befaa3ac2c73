import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { normalizePrivateKey } from "../../src/lib/key";
import {
  keyWords,
  namedKey,
  NOT_CONFIGURED_SENTENCE,
  statusSentence,
  summarize,
  summarySentence,
} from "../../src/lib/status";
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

describe("one way to name a key in a sentence", () => {
  it("a saved key by name and Key ID; with its team, keyWords", () => {
    expect(namedKey({ name: "Acme", keyId: "ABC1234DEF" })).toBe('"Acme" (Key ID ABC1234DEF)');
    expect(keyWords({ name: "Acme", kind: "team", keyId: "ABC1234DEF", issuerIdSuffix: "abc" })).toBe(
      '"Acme" (Issuer ID ends in ...abc, Key ID ABC1234DEF)',
    );
    expect(keyWords({ name: "Mine", kind: "individual", keyId: "ABC1234DEF" })).toBe(
      '"Mine" (individual key, Key ID ABC1234DEF)',
    );
  });

  // The spellings issue 19 found in about ten places: `"name" (Key X)`, `key X ("name")`, `"name" (X)` and a
  // hand-written `"name" (Key ID X)`. Each now goes through namedKey or keyWords, and stays that way.
  it("no file in src/ spells a name with its Key ID by hand", () => {
    const src = path.resolve(__dirname, "../../src");
    const handWritten = [/\(Key (ID )?\$\{/, /\("\$\{[^}]*name\}"\)/, /"\$\{[^}]*name\}" \(\$\{[^}]*keyId\}\)/];
    const found: string[] = [];
    for (const file of readdirSync(src, { recursive: true, encoding: "utf8" })) {
      if (!/\.tsx?$/.test(file) || file === path.join("lib", "status.ts")) continue;
      readFileSync(path.join(src, file), "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (handWritten.some((pattern) => pattern.test(line))) found.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
