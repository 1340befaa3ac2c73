/**
 * Every failure the core reports is an AscKeyError: a stable `code` the UI and the CLI decide on, and a
 * one-line `message` written for the user. Messages never carry key material; callers must not build
 * messages from secret values. Outside text (file names, Apple's words) is made printable where it enters a
 * message; the constructor does it once more for the whole message, so no control character reaches a toast.
 */
import { oneLine, printable } from "./text";

export type ErrorCode =
  // reading the .p8 file
  | "file-not-found"
  | "file-is-directory"
  | "file-unreadable"
  | "file-empty"
  | "file-too-large"
  | "subscription-key"
  // a file or variable a key is imported from (fastlane's JSON, the environment) is not what it should be
  | "source-invalid"
  // the key text
  | "not-a-key"
  | "certificate-not-key"
  | "public-key-not-private"
  | "encrypted-key"
  | "rsa-key"
  | "ed25519-key"
  | "wrong-curve"
  | "unsupported-key"
  | "corrupt-key"
  // identifiers
  | "kind-invalid"
  | "issuer-id-missing"
  | "issuer-id-invalid"
  | "issuer-id-not-allowed"
  | "key-id-missing"
  | "key-id-invalid"
  // the saved keys: names, choosing one, choices that cannot be honoured
  | "name-invalid"
  | "name-taken"
  | "key-unknown"
  | "key-ambiguous"
  | "key-retired"
  | "next-key-needed"
  | "choice-invalid"
  | "plan-outdated"
  // the stored record
  | "record-corrupt"
  | "record-version"
  | "saved-key-missing"
  // the keychain
  | "keychain-not-found"
  | "keychain-locked"
  | "keychain-denied"
  | "keychain-cancelled"
  | "keychain-no-such-keychain"
  | "keychain-unreadable"
  // a write over an existing item the Keychain refused: its dialog denied or dismissed, a dialog that cannot be shown
  // here (SSH), or another reason the tool gave
  | "keychain-update-denied"
  | "keychain-update-unconfirmable"
  | "keychain-update-refused"
  | "keychain-tool-missing"
  | "keychain-timeout"
  | "keychain-too-long"
  | "keychain-mismatch"
  | "keychain-failed"
  // tokens and Apple
  | "token-lifetime"
  | "token-scope"
  | "no-key"
  | "apple-rejected"
  | "apple-unavailable"
  // CI secrets through gh or glab (src/lib/ci/): where to, the tool, and what its vendor answered
  | "ci-target-invalid"
  | "ci-tool-missing"
  | "ci-not-logged-in"
  | "ci-no-access"
  | "ci-repo-missing"
  | "ci-name-refused"
  | "ci-partial"
  | "ci-failed";

export class AscKeyError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(printable(oneLine(message)));
    this.name = "AscKeyError";
    this.code = code;
  }
}

export function isAscKeyError(error: unknown, code?: ErrorCode): error is AscKeyError {
  return error instanceof AscKeyError && (code === undefined || error.code === code);
}

/** The part of the user's input an error refuses. */
export type InputField = "issuerId" | "keyId" | "kind" | "p8" | "name";

/** The key model refusing the input itself: the IDs, the key type, the .p8 file or the key in it. */
const REFUSED_INPUT: Readonly<Partial<Record<ErrorCode, InputField>>> = {
  "issuer-id-missing": "issuerId",
  "issuer-id-invalid": "issuerId",
  "issuer-id-not-allowed": "issuerId",
  "key-id-missing": "keyId",
  "key-id-invalid": "keyId",
  "kind-invalid": "kind",
  "name-invalid": "name",
  "name-taken": "name",
  "file-not-found": "p8",
  "file-is-directory": "p8",
  "file-unreadable": "p8",
  "file-empty": "p8",
  "file-too-large": "p8",
  "subscription-key": "p8",
  "source-invalid": "p8",
  "not-a-key": "p8",
  "certificate-not-key": "p8",
  "public-key-not-private": "p8",
  "encrypted-key": "p8",
  "rsa-key": "p8",
  "ed25519-key": "p8",
  "wrong-curve": "p8",
  "unsupported-key": "p8",
  "corrupt-key": "p8",
};

/** Which input the error refuses, or undefined when it is not about the input (Keychain, Apple, ...). */
export function refusedInput(error: unknown): InputField | undefined {
  return error instanceof AscKeyError ? REFUSED_INPUT[error.code] : undefined;
}

/** The saved entry was read but is not a record this version can use (damaged, or written by a newer version). */
export function isUnreadableEntry(error: unknown): error is AscKeyError {
  return isAscKeyError(error, "record-corrupt") || isAscKeyError(error, "record-version");
}

/** A one-line sentence for any thrown value; unknown errors get a generic sentence, not their text. */
export function describeError(error: unknown): string {
  if (error instanceof AscKeyError) return error.message;
  return "Something unexpected went wrong; no key material was logged.";
}
