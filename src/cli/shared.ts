/** Small pieces every asc-key command uses. */
import { EXIT, type ExitStatus } from "./exit-status";
import { COMMAND_HELP, type CommandName } from "./help";
import type { CliIo } from "./io";

export type Command = (args: string[], io: CliIo) => Promise<ExitStatus>;

export function showHelp(command: CommandName, io: CliIo): ExitStatus {
  io.out(COMMAND_HELP[command]);
  return EXIT.ok;
}

/** A sentence without its final full stop, to be continued ("…; Nothing was saved."). */
export function withoutFinalStop(sentence: string): string {
  return sentence.replace(/[.\s]+$/, "");
}
