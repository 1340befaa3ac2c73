import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  insteadOf,
  keepsUsing,
  keepsWorkingAtApple,
  nowUses,
  revokeReplaced,
  savedBesideSentence,
  staysSaved,
  switchedSentence,
} from "../../../src/lib/keys";
import { retiredSentence } from "../../../src/lib/keys/words";

const acme = { name: "Acme", kind: "team" as const, keyId: "ABC1234DEF", issuerIdSuffix: "abc" };
const globex = { name: "Globex", kind: "individual" as const, keyId: "GLX0000005" };

describe("a key's place, in one set of words", () => {
  it("stays saved: the key by its name, or the rule when no key is at hand", () => {
    expect(staysSaved(globex)).toBe('"Globex" stays saved');
    expect(staysSaved()).toBe("The key LingCode used before stays saved");
    expect(insteadOf(globex)).toBe('instead of "Globex", which stays saved');
  });

  it("LingCode keeps using, now uses", () => {
    expect(keepsUsing(acme)).toBe('LingCode keeps using "Acme"');
    expect(nowUses(acme)).toBe('LingCode now uses "Acme" (Issuer ID ends in ...abc, Key ID ABC1234DEF)');
  });

  it("a switch reads the same wherever it is made (API Keys, the AI tool, asc-key use)", () => {
    expect(switchedSentence({ changed: true, current: acme, previous: globex })).toBe(
      'LingCode now uses "Acme" (Issuer ID ends in ...abc, Key ID ABC1234DEF); "Globex" stays saved.',
    );
    expect(switchedSentence({ changed: true, current: globex })).toBe(
      'LingCode now uses "Globex" (individual key, Key ID GLX0000005).',
    );
    expect(switchedSentence({ changed: false, current: acme, previous: globex })).toBe(
      'LingCode already uses "Acme" (Issuer ID ends in ...abc, Key ID ABC1234DEF).',
    );
  });

  it("a key saved beside the one LingCode uses", () => {
    expect(savedBesideSentence(globex, acme)).toBe(
      'Saved "Globex" (individual key, Key ID GLX0000005); LingCode keeps using "Acme".',
    );
    expect(savedBesideSentence(acme, undefined)).toBe('Saved "Acme" (Issuer ID ends in ...abc, Key ID ABC1234DEF).');
  });

  it("working at Apple until revoked, and retired", () => {
    expect(keepsWorkingAtApple('"Globex" (Key ID GLX0000005)')).toBe(
      '"Globex" (Key ID GLX0000005) keeps working at Apple until you revoke it on Team Keys',
    );
    expect(revokeReplaced(globex)).toBe('Revoke "Globex" (Key ID GLX0000005) on Team Keys once nothing uses it.');
    const retired = { ...globex, fingerprint: "SHA256:x", retiredAt: "2025-01-01T00:00:00Z", checks: [] };
    expect(retiredSentence({ state: "retired", ...retired })).toBe(
      '"Globex" (Key ID GLX0000005) is retired: it is kept only to ask Apple whether it still works.',
    );
  });
});

/**
 * Each clause about a key's place or Apple's answer is written in one file: the keys room's words (or the Apple
 * room's, for Apple's answer), which every face calls. A face writing it by hand again fails here.
 */
describe("each clause is written once", () => {
  const src = path.resolve(__dirname, "../../../src");
  const files = readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => ({ file, text: readFileSync(path.join(src, file), "utf8") }));

  it.each([
    ["stays saved", path.join("lib", "keys", "words.ts")],
    ["LingCode keeps using", path.join("lib", "keys", "words.ts")],
    ["keeps working at Apple", path.join("lib", "keys", "words.ts")],
    ["could not be reached", path.join("lib", "apple", "words.ts")],
  ])("%s: only in %s", (clause, home) => {
    const holders = files.filter(({ text }) => text.toLowerCase().includes(clause.toLowerCase()));
    expect(holders.map(({ file }) => file)).toEqual([home]);
  });
});
