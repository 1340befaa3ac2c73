/**
 * asc-key's dispatcher: picks the command, runs it, and turns whatever it threw into one line on stderr and an exit
 * status (exit-status.ts decides which).
 */
import { describeError, isAscKeyError } from "../lib/errors";
import { COMMANDS, NO_KEY_SENTENCE } from "./commands";
import { EXIT, exitStatusFor, UsageError, type ExitStatus } from "./exit-status";
import { COMMAND_HELP, isCommandName, TOOL_HELP } from "./help";
import type { CliIo } from "./io";

export async function main(argv: string[], io: CliIo): Promise<ExitStatus> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    io.err(reason(error));
    return exitStatusFor(error);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<ExitStatus> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given; run "asc-key --help" for the commands.');
  if (first === "--help" || first === "-h") {
    if (rest.length > 0) throw new UsageError('--help takes nothing after it; try "asc-key help <command>".');
    io.out(TOOL_HELP);
    return EXIT.ok;
  }
  if (first === "help") {
    if (rest.length === 0) {
      io.out(TOOL_HELP);
      return EXIT.ok;
    }
    const [topic, ...extra] = rest;
    if (extra.length > 0 || !isCommandName(topic)) {
      throw new UsageError(`"asc-key help" takes one command name: ${Object.keys(COMMANDS).join(", ")}.`);
    }
    io.out(COMMAND_HELP[topic]);
    return EXIT.ok;
  }
  if (!isCommandName(first)) {
    const shown = /^-?-?[A-Za-z][A-Za-z0-9-]{0,30}$/.test(first) ? ` "${first}"` : "";
    const kind = first.startsWith("-") ? "option" : "command";
    throw new UsageError(`Unknown ${kind}${shown}; run "asc-key --help" for the commands.`);
  }
  return COMMANDS[first](rest, io);
}

function reason(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (isAscKeyError(error, "no-key")) return NO_KEY_SENTENCE;
  return describeError(error);
}
