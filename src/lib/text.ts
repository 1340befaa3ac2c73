/**
 * Text from outside (Apple's answers, file names and paths, environment variables, key names read back from the
 * Keychain) on its way into a message that a terminal, a Raycast view or a toast shows. A terminal obeys control
 * characters: ESC starts sequences that recolour, retitle the window or rewrite the screen, CR moves back over what
 * was written, BEL rings, and the C1 controls (U+0080 to U+009F, e.g. U+009B, a one-character ESC [) do the same on
 * many terminals. Invisible format characters (Unicode category Cf) do not move the cursor but change what a reader
 * sees: the bidirectional controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C) reorder the rest of the line, so
 * a name could disguise the Key ID beside it, and zero-width ones hide a difference between two names. So all of
 * them are shown as visible escapes instead, and the user still sees that something odd was there. This is the one
 * `printable`: every place that shows outside text calls it, or `printableCut` with one of the named widths below
 * when it must be short.
 */

/**
 * C0 controls, DEL, C1 controls (Cc), format characters (Cf), the line and paragraph separators, and UTF-16
 * surrogates standing alone (UTF-8 cannot carry them). With the `u` flag a lone surrogate is one code point (Cs).
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

const NAMED: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** The places that show outside text shortened, and how many characters each shows at most. */
export const WIDTH = {
  /** A command or file name typed by the user, on one terminal line. */
  commandName: 80,
  /** A value of an environment variable shown back in a health line. */
  environmentValue: 20,
  /** What gh or glab said, in one line of an error. */
  toolAnswer: 160,
} as const;

/** One of WIDTH's widths (a type, so that `lines.map(printableCut)` cannot pass an index as a width). */
type Width = (typeof WIDTH)[keyof typeof WIDTH];

/**
 * `text` with every control and format character written as a visible escape: `\t`, `\n`, `\r`, other C0 controls
 * as `\x1b`, DEL, C1 controls and format characters as `\u007f` / `\u009b` / `\u202e` (one outside the BMP as its
 * two surrogate halves, `\udb40\udc01`), a lone surrogate as `\ud800`. Everything else (all printable Unicode, emoji
 * included) is left as it is, and so is text that was already made printable (applying it twice changes nothing).
 * The `\u` forms are also valid JSON escapes of the same character: run over a `JSON.stringify` result, which
 * escapes C0 and lone surrogates itself but writes DEL, C1 and format characters raw inside strings, it keeps the
 * JSON exact.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escape);
}

/**
 * `printable(text)` cut to `width` (one of WIDTH's): at most that many characters of the escaped text are shown, the
 * last one then `…`.
 */
export function printableCut(text: string, width: Width): string {
  const shown = printable(text);
  const chars = [...shown];
  return chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : shown;
}

function escape(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  if (char.length === 2) return [...char].length === 1 ? `${unit(char, 0)}${unit(char, 1)}` : char;
  const code = char.charCodeAt(0);
  return code < 0x20 ? `\\x${code.toString(16).padStart(2, "0")}` : unit(char, 0);
}

function unit(char: string, at: number): string {
  return `\\u${char.charCodeAt(at).toString(16).padStart(4, "0")}`;
}

/** True when `text` holds a control or invisible format character (what printable would escape). */
export function hasUnprintable(text: string): boolean {
  return new RegExp(UNPRINTABLE.source, "u").test(text);
}

/** `text` on one line: each line break, with the spaces around it, becomes one space; the ends trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/**
 * A wait in milliseconds as a sentence says it, the one duration formatter (Apple's timeout, the Keychain's, gio's):
 * under a second in milliseconds, `300 ms`; else in seconds to a tenth, `15 s`, `2.5 s`.
 */
export function durationWords(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
