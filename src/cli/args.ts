/**
 * Argument parsing with node:util `parseArgs` (strict). Its own error texts can quote what was typed, which might be
 * a key pasted in the wrong place, so they are replaced by sentences that name a known option at most.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./exit-status";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

const HELP: OptionSpec = { help: { type: "boolean", short: "h" } };

/** Parses a command's options (every command also takes -h/--help). Throws UsageError. */
export function parseCommandArgs<T extends OptionSpec>(command: string, args: string[], options: T) {
  const spec = { ...HELP, ...options } as T & typeof HELP;
  try {
    return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw usageFromParseError(error, command, Object.keys(spec));
  }
}

/**
 * Like parseCommandArgs, for a command that also takes arguments (`use <name or Key ID>`): exactly `names.length` of
 * them, named in the message when one is missing or extra. The arguments themselves are never repeated.
 */
export function parseCommandWithArgs<T extends OptionSpec>(
  command: string,
  args: string[],
  options: T,
  names: readonly string[],
) {
  const spec = { ...HELP, ...options } as T & typeof HELP;
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageFromParseError(error, command, Object.keys(spec));
  }
  const { values, positionals } = parsed;
  if (!(values as { help?: boolean }).help && positionals.length !== names.length) {
    const wanted = names.map((name) => `<${name}>`);
    const usage = `asc-key ${command} ${wanted.join(" ")}`;
    throw new UsageError(
      positionals.length < names.length
        ? `${command} needs ${wanted.slice(positionals.length).join(" ")}: ${usage}.`
        : `${command} takes ${names.length === 1 ? "one argument" : `${names.length} arguments`}: ${usage} (quote a name with spaces).`,
    );
  }
  return { values, positionals };
}

function usageFromParseError(error: unknown, command: string, known: string[]): UsageError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const text = error instanceof Error ? error.message : "";
  const more = `run "asc-key ${command} --help"`;
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return new UsageError(`asc-key ${command} takes only options, no other arguments; ${more}.`);
  }
  const named = safeOptionName(text);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return new UsageError(
      `${named ? `Unknown option ${named}` : "An unknown option was given"} for ${command}; ${more}.`,
    );
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && named && known.includes(named.replace(/^-+/, ""))) {
    return /does not take an argument/.test(text)
      ? new UsageError(`Option ${named} takes no value; ${more}.`)
      : new UsageError(`Option ${named} needs a value (use ${named}=<value> for a value starting with "-"); ${more}.`);
  }
  return new UsageError(`The options for ${command} could not be read; ${more}.`);
}

/** The first quoted option name in a parseArgs message, only when it looks like an option name and nothing more. */
function safeOptionName(message: string): string | undefined {
  const quoted = /'([^']*)'/.exec(message)?.[1]?.replace(/ <value>$/, "");
  return quoted && /^--?[A-Za-z][A-Za-z0-9-]{0,30}$/.test(quoted) ? quoted : undefined;
}
