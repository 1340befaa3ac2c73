/** What a command may touch of the outside world: its output streams, stdin and the environment. */
import { AscKeyError } from "../lib/errors";
import { MAX_KEY_FILE_BYTES } from "../lib/key";
import { printable } from "../lib/text";

export interface CliIo {
  /** Writes one line to stdout (the command's answer). */
  out(line: string): void;
  /** Writes one line to stderr, prefixed "asc-key: " (reasons, warnings, notes). */
  err(line: string): void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** How to wait before asking Apple again after a stray 401 (default: a timer; tests pass their own). */
  pause?: (ms: number) => Promise<void>;
}

export function processIo(): CliIo {
  // A reader that went away (`asc-key token | head -c 10`) is not an error worth a stack trace.
  const ignoreEpipe = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  };
  process.stdout.on("error", ignoreEpipe);
  process.stderr.on("error", ignoreEpipe);
  return {
    out: (line) => void process.stdout.write(`${outLine(line)}\n`),
    err: (line) => void process.stderr.write(`${errLine(line)}\n`),
    stdin: process.stdin,
    env: process.env,
    platform: process.platform,
  };
}

/**
 * The last line of defence before the terminal: no control character is written raw, whatever a message was built
 * from. stdout keeps its line breaks (the help texts have several lines); everything else is made printable, which
 * leaves a token, a URL and the sentences as they are, and keeps JSON exact (`JSON.stringify` already escapes C0 and
 * lone surrogates; DEL and C1 become `\u` escapes of the same characters).
 */
export function outLine(text: string): string {
  return text
    .split("\n")
    .map((line) => printable(line))
    .join("\n");
}

/** One stderr line, "asc-key: " first: a line break inside is shown as `\n`, so no line can pose as another. */
export function errLine(text: string): string {
  return `asc-key: ${printable(text)}`;
}

/** Reads the key from stdin, refusing (like the file reader) more than 16 KiB before reading it all. */
export async function readKeyFromStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const wipe = () => chunks.forEach((chunk) => chunk.fill(0));
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    chunks.push(buffer);
    if (total > MAX_KEY_FILE_BYTES) {
      wipe();
      throw new AscKeyError(
        "file-too-large",
        "More than 16 KB came in on stdin; an App Store Connect key is about 250 bytes. Pipe in the AuthKey_<Key ID>.p8 file.",
      );
    }
  }
  if (total === 0) {
    throw new AscKeyError("file-empty", "Nothing came in on stdin; pipe in the key: --p8 - < AuthKey_<Key ID>.p8");
  }
  const whole = Buffer.concat(chunks);
  const text = whole.toString("utf8");
  whole.fill(0);
  wipe();
  return text;
}
