/**
 * asc-key's commands for several keys (list, use, rename) and what the other commands share to take `--key <name or
 * Key ID>`. The work is done in the core (src/lib/keys/); this file parses and prints.
 */
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";
import {
  keyWords,
  listKeys,
  namedKey,
  parseNext,
  renameSavedKey,
  switchedSentence,
  useSavedKey,
  type SavedKeysList,
  type ListedKey,
} from "../lib/keys";
import { parseCommandArgs, parseCommandWithArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { keyStoreFor } from "./settings";
import { looksLikeKeyText, showHelp, withoutFinalStop } from "./shared";

/** The `--key` option every command that works with a key takes. */
export const KEY_OPTION = { key: { type: "string" } } as const;

/** A `--key` (or `--next`) value, checked: a name or Key ID, never the key itself. Undefined when not given. */
export function keyReference(value: string | undefined, option = "--key"): string | undefined {
  if (value === undefined) return undefined;
  if (looksLikeKeyText(value)) {
    throw new UsageError(
      `${option} takes a saved key's name or Key ID, never the key itself: the command line is visible to other programs.`,
    );
  }
  if (value.trim() === "")
    throw new UsageError(`${option} takes a saved key's name or Key ID (asc-key list shows them).`);
  return value;
}

/** A word a POSIX shell takes as it is: left bare when safe, else in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9._,:+@%/=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export async function list(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("list", args, { json: { type: "boolean" }, quick: { type: "boolean" } });
  if (values.help) return showHelp("list", io);
  const listing = await listKeys(keyStoreFor(io.env), { items: values.quick !== true });
  if (values.json) io.out(JSON.stringify(listJson(listing)));
  else if (listing.keys.length === 0 && listing.entry.state === "none") io.out(NOT_CONFIGURED_SENTENCE);
  else listLines(listing).forEach((line) => io.out(line));
  for (const problem of listing.problems) io.err(`warning: ${problem}`);
  if (listing.entry.state === "unreadable") {
    io.err(
      `warning: LingCode's own entry is unreadable (${withoutFinalStop(listing.entry.reason)}); asc-key use <name or Key ID> replaces it.`,
    );
  }
  return listing.keys.length === 0 && listing.entry.state === "none" ? EXIT.noKey : EXIT.ok;
}

/** One line per key, `*` marking the key LingCode uses and `!` a damaged one. */
function listLines(listing: SavedKeysList): string[] {
  return listing.keys.map((key) => {
    if (key.state === "damaged") {
      return `! ${namedKey(key)}: damaged, ${key.reason}; remove it: asc-key remove --key ${shellWord(key.keyId)}`;
    }
    const note = key.active
      ? key.saved
        ? " - LingCode uses this key"
        : " - LingCode uses this key (not yet saved apart)"
      : "";
    return `${key.active ? "*" : " "} ${keyWords(key)}${note}`;
  });
}

/** The documented `list --json` shape. */
export function listJson(listing: SavedKeysList): Record<string, unknown> {
  return {
    keys: listing.keys.map(keyJson),
    lingcode: listing.entry.state,
    problems: listing.problems,
  };
}

function keyJson(key: ListedKey): Record<string, unknown> {
  if (key.state === "damaged") {
    return { name: key.name, keyId: key.keyId, state: key.state, reason: key.reason, active: false, saved: true };
  }
  const json: Record<string, unknown> = { name: key.name, keyId: key.keyId, state: key.state, kind: key.kind };
  if (key.kind === "team" && key.issuerIdSuffix) json.issuerIdSuffix = key.issuerIdSuffix;
  json.fingerprint = key.fingerprint;
  json.savedAt = key.savedAt;
  json.active = key.active;
  json.saved = key.saved;
  return json;
}

export async function use(args: string[], io: CliIo): Promise<ExitStatus> {
  const { values, positionals } = parseCommandWithArgs("use", args, {}, ["name or Key ID"]);
  if (values.help) return showHelp("use", io);
  const reference = keyReference(positionals[0], "use")!;
  const switched = await useSavedKey(keyStoreFor(io.env), reference);
  io.out(switchedSentence(switched));
  if (!switched.changed) return EXIT.ok;
  if (switched.replacedUnreadable) io.err("replaced LingCode's unreadable entry.");
  return EXIT.ok;
}

export async function rename(args: string[], io: CliIo): Promise<ExitStatus> {
  const { values, positionals } = parseCommandWithArgs("rename", args, {}, ["name or Key ID", "new name"]);
  if (values.help) return showHelp("rename", io);
  const reference = keyReference(positionals[0], "rename")!;
  if (looksLikeKeyText(positionals[1])) throw new UsageError("A key's new name is a short name, never the key itself.");
  const renaming = await renameSavedKey(keyStoreFor(io.env), reference, positionals[1]);
  io.out(`Renamed "${renaming.previousName}" to ${namedKey(renaming.key)}.`);
  return EXIT.ok;
}

/** `--next <name or Key ID | none>` for remove. */
export function nextReference(value: string | undefined): string | null | undefined {
  const reference = keyReference(value, "--next");
  return reference === undefined ? undefined : parseNext(reference);
}
