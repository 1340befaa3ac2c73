/**
 * `asc-key role <name or Key ID> app-manager|admin|none`: records what a team key's Access column on Team Keys shows,
 * kept with the key's line among the saved keys (src/lib/keys/roles.ts). Then registration and
 * `verify --capabilities` say nothing about an App Manager key, and advise an Admin key to rotate.
 */
import { KEY_ROLES, parseKeyRole, roleWords } from "../lib/apple";
import { recordingWords, recordKeyRole } from "../lib/keys";
import { parseCommandWithArgs } from "./args";
import { CLI_SWITCH_HINT } from "./capabilities";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { keyReference } from "./keys";
import { keyStoreFor } from "./settings";
import { showHelp } from "./shared";

/** The words `role` takes, as typed: the roles, and "none" to forget. */
const ROLE_WORDS = [...KEY_ROLES, "none"] as const;

export async function role(args: string[], io: CliIo): Promise<ExitStatus> {
  const { values, positionals } = parseCommandWithArgs("role", args, {}, ["name or Key ID", "role"]);
  if (values.help) return showHelp("role", io);
  const reference = keyReference(positionals[0], "role")!;
  const typed = positionals[1].trim().toLowerCase();
  const chosen = typed === "none" ? undefined : parseKeyRole(typed);
  if (typed !== "none" && chosen === undefined) {
    throw new UsageError(
      `The role is one of ${ROLE_WORDS.join(", ")}, as the key's Access column on Team Keys shows it.`,
    );
  }
  const recording = await recordKeyRole(keyStoreFor(io.env), reference, chosen);
  // What to do first, before the recording: a record that contradicts what Apple showed at the key's last capability
  // check, or the advice to rotate an Admin key, in the words verify --capabilities uses (App Manager: nothing).
  const words = chosen && roleWords(recording.keyId, recording.users ?? "unknown", chosen, CLI_SWITCH_HINT);
  if (words) io.err(`${words.level === "warn" ? "warning" : "note"}: ${words.text}`);
  io.out(recordingWords(recording));
  return EXIT.ok;
}
