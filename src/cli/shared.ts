/** Small pieces every asc-key command uses. */
import type { CheckOptions } from "../lib/apple";
import type { KeyStore } from "../lib/keychain";
import { acceptedBefore, rememberAcceptance, verifySavedKey, type Verification } from "../lib/keys";
import { EXIT, type ExitStatus } from "./exit-status";
import { COMMAND_HELP, type CommandName } from "./help";
import type { CliIo } from "./io";

export type Command = (args: string[], io: CliIo) => Promise<ExitStatus>;

export function showHelp(command: CommandName, io: CliIo): ExitStatus {
  io.out(COMMAND_HELP[command]);
  return EXIT.ok;
}

/** The warning for a file that could not go to the Trash (`shown` as the user knows it): why, and what to do. */
export function notTrashedWarning(shown: string, error: unknown, before = ""): string {
  const reason = error instanceof Error ? withoutFinalStop(error.message) : "unknown error";
  return `warning: ${before}${shown} was not moved to the Trash (${reason}); delete it yourself.`;
}

/** A sentence without its final full stop, to be continued ("…; Nothing was saved."). */
export function withoutFinalStop(sentence: string): string {
  return sentence.replace(/[.\s]+$/, "");
}

/** PEM text, a line break, or a long base64 run, given where a path, a name or a Key ID belongs. */
export function looksLikeKeyText(value: string): boolean {
  return /-----BEGIN|[\r\n]/.test(value) || /^[A-Za-z0-9+/=]{100,}$/.test(value.trim());
}

/**
 * One check with Apple of the key LingCode uses (or the saved key `key`), as `verify` runs it: a 401 for a key Apple
 * accepted before (at its last check, or when it was saved: its line in the saved keys' index, keys/accepted.ts) is
 * asked once more after a short pause (`io.pause`), and the second answer decides. What Apple said is then kept in
 * that line for the next check.
 */
export async function verifyRemembering(
  store: KeyStore,
  options: CheckOptions,
  io: CliIo,
  key?: string,
): Promise<Verification> {
  const verification = await verifySavedKey(store, {
    ...options,
    key,
    wasValid: (keyId, fingerprint) => acceptedBefore(store, { keyId, fingerprint }),
    pause: io.pause,
  });
  await rememberAcceptance(store, verification.summary, verification.check);
  return verification;
}
