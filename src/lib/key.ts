import { createHash, createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import { constants as fsConstants, promises as fs } from "node:fs";
import path from "node:path";
import { AscKeyError } from "./errors";
import { isSubscriptionKeyFileName, keyIdFromFileName } from "./ids";
import { printable } from "./text";

/** A real key is about 250 bytes; anything over this is not one, and is refused before it is read whole. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;

interface NormalizedKey {
  /** Canonical PKCS#8 PEM: LF line endings, 64-column body, trailing newline. Secret. */
  pem: string;
  /** `SHA256:` + unpadded base64 of the SHA-256 of the public key's SPKI DER (as ssh-keygen prints). */
  fingerprint: string;
}

interface LoadedKey extends NormalizedKey {
  fileName: string;
  /** The Key ID in an `AuthKey_<ID>.p8` file name. */
  fileKeyId?: string;
  /** Non-fatal observations the caller can show, e.g. the file name names another Key ID. */
  warnings: string[];
}

const NOT_A_KEY =
  "This is not a private key: an App Store Connect key (.p8) is a short text file that starts with -----BEGIN PRIVATE KEY-----.";

/** What a small file read whole is, for the reasons a refusal gives. */
export interface SmallFileKind {
  /** What to choose instead, e.g. "the AuthKey_<Key ID>.p8 file". */
  choose: string;
  /** What an empty file calls for. */
  whenEmpty: string;
  /** How big the real thing is, e.g. "an App Store Connect key is about 250 bytes". */
  usualSize: string;
}

const P8_FILE: SmallFileKind = {
  choose: "the AuthKey_<Key ID>.p8 file",
  whenEmpty: "download the key again if Apple still offers it",
  usualSize: "an App Store Connect key is about 250 bytes",
};

/**
 * Reads a .p8 file, refusing before reading it whole anything that cannot be a key. Each failure has its
 * own one-line reason; none quotes the file's contents.
 */
export async function readKeyFile(filePath: string): Promise<string> {
  if (filePath.trim() === "") throw new AscKeyError("file-not-found", "Choose the .p8 file you downloaded from Apple.");
  return readSmallFile(filePath, P8_FILE);
}

/**
 * Reads a small text file (at most MAX_KEY_FILE_BYTES) whole: opened without blocking, then refused unless it is a
 * regular file, not empty and not too large, all before a byte is read. No reason quotes the contents.
 */
export async function readSmallFile(filePath: string, kind: SmallFileKind): Promise<string> {
  // The file's name as messages show it: a name may hold any byte but "/" and NUL, terminal controls included.
  const name = printable(path.basename(filePath));
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO or device picked by mistake must not hang the caller.
    handle = await fs.open(filePath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (error) {
    throw fileError(error, name, kind);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw folderError(name, kind);
    if (!stat.isFile()) throw new AscKeyError("file-unreadable", `${name} is not a regular file.`);
    if (stat.size === 0) throw new AscKeyError("file-empty", `${name} is empty; ${kind.whenEmpty}.`);
    if (stat.size > MAX_KEY_FILE_BYTES) throw tooLarge(name, stat.size, kind);
    // Read at most one byte past the cap, in case the file grew after stat.
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_KEY_FILE_BYTES) throw tooLarge(name, bytesRead, kind);
    if (bytesRead === 0) throw new AscKeyError("file-empty", `${name} is empty.`);
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    buffer.fill(0);
    return text;
  } catch (error) {
    if (error instanceof AscKeyError) throw error;
    throw fileError(error, name, kind);
  } finally {
    await handle.close();
  }
}

function tooLarge(name: string, size: number, kind: SmallFileKind): AscKeyError {
  const shown = size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(size / 1024)} KB`;
  return new AscKeyError("file-too-large", `${name} is ${shown}; ${kind.usualSize}. Choose ${kind.choose}.`);
}

function folderError(name: string, kind: SmallFileKind): AscKeyError {
  return new AscKeyError("file-is-directory", `${name} is a folder; choose ${kind.choose} inside it.`);
}

function fileError(error: unknown, name: string, kind: SmallFileKind): AscKeyError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new AscKeyError("file-not-found", `There is no file at ${name}; it may have been moved or trashed.`);
  }
  if (code === "EISDIR") return folderError(name, kind);
  if (code === "EACCES" || code === "EPERM") {
    return new AscKeyError("file-unreadable", `${name} can't be read: permission denied.`);
  }
  return new AscKeyError("file-unreadable", `${name} can't be read${code ? ` (${code})` : ""}.`);
}

/**
 * Reads and normalises a key file. `keyId`, when given, is compared with the Key ID in an
 * `AuthKey_<ID>.p8` file name (a mismatch is a warning: the file may have been renamed).
 */
export async function loadKeyFile(filePath: string, keyId?: string): Promise<LoadedKey> {
  const fileName = path.basename(filePath);
  // Refused by its name, before the file is read or Apple asked: App Store Connect's API refuses such a key (401).
  if (isSubscriptionKeyFileName(fileName)) {
    throw new AscKeyError(
      "subscription-key",
      `${printable(fileName)} is an In-App Purchase (subscription) key, not an App Store Connect API key. It is made for the App Store Server API (in-app purchases and subscriptions), and App Store Connect's API refuses it; create an App Store Connect API key under Users and Access > Integrations > App Store Connect API.`,
    );
  }
  const text = await readKeyFile(filePath);
  const key = normalizePrivateKey(text);
  const fileKeyId = keyIdFromFileName(fileName);
  const warnings: string[] = [];
  if (fileKeyId && keyId && fileKeyId !== keyId.trim().toUpperCase()) {
    warnings.push(
      `The file is named for Key ID ${fileKeyId} but you entered ${keyId.trim().toUpperCase()}; check which is right (the file may have been renamed).`,
    );
  }
  return { ...key, fileName, fileKeyId, warnings };
}

interface PemBlock {
  label: string;
  headers: string;
  body: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)(?:-----END \1-----|$)/g;

function pemBlocks(text: string): Array<PemBlock & { complete: boolean }> {
  const blocks: Array<PemBlock & { complete: boolean }> = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const inner = match[2];
    const complete = match[0].includes("-----END ");
    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED") stand before a blank line.
    const lines = inner.split("\n");
    const headerLines = lines.filter((line) => /^[A-Za-z-]+:/.test(line.trim()));
    const bodyLines = lines.filter((line) => !/^[A-Za-z-]+:/.test(line.trim()));
    blocks.push({ label: match[1], headers: headerLines.join("\n"), body: bodyLines.join(""), complete });
  }
  return blocks;
}

/** Undo what copying a key through chat, shells, environment variables and editors does to it. */
function unwrap(text: string): string {
  let out = text.replace(/^\uFEFF/, "").replace(/[\u200B-\u200D\u2060\uFEFF]/g, "");
  out = out.trim();
  // A value copied out of a .env file or JSON string: surrounding quotes and literal \n escapes.
  if (/^(["'`]).*\1$/s.test(out) && out.length > 1) out = out.slice(1, -1).trim();
  out = out.replace(/\\r\\n|\\n|\\r/g, "\n");
  return out.replace(/\r\n?/g, "\n").trim();
}

const BASE64_BODY = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(body: string, what: string): Buffer {
  const compact = body.replace(/\s+/g, "");
  if (compact === "")
    throw new AscKeyError("corrupt-key", `The ${what} has no contents between its BEGIN and END lines.`);
  if (!BASE64_BODY.test(compact)) {
    throw new AscKeyError("corrupt-key", `The ${what} is damaged: its body has characters base64 never uses.`);
  }
  if (compact.length % 4 !== 0) {
    throw new AscKeyError(
      "corrupt-key",
      `The ${what} is incomplete: its body was cut short. Copy the whole file again.`,
    );
  }
  return Buffer.from(compact, "base64");
}

/**
 * Accepts every form a user really pastes and returns canonical PKCS#8 PEM plus the fingerprint: CRLF,
 * a BOM, blank lines and spaces around it, the body on one line, the base64 body without BEGIN/END
 * lines, base64 of the whole PEM, literal `\n` escapes, SEC1 `BEGIN EC PRIVATE KEY`. Refuses anything
 * that is not an EC P-256 private key, with a reason a user understands.
 */
export function normalizePrivateKey(input: string): NormalizedKey {
  const key = toKeyObject(unwrap(input), 0);
  checkAlgorithm(key);
  const pem = key.export({ type: "pkcs8", format: "pem" }).toString();
  return { pem, fingerprint: fingerprintOf(key) };
}

function toKeyObject(text: string, depth: number): KeyObject {
  if (text === "") throw new AscKeyError("not-a-key", NOT_A_KEY);
  if (text.includes("-----BEGIN ")) return fromPem(text);
  const compact = text.replace(/\s+/g, "");
  // Not base64 at all (or a binary file read as text): not a key.
  if (!BASE64_BODY.test(compact) || compact.length < 16) throw new AscKeyError("not-a-key", NOT_A_KEY);
  if (compact.length % 4 !== 0) {
    throw new AscKeyError("corrupt-key", "The key is incomplete: its base64 was cut short. Copy the whole file again.");
  }
  const bytes = Buffer.from(compact, "base64");
  const decodedText = bytes.toString("utf8");
  if (depth === 0 && decodedText.includes("-----BEGIN ")) {
    // Base64 of the whole PEM, as CI secrets are often stored.
    return toKeyObject(unwrap(decodedText), depth + 1);
  }
  if (bytes[0] !== 0x30) throw new AscKeyError("not-a-key", NOT_A_KEY);
  return fromDer(bytes, ["pkcs8", "sec1"], "key");
}

function fromPem(text: string): KeyObject {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) throw new AscKeyError("not-a-key", NOT_A_KEY);
  const labels = blocks.map((block) => block.label);
  const privateBlock = blocks.find((block) => /PRIVATE KEY$/.test(block.label));
  if (!privateBlock) {
    if (labels.some((label) => label.includes("CERTIFICATE"))) {
      throw new AscKeyError(
        "certificate-not-key",
        "This is a certificate, not a private key. App Store Connect API keys are .p8 files named AuthKey_<Key ID>.p8.",
      );
    }
    if (labels.some((label) => label.includes("PUBLIC KEY"))) {
      throw new AscKeyError(
        "public-key-not-private",
        "This is a public key; LingCode needs the private key (.p8) Apple let you download once.",
      );
    }
    throw new AscKeyError("not-a-key", NOT_A_KEY);
  }
  if (!privateBlock.complete) {
    throw new AscKeyError("corrupt-key", "The key is incomplete: its END line is missing. Copy the whole file again.");
  }
  switch (privateBlock.label) {
    case "PRIVATE KEY":
      return fromDer(decodeBase64(privateBlock.body, "key"), ["pkcs8"], "key");
    case "EC PRIVATE KEY":
      if (/ENCRYPTED/i.test(privateBlock.headers)) throw encrypted();
      return fromDer(decodeBase64(privateBlock.body, "key"), ["sec1"], "key");
    case "ENCRYPTED PRIVATE KEY":
      throw encrypted();
    case "RSA PRIVATE KEY":
      throw rsa();
    case "OPENSSH PRIVATE KEY":
      throw new AscKeyError(
        "unsupported-key",
        "This is an SSH private key, not an App Store Connect key. Choose the AuthKey_<Key ID>.p8 file.",
      );
    default:
      throw new AscKeyError(
        "unsupported-key",
        `A ${privateBlock.label.toLowerCase()} is not an App Store Connect key.`,
      );
  }
}

function fromDer(der: Buffer, types: Array<"pkcs8" | "sec1">, what: string): KeyObject {
  let lastError: unknown;
  for (const type of types) {
    try {
      return createPrivateKey({ key: der, format: "der", type });
    } catch (error) {
      lastError = error;
    }
  }
  const code = (lastError as NodeJS.ErrnoException | undefined)?.code ?? "";
  const text = lastError instanceof Error ? lastError.message : "";
  if (code === "ERR_MISSING_PASSPHRASE" || /passphrase|encrypted/i.test(text)) throw encrypted();
  throw new AscKeyError(
    "corrupt-key",
    `The ${what} is damaged or incomplete: its contents don't decode as a private key. Copy the whole file again.`,
  );
}

function checkAlgorithm(key: KeyObject): void {
  const type = key.asymmetricKeyType;
  if (type === "rsa" || type === "rsa-pss") throw rsa();
  if (type === "ed25519" || type === "ed448") {
    throw new AscKeyError(
      "ed25519-key",
      `This is an ${type === "ed25519" ? "Ed25519" : "Ed448"} key; App Store Connect keys are EC keys on P-256.`,
    );
  }
  if (type !== "ec") {
    throw new AscKeyError(
      "unsupported-key",
      `This is a ${type ?? "unknown"} key; App Store Connect keys are EC keys on P-256.`,
    );
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== "prime256v1") {
    throw new AscKeyError(
      "wrong-curve",
      `This EC key is on ${curveName(curve)}; App Store Connect keys are on P-256 (ES256).`,
    );
  }
}

function curveName(curve: string | undefined): string {
  const names: Record<string, string> = { secp384r1: "P-384", secp521r1: "P-521", secp256k1: "secp256k1" };
  return curve ? (names[curve] ?? curve) : "an unknown curve";
}

const encrypted = () =>
  new AscKeyError(
    "encrypted-key",
    "This key is encrypted with a passphrase; Apple's .p8 files are not. Use the file exactly as downloaded.",
  );

const rsa = () =>
  new AscKeyError("rsa-key", "This is an RSA key; App Store Connect keys are EC keys on P-256 (ES256).");

function fingerprintOf(key: KeyObject): string {
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(spki).digest("base64").replace(/=+$/, "")}`;
}

/** The fingerprint of a PEM private key (canonical or not). */
export function keyFingerprint(privateKeyPem: string): string {
  return normalizePrivateKey(privateKeyPem).fingerprint;
}
