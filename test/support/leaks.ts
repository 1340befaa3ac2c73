/**
 * The leak detector every test shares: no piece of a private key and no full Issuer ID in what a test looked at (a
 * toast, a CLI run's output, an error, a tool's answer, a Keychain call's command line).
 *
 *   expectNoSecret({ pems, issuerIds: [ISSUER_ID] }, value);            a string, an Error or anything JSON can write
 *   expectNoSecretIn({ pems }, [["toast 0", text], ["HUD", hud]]);      labelled texts: a failure names where
 *
 * A piece is any run of 24 characters of a PEM's base64 body (16-character slices at every 8th character), a whole
 * line of it, the body in base64url, the start of the PEM's own base64, or 12 bytes of the body's hex at any byte
 * offset (what `security -X` carries: the hex of the PEM, or of a record where the lines sit between `\n` escapes).
 * An Issuer ID is found in any case, with or without its dashes. checkLeakDetector() is the detector's own test.
 */
import { expect } from "vitest";
import { serializeRecord } from "../../src/lib/record";
import { ISSUER_ID, ISSUER_SUFFIX, makeKey, makeRecord } from "./keys";

export interface Secrets {
  /** Key material in any form a test handled: PEMs, or a key's body alone. */
  pems: readonly string[];
  /** Issuer IDs that must never be shown whole (the last three characters may be). */
  issuerIds?: readonly string[];
  /** Other secrets, matched exactly (e.g. a key's private scalar). */
  extra?: readonly string[];
}

const SLICE = 16;
const STEP = 8;
const HEX_WINDOW = 24;

/** No PEM fragment, no extra secret and no full Issuer ID in `value` (a string, an Error, or JSON). */
export function expectNoSecret(secrets: Secrets, value: unknown, where = "value"): void {
  const texts: [string, string][] = [[where, typeof value === "string" ? value : (JSON.stringify(value) ?? "")]];
  if (value instanceof Error) texts.push([`${where} (error)`, `${value.message} ${String(value)}`]);
  expectNoSecretIn(secrets, texts);
}

/** The same for texts labelled by where they went; a failure names the place. */
export function expectNoSecretIn(secrets: Secrets, texts: readonly [where: string, text: string][]): void {
  const fragments = [...secrets.pems.flatMap(pemFragments), ...(secrets.extra ?? [])];
  const issuerIds = (secrets.issuerIds ?? []).map((id) => id.toLowerCase());
  for (const [where, text] of texts) {
    expect(text, where).not.toMatch(/PRIVATE KEY-----\s*[A-Za-z0-9+/]{8}/);
    const lower = text.toLowerCase();
    for (const id of issuerIds) {
      expect(lower, where).not.toContain(id);
      expect(lower, where).not.toContain(id.replace(/-/g, ""));
    }
    const found = firstIn(text, fragments);
    if (found !== undefined) expect(text, where).not.toContain(found);
  }
}

/**
 * The first fragment found in `text`. A file may hold a hundred keys of some 270 fragments each: rather than search
 * the text for each, the text's substrings of each fragment length are put in a set once.
 */
function firstIn(text: string, fragments: readonly string[]): string | undefined {
  const windows = new Map<number, Set<string>>();
  for (const fragment of fragments) {
    const length = fragment.length;
    if (length === 0 || length > text.length) continue;
    let set = windows.get(length);
    if (set === undefined) {
      set = new Set();
      for (let i = 0; i + length <= text.length; i++) set.add(text.slice(i, i + length));
      windows.set(length, set);
    }
    if (set.has(fragment)) return fragment;
  }
  return undefined;
}

const fragmentsOf = new Map<string, string[]>();

/** The fragments of one PEM, worked out once per PEM. */
function pemFragments(pem: string): string[] {
  let fragments = fragmentsOf.get(pem);
  if (fragments === undefined) {
    fragments = fragmentsOfPem(pem);
    fragmentsOf.set(pem, fragments);
  }
  return fragments;
}

function fragmentsOfPem(pem: string): string[] {
  // Lines of the body, whether the PEM came with line breaks or with `\n` escapes (as a paste into one field can).
  const lines = pem
    .replace(/-----[^-]+-----/g, "\n")
    .split(/\s+|\\n/)
    .filter((line) => line.length > 0);
  if (lines.length === 0) return [];
  const body = lines.join("");
  const out = [...lines.filter((line) => line.length >= SLICE), Buffer.from(pem).toString("base64").slice(0, 40)];
  for (let i = 0; i + SLICE <= body.length; i += STEP) out.push(body.slice(i, i + SLICE));
  const url = Buffer.from(body, "base64").toString("base64url");
  for (let i = 0; i + SLICE <= url.length; i += STEP) out.push(url.slice(i, i + SLICE));
  const last = lines[lines.length - 1];
  const bodyHex = Buffer.from(pem.slice(pem.indexOf(lines[0]), pem.lastIndexOf(last) + last.length)).toString("hex");
  for (let i = 0; i + HEX_WINDOW <= bodyHex.length; i += 2) out.push(bodyHex.slice(i, i + HEX_WINDOW));
  return out;
}

/**
 * The detector's own test: it must catch the key as it is, as a record holding it, as `security -X` would carry it
 * (the hex of the PEM, the hex of a whole record, a short piece of either at any offset), in base64url, with `\n`
 * escapes, in an Error, and the Issuer ID however written; and pass clean text.
 */
export function checkLeakDetector(): void {
  const key = makeKey();
  const secrets: Secrets = { pems: [key.pem], issuerIds: [ISSUER_ID] };
  const pemHex = Buffer.from(key.pem).toString("hex");
  const recordHex = Buffer.from(serializeRecord(makeRecord({}, key))).toString("hex");
  const middle = 2 * Math.floor(pemHex.length / 4) + 2 * 3;
  const at = recordHex.indexOf(Buffer.from(key.pem.split("\n")[1]).toString("hex"));
  expect(at, "the record's hex holds the PEM's first line").toBeGreaterThan(0);
  const body = key.pem.split("\n").slice(1, -2).join("");
  const leaks: [string, string][] = [
    ["PEM", key.pem],
    ["one line of the body", `oops ${key.pem.split("\n")[2]}`],
    ["record", JSON.stringify(makeRecord({}, key))],
    ["PEM with \\n escapes", key.pem.replace(/\n/g, "\\n")],
    ["PEM as hex", `add-generic-password -X "${pemHex}"`],
    ["record as hex", recordHex],
    ["piece of the record's hex", `…${recordHex.slice(at + 2 * 7, at + 2 * 7 + 2 * HEX_WINDOW)}…`],
    ["piece of the PEM's hex", pemHex.slice(middle, middle + 2 * HEX_WINDOW)],
    ["run of 24 characters of the body", `…${body.slice(5, 29)}…`],
    ["body in base64url", Buffer.from(body, "base64").toString("base64url")],
    ["Issuer ID in capitals", `issuer ${ISSUER_ID.toUpperCase()}`],
    ["Issuer ID without dashes", ISSUER_ID.replace(/-/g, "")],
  ];
  for (const leak of leaks) {
    expect(() => expectNoSecretIn(secrets, [leak]), `the detector misses the ${leak[0]}`).toThrow(leak[0]);
  }
  expect(() => expectNoSecret(secrets, new Error(`bad key ${body.slice(40, 70)}`)), "an Error").toThrow();
  expect(() => expectNoSecret({ pems: [], extra: ["s3cr3t"] }, "a s3cr3t here"), "an extra secret").toThrow();
  expectNoSecretIn(secrets, [["clean", `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}; ${"0123456789abcdef".repeat(4)}`]]);
  expectNoSecret(secrets, { keyId: "ABC1234DEF", note: "-----BEGIN PRIVATE KEY-----" });
}
