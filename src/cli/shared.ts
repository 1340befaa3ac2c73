/** Small pieces every asc-key command uses. */
import type { CheckOptions } from "../lib/apple";
import type { KeyStore } from "../lib/keychain";
import { verifyRememberingAcceptance, type Verification } from "../lib/keys";
import type { KeyRecord } from "../lib/record";
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
 * One check with Apple of the key LingCode uses (or the saved key `key`), as `verify` and `doctor` run it: the keys
 * room's verify-and-remember (keys/accepted.ts), so a 401 for a key Apple accepted before (its line in the saved keys'
 * index, whichever face checked it last) is asked once more after a short pause (`io.pause`), and what Apple said is
 * kept in that line for the next check. `record`: the key as the command has read it already (not read again).
 */
export async function verifyRemembering(
  store: KeyStore,
  options: CheckOptions,
  io: CliIo,
  key?: string,
  record?: KeyRecord,
): Promise<Verification> {
  return verifyRememberingAcceptance(store, { ...options, key, record, pause: io.pause });
}
