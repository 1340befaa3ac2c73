/**
 * The one leak detector every test world shares: no piece of a private key and no more of an Issuer ID than a masked
 * status shows in what a person reads (a toast, a rendered view, a copy, a tool's answer, a CLI run's output, an
 * error) or in a Keychain call's command line.
 *
 *   expectNoSecret({ pems, issuerIds: [ISSUER_ID] }, value);            a string, an Error or anything JSON can write
 *   expectNoSecretIn({ pems }, [["toast 0", text], ["HUD", hud]]);      labelled texts: a failure names where and what
 *   leakIn({ pems }, text);                                             what was found ("the private scalar in hex"), or
 *                                                                       undefined
 *
 * A key is found in every encoding a program could hand it on in (KEY_ENCODINGS): its PEM text and body, its DER (PKCS#8)
 * bytes, its private scalar (d; for RSA every private component), the PEM with `\n` escapes as a JSON record holds it,
 * each as hex (any case), base64 and base64url, the base64 forms at each of the three byte alignments (so a record's
 * base64 is found whatever precedes the key in it). A piece is 16 characters of text or base64 (12 bytes) or 24 hex
 * digits (12 bytes) at any offset, and only a piece that depends on the private part counts: the PKCS#8 header every
 * P-256 key shares and the public key (which a fingerprint is a hash of) are not secret. Pieces are worked out once per
 * key, and a text is read once per piece length, whatever the number of keys.
 *
 * An Issuer ID may show only its last three characters ("Issuer ID ends in ...b6c"): any run of hex digits and dashes
 * (any case) holding 8 of its digits in a row, or standing alone as 4 to 7 of them, is a leak.
 *
 * A JWT signed with a key is not key material (a concealed token copy, `asc-key token`'s output), nor is a fingerprint
 * or a Key ID. checkLeakDetector() is the detector's own test, run before each world; test/support/leaks.test.ts plants
 * every encoding.
 */
import { createPrivateKey } from "node:crypto";
import { expect } from "vitest";
import { serializeRecord } from "../../src/lib/record";
import { ISSUER_ID, ISSUER_SUFFIX, makeKey, makeRecord, type TestKey } from "./keys";

export interface Secrets {
  /** Key material in any form a test handled: PEMs, or a key's body alone. */
  pems: readonly string[];
  /** Issuer IDs of which no more than the last three characters may show. */
  issuerIds?: readonly string[];
  /** Other secrets, matched exactly (e.g. a key's private scalar). */
  extra?: readonly string[];
}

const watched = new Set<string>([ISSUER_ID]);

/**
 * An Issuer ID the test worlds' checks watch from now on in this file, besides ISSUER_ID (every test world checks what
 * it shows against watchedIssuerIds()); returns it, for `const TEAM_B = watchIssuerId("…")`.
 */
export function watchIssuerId(issuerId: string): string {
  watched.add(issuerId);
  return issuerId;
}

/** ISSUER_ID and every Issuer ID watchIssuerId named in this file. */
export function watchedIssuerIds(): string[] {
  return [...watched];
}

/** Characters of text, base64 or base64url in a piece (12 bytes of base64). */
const PIECE = 16;
/** Hex digits in a piece (12 bytes). */
const HEX_PIECE = 24;
/** Characters of a piece that must depend on the private part (at least 32 bits' worth) for it to count. */
const DEPENDENT = 8;

/** Every encoding of a key the detector knows, by name: what leaks.test.ts plants one by one. */
export const KEY_ENCODINGS = [
  "PEM text",
  "PEM body",
  "PEM with \\n escapes (a JSON record)",
  "JSON record",
  "DER in hex",
  "DER in base64",
  "DER in base64url",
  "private scalar in hex",
  "private scalar in base64",
  "private scalar in base64url",
  "PEM text in hex",
  "PEM text in base64",
  "PEM text in base64url",
  "JSON record in hex",
  "JSON record in base64",
  "JSON record in base64url",
] as const;
export type KeyEncoding = (typeof KEY_ENCODINGS)[number];

/** The parts of a PEM the encodings are made of. */
export interface KeyParts {
  pem: string;
  der: Buffer;
  /** The private components: d for an EC key; d, p, q, dp, dq, qi for RSA. */
  privateParts: Buffer[];
}

/** The key's DER and private components; undefined for text that is not a private key. */
export function keyParts(pem: string): KeyParts | undefined {
  try {
    const key = createPrivateKey(pem);
    const der = key.export({ type: "pkcs8", format: "der" });
    const jwk = key.export({ format: "jwk" }) as Record<string, unknown>;
    const privateParts = ["d", "p", "q", "dp", "dq", "qi"]
      .map((name) => jwk[name])
      .filter((value): value is string => typeof value === "string")
      .map((value) => Buffer.from(value, "base64url"));
    return { pem, der, privateParts };
  } catch {
    return undefined;
  }
}

/** A PEM with `\n` escapes, as it sits in a JSON record (serializeRecord). */
const escaped = (pem: string) => JSON.stringify(pem).slice(1, -1);

/** One encoding of `bytes` as it would be written, starting `offset` bytes in (base64's three alignments). */
function encode(bytes: Buffer, as: "hex" | "base64" | "base64url", offset = 0): string {
  const from = bytes.subarray(offset);
  if (as === "hex") return from.toString("hex");
  // Only whole groups of three bytes: what follows the last group changes its last characters.
  return from.subarray(0, from.length - (from.length % 3)).toString(as);
}

/** Named streams of characters a key can be written as; a piece of any of them is a leak. */
function streams(parts: KeyParts): { name: string; text: string; hex: boolean }[] {
  const out: { name: string; text: string; hex: boolean }[] = [];
  const bytes: [string, Buffer][] = [
    ["DER", parts.der],
    ...parts.privateParts.map((part): [string, Buffer] => ["private scalar", part]),
    ["PEM text", Buffer.from(parts.pem)],
    ["JSON record", Buffer.from(escaped(parts.pem))],
  ];
  for (const [name, value] of bytes) {
    out.push({ name: `${name} in hex`, text: encode(value, "hex"), hex: true });
    for (const as of ["base64", "base64url"] as const) {
      for (const offset of [0, 1, 2])
        out.push({ name: `${name} in ${as}`, text: encode(value, as, offset), hex: false });
    }
  }
  out.push({ name: "PEM text", text: parts.pem, hex: false });
  out.push({ name: "PEM with \\n escapes (a JSON record)", text: escaped(parts.pem), hex: false });
  return out;
}

/** The same key with every private byte flipped: whatever piece it shares with the key says nothing secret. */
function twinOf(parts: KeyParts): KeyParts {
  const der = Buffer.from(parts.der);
  const privateParts = parts.privateParts.map((part) => {
    const at = der.indexOf(part);
    const flipped = Buffer.from(part.map((byte) => byte ^ 0xff));
    if (at >= 0) flipped.copy(der, at);
    return flipped;
  });
  // The PEM's own layout (line lengths, line ends), with the twin's base64 in place of the key's.
  const body = der.toString("base64");
  let next = 0;
  const pem = parts.pem.replace(/(-----BEGIN [^-]+-----)([\s\S]*?)(-----END [^-]+-----)/, (_all, begin, inner, end) => {
    return `${begin}${(inner as string).replace(/[A-Za-z0-9+/=]/g, () => body[next++] ?? "")}${end}`;
  });
  return { pem, der, privateParts };
}

/** Piece → the keys (PEMs) it belongs to, each with the encoding it comes from; every key seen, indexed once. */
type Owners = Map<string, string>;
/** Pieces of text or base64 (PIECE characters, case as written). */
const textPieces = new Map<string, Owners>();
/** Pieces of hex (HEX_PIECE digits, lowercase). */
const hexPieces = new Map<string, Owners>();

function own(into: Map<string, Owners>, piece: string, pem: string, name: string): void {
  let owners = into.get(piece);
  if (owners === undefined) into.set(piece, (owners = new Map()));
  if (!owners.has(pem)) owners.set(pem, name);
}
const indexed = new Set<string>();

function index(pem: string): void {
  if (indexed.has(pem)) return;
  indexed.add(pem);
  const parts = keyParts(pem);
  if (parts === undefined) {
    // Not a key we can read (a body alone, say): every piece of its text is secret.
    const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s|\\n/g, "");
    for (let i = 0; i + PIECE <= body.length; i++) own(textPieces, body.slice(i, i + PIECE), pem, "text");
    return;
  }
  // A piece counts when at least DEPENDENT of its characters change with the private bytes: a piece at the edge of
  // the private part, one or two characters of which depend on a few bits of it, is shared with other keys.
  const twin = streams(twinOf(parts));
  for (const [n, { name, text, hex }] of streams(parts).entries()) {
    const size = hex ? HEX_PIECE : PIECE;
    const other = twin[n].text;
    const changed = [0];
    for (let i = 0; i < text.length; i++) changed.push(changed[i] + (text[i] === other[i] ? 0 : 1));
    for (let i = 0; i + size <= text.length; i += hex ? 2 : 1) {
      if (changed[i + size] - changed[i] >= DEPENDENT)
        own(hex ? hexPieces : textPieces, text.slice(i, i + size), pem, name);
    }
  }
}

/** The first piece of one of `pems` in `text`, reading each window of `size` once; with the encoding it comes from. */
function firstPiece(text: string, size: number, pieces: Map<string, Owners>, pems: Set<string>): string | undefined {
  for (let i = 0; i + size <= text.length; i++) {
    const window = text.slice(i, i + size);
    const owners = pieces.get(window);
    if (owners === undefined) continue;
    for (const [pem, name] of owners) if (pems.has(pem)) return `the key's ${name} ("${window}")`;
  }
  return undefined;
}

/** More of an Issuer ID than its last three characters, in any case, with or without its dashes. */
function issuerIdIn(text: string, issuerId: string): string | undefined {
  const digits = issuerId.toLowerCase().replace(/-/g, "");
  for (const run of text.toLowerCase().match(/[0-9a-f-]{4,}/g) ?? []) {
    const bare = run.replace(/-/g, "");
    if (bare.length >= 4 && bare.length < 8 && digits.includes(bare)) return `a piece of the Issuer ID ("${run}")`;
    for (let i = 0; i + 8 <= bare.length; i++) {
      if (digits.includes(bare.slice(i, i + 8))) return `a piece of the Issuer ID ("${run}")`;
    }
  }
  return undefined;
}

/** What secret `text` shows (naming the encoding and the piece), or undefined. */
export function leakIn(secrets: Secrets, text: string): string | undefined {
  const header = /PRIVATE KEY-----\s*[A-Za-z0-9+/]{8}/.exec(text);
  if (header) return `a PEM ("${header[0]}")`;
  if (secrets.pems.length > 0) {
    secrets.pems.forEach(index);
    const pems = new Set(secrets.pems);
    const found =
      firstPiece(text, PIECE, textPieces, pems) ?? firstPiece(text.toLowerCase(), HEX_PIECE, hexPieces, pems);
    if (found !== undefined) return found;
  }
  for (const id of secrets.issuerIds ?? []) {
    const piece = issuerIdIn(text, id);
    if (piece !== undefined) return piece;
  }
  for (const secret of secrets.extra ?? []) if (secret !== "" && text.includes(secret)) return `a secret ("${secret}")`;
  return undefined;
}

/** No piece of a key, no extra secret and no more than the last three characters of an Issuer ID in `value`. */
export function expectNoSecret(secrets: Secrets, value: unknown, where = "value"): void {
  const texts: [string, string][] = [[where, typeof value === "string" ? value : (JSON.stringify(value) ?? "")]];
  if (value instanceof Error) texts.push([`${where} (error)`, `${value.message} ${String(value)}`]);
  expectNoSecretIn(secrets, texts);
}

/** The same for texts labelled by where they went; a failure names the place and what it showed. */
export function expectNoSecretIn(secrets: Secrets, texts: readonly [where: string, text: string][]): void {
  for (const [where, text] of texts) {
    const found = leakIn(secrets, text);
    if (found !== undefined) expect.fail(`${where} shows ${found}:\n${text}`);
  }
}

/**
 * The detector's own test, before each world: it must catch a key in each encoding (a piece taken from the middle of
 * its private part), a whole record, an Error, an Issuer ID however written or cut; and pass clean text.
 */
export function checkLeakDetector(): void {
  const key = makeKey();
  const secrets: Secrets = { pems: [key.pem], issuerIds: [ISSUER_ID] };
  for (const encoding of KEY_ENCODINGS) {
    const text = `…${plant(key.pem, encoding)}…`;
    expect(() => expectNoSecretIn(secrets, [[encoding, text]]), `the detector misses the ${encoding}`).toThrow(
      encoding,
    );
  }
  const body = key.pem.split("\n").slice(1, -2).join("");
  expect(() => expectNoSecret(secrets, new Error(`bad key ${body.slice(48, 80)}`)), "an Error").toThrow();
  expect(() => expectNoSecret({ pems: [], extra: ["s3cr3t"] }, "a s3cr3t here"), "an extra secret").toThrow();
  for (const shown of [
    ISSUER_ID.toUpperCase(),
    ISSUER_ID.replace(/-/g, ""),
    ISSUER_ID.slice(1),
    `...${ISSUER_ID.slice(-4)}`,
  ]) {
    expect(() => expectNoSecretIn(secrets, [[shown, `issuer ${shown}`]]), shown).toThrow();
  }
  expectNoSecretIn(secrets, [["clean", `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}; ${"0123456789abcdef".repeat(4)}`]]);
  expectNoSecret(secrets, { keyId: "ABC1234DEF", note: "-----BEGIN PRIVATE KEY-----" });
}

/**
 * `pem` written in `encoding`, cut to a piece that holds part of its private scalar and no whole line of the PEM: what
 * a program that leaks it in that form would show. For the detector's tests.
 */
export function plant(pem: string, encoding: KeyEncoding): string {
  const parts = keyParts(pem);
  if (parts === undefined) throw new Error("plant() takes a private key");
  const d = parts.privateParts[0];
  const record = serializeRecord(makeRecord({}, { pem } as TestKey));
  // A leak of the whole value, and the window around the private scalar a leak of part of it would show.
  const around = (whole: string, middle: string, width: number) => {
    const at = whole.indexOf(middle);
    if (at < 0) throw new Error(`${encoding}: the scalar is not where it should be`);
    return whole.slice(Math.max(0, at - 4), at + Math.min(middle.length, width));
  };
  const shifted = (bytes: Buffer, as: "base64" | "base64url") => {
    // Start one byte in, so that the piece is not aligned as the key's own base64 is.
    const at = bytes.indexOf(d);
    return encode(bytes.subarray(at + 1, at + 1 + 24), as);
  };
  const dHex = d.toString("hex");
  switch (encoding) {
    case "PEM text":
      // Two lines of it as they are written, without the header (a whole PEM is found by its header alone).
      return pem.split("\n").slice(1, 3).join("\n").slice(20, 90);
    case "PEM body":
      return pem.split("\n").slice(1, -2).join("").slice(40, 80);
    case "PEM with \\n escapes (a JSON record)":
      return escaped(pem).slice(50, 90);
    case "JSON record":
      return record;
    case "DER in hex":
      return around(parts.der.toString("hex"), dHex, 30);
    case "DER in base64":
      return shifted(parts.der, "base64");
    case "DER in base64url":
      return shifted(parts.der, "base64url");
    case "private scalar in hex":
      return dHex.toUpperCase();
    case "private scalar in base64":
      return d.toString("base64");
    case "private scalar in base64url":
      return d.subarray(2).toString("base64url");
    case "PEM text in hex":
      return Buffer.from(pem).toString("hex").slice(120, 180);
    case "PEM text in base64":
      return Buffer.from(pem).subarray(61, 121).toString("base64");
    case "PEM text in base64url":
      return Buffer.from(pem).subarray(62, 122).toString("base64url");
    case "JSON record in hex":
      return Buffer.from(record).toString("hex");
    case "JSON record in base64":
      return Buffer.from(`{"name":"x",${record.slice(1)}`).toString("base64");
    case "JSON record in base64url":
      return Buffer.from(`{"name":"xy",${record.slice(1)}`).toString("base64url");
  }
}
