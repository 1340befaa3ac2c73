/**
 * The names users give their saved keys ("Acme", "Client B"): how one is checked, compared and made up when none is
 * given. A name is one line of at most 40 characters, unique among the saved keys whatever the case, never another
 * key's Key ID (so `asc-key use <name or Key ID>` always means one key), and never `none` (which `--next none` means).
 */
import { AscKeyError } from "./errors";
import { hasUnprintable } from "./text";
import { namedKey } from "./status";

export const MAX_NAME_LENGTH = 40;

/** What `--next` and the AI tools take for "no key". */
export const NO_KEY_WORD = "none";

/** Trims and checks a name. Throws `name-invalid` with the reason; never quotes the text (it may be anything). */
export function parseKeyName(input: string | undefined): string {
  const name = (input ?? "").normalize("NFC").trim();
  if (name === "") {
    throw new AscKeyError(
      "name-invalid",
      `Give the key a name of up to ${MAX_NAME_LENGTH} characters, e.g. the client or team it is for.`,
    );
  }
  // Control characters (C0, DEL, C1), line and paragraph separators, and the invisible format characters (Cf):
  // the bidirectional controls can make a name read differently from what it is (U+202E turns the rest of a line
  // around), zero-width ones make two names look the same. The same set printable() escapes.
  if (hasUnprintable(name)) {
    throw new AscKeyError(
      "name-invalid",
      "A key's name is one line of text, without control or text-direction characters.",
    );
  }
  const length = [...name].length;
  if (length > MAX_NAME_LENGTH) {
    throw new AscKeyError(
      "name-invalid",
      `The name is ${length} characters long; a key's name has at most ${MAX_NAME_LENGTH}.`,
    );
  }
  if (sameName(name, NO_KEY_WORD)) {
    throw new AscKeyError(
      "name-invalid",
      `"${NO_KEY_WORD}" means "no key" where a key is chosen; choose another name.`,
    );
  }
  return name;
}

/** Names compare without regard to case (and to how an accented letter was typed). */
function nameKey(name: string): string {
  return name.normalize("NFC").trim().toLowerCase();
}

export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/**
 * The name of a key the user did not name. Wherever a key is shown its Key ID and team are shown beside its name (a
 * list row's subtitle and accessory; `"Unnamed key" (Key ID 2X9R4HXF34)` in a sentence), so a made-up name repeats
 * neither: it only says there is a name to give (Rename…, `asc-key rename`). A second one is `Unnamed key (2)`.
 */
export const DEFAULT_KEY_NAME = "Unnamed key";

/** A saved key as the name rules see it. */
interface NamedKey {
  name?: string;
  keyId: string;
}

/**
 * The saved key that `name` would clash with: one with the same name whatever the case, or one whose Key ID it is.
 * Keys with `keyId` equal to `except` (the key being named, or the one it replaces) are left out.
 */
function nameClash(name: string, keys: readonly NamedKey[], except: readonly string[] = []): NamedKey | undefined {
  const wanted = nameKey(name);
  return keys.find(
    (key) =>
      !except.includes(key.keyId) &&
      ((key.name !== undefined && nameKey(key.name) === wanted) || key.keyId.toLowerCase() === wanted),
  );
}

/** Refuses a name another saved key has (or is), saying which key. */
export function checkNameFree(name: string, keys: readonly NamedKey[], except: readonly string[] = []): void {
  const clash = nameClash(name, keys, except);
  if (!clash) return;
  throw new AscKeyError(
    "name-taken",
    clash.name !== undefined && sameName(clash.name, name)
      ? `Another saved key has that name: ${namedKey({ name: clash.name, keyId: clash.keyId })}; choose another name.`
      : `"${name}" is the Key ID of another saved key; choose another name.`,
  );
}

/** The default name, numbered (`Unnamed key (2)`) when another key has it already. */
export function freeDefaultName(keys: readonly NamedKey[], except: readonly string[] = []): string {
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? DEFAULT_KEY_NAME : `${DEFAULT_KEY_NAME} (${n})`;
    if (!nameClash(candidate, keys, except)) return candidate;
  }
}

/**
 * A name or Key ID as typed, fit to repeat in a message: only when it could be a name (one line, at most 40
 * characters) and does not look like a run of base64 (a slice of a key pasted in the wrong place).
 */
export function shownReference(reference: string): string | undefined {
  const text = reference.trim();
  if (text === "" || hasUnprintable(text) || [...text].length > MAX_NAME_LENGTH) return undefined;
  if (/^[A-Za-z0-9+/=]{24,}$/.test(text) || /-----/.test(text)) return undefined;
  return text;
}
