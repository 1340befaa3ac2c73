/**
 * Text from outside (Apple's answers, file names and paths, environment variables) on its way into a message that a
 * terminal or a Raycast toast shows. A terminal obeys control characters: ESC starts sequences that recolour,
 * retitle the window or rewrite the screen, CR moves back over what was written, BEL rings, and the C1 controls
 * (U+0080 to U+009F, e.g. U+009B, a one-character ESC [) do the same on many terminals. So they are shown as visible
 * escapes instead, and the user still sees that something odd was there.
 */

/** C0 controls, DEL, C1 controls, and UTF-16 surrogates standing alone (UTF-8 cannot carry them). */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * `text` with every control character written as a visible escape: `\t`, `\n`, `\r`, other C0 controls as `\x1b`,
 * DEL and C1 controls as `\u007f` / `\u009b`, a lone surrogate as `\ud800`. Everything else (all printable Unicode,
 * emoji included) is left as it is, and so is text that was already made printable (applying it twice changes
 * nothing). The `\u` forms are also valid JSON escapes of the same character: run over a `JSON.stringify` result,
 * which escapes C0 and lone surrogates itself but writes DEL and C1 raw inside strings, it keeps the JSON exact.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code < 0x20 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
