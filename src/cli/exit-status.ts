/**
 * The one place that turns what went wrong into asc-key's exit status. Every AscKeyError code is listed, so adding
 * a code to the core without deciding its exit status here is a type error.
 */
import { AscKeyError, type ErrorCode } from "../lib/errors";

export const EXIT = {
  /** Done. */
  ok: 0,
  /** No key is configured (status, verify, token, remove). */
  noKey: 1,
  /** Bad input or usage; nothing was changed. */
  usage: 2,
  /** Apple rejected the key. */
  rejected: 3,
  /** The Keychain failed, or its entry is unreadable (register again). */
  keychain: 4,
  /** Apple was unreachable or answered with a server error. */
  unavailable: 5,
  /** doctor: at least one health check failed. */
  unhealthy: 6,
  /** ci: gh or glab was not logged in, or its vendor refused or failed (the line says what, if anything, was set). */
  ciFailed: 7,
  /** exec: the command was found but could not be run, as a shell says (e.g. not executable). */
  cannotRun: 126,
  /** exec: the command was not found, as a shell says. */
  notFound: 127,
  /** A bug: something no code path expected (BSD EX_SOFTWARE). */
  unexpected: 70,
} as const;

/**
 * A status `exec` and `notary-profile` pass through from the command they ran (0-255), or 128+n for signal n as a
 * shell reports it. Made only by passThrough(), so a stray number cannot pose as one of asc-key's own statuses.
 */
type PassThroughStatus = number & { readonly __passThrough: true };

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT] | PassThroughStatus;

/** The command's own status (clamped to 0-255, as the operating system keeps only the low byte). */
export function passThrough(status: number): PassThroughStatus {
  return (Number.isInteger(status) && status >= 0 && status <= 255 ? status : 255) as PassThroughStatus;
}

const BY_CODE: Readonly<Record<ErrorCode, ExitStatus>> = {
  // The .p8 file, the key text and the IDs: bad input.
  "file-not-found": EXIT.usage,
  "file-is-directory": EXIT.usage,
  "file-unreadable": EXIT.usage,
  "file-empty": EXIT.usage,
  "file-too-large": EXIT.usage,
  "subscription-key": EXIT.usage,
  "source-invalid": EXIT.usage,
  "not-a-key": EXIT.usage,
  "certificate-not-key": EXIT.usage,
  "public-key-not-private": EXIT.usage,
  "encrypted-key": EXIT.usage,
  "rsa-key": EXIT.usage,
  "ed25519-key": EXIT.usage,
  "wrong-curve": EXIT.usage,
  "unsupported-key": EXIT.usage,
  "corrupt-key": EXIT.usage,
  "issuer-id-missing": EXIT.usage,
  "issuer-id-invalid": EXIT.usage,
  "issuer-id-not-allowed": EXIT.usage,
  "key-id-missing": EXIT.usage,
  "key-id-invalid": EXIT.usage,
  "kind-invalid": EXIT.usage,
  "token-lifetime": EXIT.usage,
  "token-scope": EXIT.usage,
  // The saved keys: a bad or taken name, a name or Key ID that matches no key or more than one, a missing choice.
  "name-invalid": EXIT.usage,
  "name-taken": EXIT.usage,
  "key-unknown": EXIT.usage,
  "key-ambiguous": EXIT.usage,
  "key-retired": EXIT.usage,
  "next-key-needed": EXIT.usage,
  "choice-invalid": EXIT.usage,
  // What a registration was planned on changed before it was applied (only a face that asks first can see this).
  "plan-outdated": EXIT.keychain,
  // The saved entry cannot be read: a Keychain-entry problem, fixed by registering again.
  "record-corrupt": EXIT.keychain,
  "record-version": EXIT.keychain,
  "saved-key-missing": EXIT.keychain,
  "keychain-not-found": EXIT.keychain,
  "keychain-locked": EXIT.keychain,
  "keychain-denied": EXIT.keychain,
  "keychain-cancelled": EXIT.keychain,
  "keychain-no-such-keychain": EXIT.keychain,
  "keychain-unreadable": EXIT.keychain,
  "keychain-update-denied": EXIT.keychain,
  "keychain-update-unconfirmable": EXIT.keychain,
  "keychain-update-refused": EXIT.keychain,
  "keychain-tool-missing": EXIT.keychain,
  "keychain-timeout": EXIT.keychain,
  "keychain-too-long": EXIT.keychain,
  "keychain-mismatch": EXIT.keychain,
  "keychain-failed": EXIT.keychain,
  "no-key": EXIT.noKey,
  "apple-rejected": EXIT.rejected,
  "apple-unavailable": EXIT.unavailable,
  // Where to set CI secrets is part of the usage; gh or glab missing is a command not found, as in a shell.
  "ci-target-invalid": EXIT.usage,
  "ci-tool-missing": EXIT.notFound,
  "ci-not-logged-in": EXIT.ciFailed,
  "ci-no-access": EXIT.ciFailed,
  "ci-repo-missing": EXIT.ciFailed,
  "ci-name-refused": EXIT.ciFailed,
  "ci-partial": EXIT.ciFailed,
  "ci-failed": EXIT.ciFailed,
};

/** A mistake in how asc-key was called: exit 2 with this one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function exitStatusFor(error: unknown): ExitStatus {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof AscKeyError) return BY_CODE[error.code] ?? EXIT.unexpected;
  return EXIT.unexpected;
}
