/**
 * `asc-key exec [--only <groups>] -- <command> [args...]`: runs a command with the key in the shape each tool of a
 * shipping pipeline reads (src/lib/exports/), and for tools that need a file, in a private folder that lives as
 * long as the command (src/cli/key-child.ts).
 */
import {
  childEnvironment,
  EXPORT_GROUPS,
  filesNeeded,
  isExportGroup,
  removalNotices,
  selectGroups,
  type ExportGroup,
} from "../lib/exports";
import { parseCommandArgs } from "./args";
import { UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { runWithKey } from "./key-child";
import { KEY_OPTION, keyReference } from "./keys";
import { requireRecord } from "../lib/keys";
import { keyStoreFor } from "./settings";
import { showHelp } from "./shared";
export async function runExec(args: string[], io: CliIo): Promise<ExitStatus> {
  const split = args.indexOf("--");
  const usage = "asc-key exec [--only <groups>] [--key <name or Key ID>] -- <command> [args...]";
  if (split === -1 && !args.some((arg) => arg === "-h" || arg === "--help")) {
    throw new UsageError(`exec runs the command given after "--": ${usage}`);
  }
  const optionArgs = split === -1 ? args : args.slice(0, split);
  const command = split === -1 ? [] : args.slice(split + 1);
  const values = parseCommandArgs("exec", optionArgs, { only: { type: "string", multiple: true }, ...KEY_OPTION });
  if (values.help) return showHelp("exec", io);
  const only = parseOnly(values.only);
  const key = keyReference(values.key);
  if (command.length === 0 || command[0] === "") throw new UsageError(`exec needs a command after "--": ${usage}`);

  // The key first: with none saved (1) or a Keychain failure (4) nothing is made and nothing runs.
  const record = await requireRecord(keyStoreFor(io.env), key);
  const groups = selectGroups(only);
  for (const notice of removalNotices(io.env, groups)) io.err(notice);
  return runWithKey({
    record,
    needs: filesNeeded(groups),
    io,
    command: (paths) => ({
      file: command[0],
      args: command.slice(1),
      env: childEnvironment(io.env, record, groups, paths),
    }),
  });
}

/** `--only fastlane,asc` (repeatable). Undefined means every group. */
function parseOnly(values: string[] | undefined): ExportGroup[] | undefined {
  if (values === undefined) return undefined;
  const names = values.flatMap((value) => value.split(",")).map((name) => name.trim());
  const choices = EXPORT_GROUPS.join(", ");
  if (names.length === 0 || names.some((name) => name === "")) {
    throw new UsageError(`--only takes a comma-separated list of: ${choices}.`);
  }
  const unknown = names.find((name) => !isExportGroup(name));
  if (unknown !== undefined) {
    const shown = /^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(unknown) ? ` "${unknown}"` : "";
    throw new UsageError(`--only: unknown group${shown}; choose from ${choices}.`);
  }
  return [...new Set(names as ExportGroup[])];
}
