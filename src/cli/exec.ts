/**
 * `asc-key exec [--only <groups>] -- <command> [args...]`: runs a command with the key in the shape each tool of a
 * shipping pipeline reads (src/lib/exports.ts), and for tools that need a file, in a private folder that lives as
 * long as the command (src/cli/key-child.ts).
 */
import {
  childEnvironment,
  EXPORT_GROUPS,
  filesNeeded,
  isExportGroup,
  selectGroups,
  type ExportGroup,
} from "../lib/exports";
import { parseCommandArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { runWithKey } from "./key-child";
import { KEY_OPTION, keyReference } from "./keys";
import { PIPELINE_HELP } from "./pipeline-help";
import type { KeyResolver } from "./saved-key";

export interface ExecDeps {
  resolveKey: KeyResolver;
  /** Where the private folder goes (default os.tmpdir()). */
  tmpdir?: string;
}

export async function runExec(args: string[], io: CliIo, deps: ExecDeps): Promise<ExitStatus> {
  const split = args.indexOf("--");
  const usage = "asc-key exec [--only <groups>] [--key <name or Key ID>] -- <command> [args...]";
  if (split === -1 && !args.some((arg) => arg === "-h" || arg === "--help")) {
    throw new UsageError(`exec runs the command given after "--": ${usage}`);
  }
  const optionArgs = split === -1 ? args : args.slice(0, split);
  const command = split === -1 ? [] : args.slice(split + 1);
  const values = parseCommandArgs("exec", optionArgs, { only: { type: "string", multiple: true }, ...KEY_OPTION });
  if (values.help) {
    io.out(PIPELINE_HELP.exec);
    return EXIT.ok;
  }
  const only = parseOnly(values.only);
  const key = keyReference(values.key);
  if (command.length === 0 || command[0] === "") throw new UsageError(`exec needs a command after "--": ${usage}`);

  // The key first: with none saved (1) or a Keychain failure (4) nothing is made and nothing runs.
  const record = await deps.resolveKey(key);
  const groups = selectGroups(only);
  return runWithKey({
    record,
    needs: filesNeeded(groups),
    io,
    tmpdir: deps.tmpdir,
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
