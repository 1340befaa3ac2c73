import path from "node:path";
import { AscKeyError } from "./errors";

/**
 * Issuer IDs are lowercase hex in 8-4-4-4-12 groups. Apple's are not RFC 4122 UUIDs (no valid variant
 * nibble), so strict UUID validators reject real ones; this checks the shape only.
 */
const ISSUER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISSUER_ID_IN_TEXT = /(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])/g;
export const EXAMPLE_ISSUER_ID = "57246542-96fe-1a63-e053-0824d011072a";

const KEY_ID_MAX_LENGTH = 20;
const KEY_ID_USUAL = /^[A-Z0-9]{10}$/;

/** Dashes that word processors and web pages substitute for "-", and characters copied along invisibly. */
function cleanPaste(text: string): string {
  return text
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g, "-")
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .trim();
}

/** The Issuer IDs found in pasted text such as "Issuer ID: 69a6de70-…", distinct, in order. */
export function findIssuerIds(text: string): string[] {
  const found = cleanPaste(text).toLowerCase().match(ISSUER_ID_IN_TEXT) ?? [];
  return [...new Set(found)];
}

/**
 * Trims, lowercases and checks an Issuer ID; pulls it out of pasted text when the text holds exactly one.
 * Throws `issuer-id-missing` or `issuer-id-invalid`.
 */
export function parseIssuerId(input: string | undefined): string {
  const text = cleanPaste(input ?? "");
  if (text === "") {
    throw new AscKeyError("issuer-id-missing", "Enter the Issuer ID shown at the top of the Team Keys page.");
  }
  const lowered = text.toLowerCase();
  if (ISSUER_ID.test(lowered)) return lowered;
  const found = findIssuerIds(text);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new AscKeyError(
      "issuer-id-invalid",
      "That text holds more than one Issuer ID; paste just the one for your team.",
    );
  }
  throw new AscKeyError(
    "issuer-id-invalid",
    `The Issuer ID should look like ${EXAMPLE_ISSUER_ID} (hex in 8-4-4-4-12 groups), as shown at the top of the Team Keys page.`,
  );
}

interface ParsedKeyId {
  keyId: string;
  /** Set when the value is accepted but unusual (Apple's Key IDs are ten letters and digits). */
  warning?: string;
}

/**
 * Trims and uppercases a Key ID, dropping a pasted "Key ID:" label. Refuses empty values, inner whitespace,
 * anything but printable ASCII, and more than 20 characters; anything but exactly ten letters and digits is
 * accepted with a warning, since Apple publishes no format.
 */
export function parseKeyId(input: string | undefined): ParsedKeyId {
  const text = cleanPaste(input ?? "")
    .replace(/^key\s*id\s*[:=]?\s*/i, "")
    .trim();
  if (text === "") {
    throw new AscKeyError("key-id-missing", "Enter the Key ID (ten characters, shown in the key's row on Team Keys).");
  }
  if (/\s/.test(text)) throw new AscKeyError("key-id-invalid", "The Key ID has a space inside; copy it again.");
  if (text.length > KEY_ID_MAX_LENGTH) {
    throw new AscKeyError(
      "key-id-invalid",
      `The Key ID is ${text.length} characters long; Apple's are ten. Did you paste the Issuer ID or the key itself?`,
    );
  }
  if (!/^[\x21-\x7E]+$/.test(text)) {
    throw new AscKeyError(
      "key-id-invalid",
      "The Key ID has characters Apple never uses; Key IDs are letters and digits.",
    );
  }
  const keyId = text.toUpperCase();
  if (KEY_ID_USUAL.test(keyId)) return { keyId };
  return {
    keyId,
    warning: `Key ID ${keyId} is not the usual ten letters and digits; check it against Team Keys.`,
  };
}

const AUTH_KEY_FILE = /^AuthKey_([A-Za-z0-9]+)(?:\s*\(\d+\)|-\d+)?\.p8$/i;
const SUBSCRIPTION_KEY_FILE = /^SubscriptionKey_[A-Za-z0-9]*(?:\s*\(\d+\)|-\d+)?\.p8$/i;

/** The Key ID in an `AuthKey_<ID>.p8` file name (browsers' " (1)" suffixes allowed), or undefined. */
export function keyIdFromFileName(filePath: string): string | undefined {
  const match = AUTH_KEY_FILE.exec(path.basename(filePath));
  return match ? match[1].toUpperCase() : undefined;
}

/** An In-App Purchase key file: the same format, useless for the App Store Connect API. */
export function isSubscriptionKeyFileName(filePath: string): boolean {
  return SUBSCRIPTION_KEY_FILE.test(path.basename(filePath));
}

/** The last three characters of an Issuer ID: all any status shows of it. */
export function issuerIdSuffix(issuerId: string): string {
  return issuerId.slice(-3);
}

/** "...abc": the masked form of a whole Issuer ID. */
export function maskIssuerId(issuerId: string): string {
  return maskedSuffix(issuerIdSuffix(issuerId));
}

/** "...abc": how an Issuer ID's kept suffix (a summary's `issuerIdSuffix`) is shown. */
export function maskedSuffix(suffix: string): string {
  return `...${suffix}`;
}
