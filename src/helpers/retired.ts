import { LocalStorage } from "@raycast/api";
import type { CheckResult } from "../lib/apple";
import type { KeyStore } from "../lib/keychain";
import { checkRetiredKeys, stillWorkingNote, type RetiredKeyView } from "../lib/keys";
import { appleOptions } from "./core";

/**
 * What Check API Key's subtitle adds about the retired keys ("old key ABC1234DEF still works"), remembered so that a
 * subtitle rewritten from LocalStorage alone keeps it. Nothing secret: Key IDs only.
 */
const RETIRED_NOTE = "retired-note";

/**
 * After a check of the key LingCode uses (`current`; undefined when it has none): one request per retired key not
 * yet proven revoked, within the rate-limit guard (src/lib/keys/retired.ts). Remembers the subtitle's note. A
 * failure here (the Keychain, say) never hides the answer about the key LingCode uses: the retired keys are then
 * left as they were.
 */
export async function checkRetiredAfter(
  store: KeyStore,
  current: CheckResult | undefined,
): Promise<RetiredKeyView[] | undefined> {
  try {
    const retired = await checkRetiredKeys(store, current, appleOptions());
    await rememberRetiredNote(stillWorkingNote(retired));
    return retired;
  } catch {
    return undefined;
  }
}

export async function rememberRetiredNote(note: string | undefined): Promise<void> {
  if (note === undefined) await LocalStorage.removeItem(RETIRED_NOTE);
  else await LocalStorage.setItem(RETIRED_NOTE, note);
}

/** The subtitle with the remembered note, if any: "Key … valid, checked 09:14; old key ABC1234DEF still works". */
export async function withRetiredNote(subtitle: string): Promise<string> {
  const note = await LocalStorage.getItem<string>(RETIRED_NOTE);
  return typeof note === "string" && /^old keys? [A-Z0-9, ]+ still works?$/.test(note)
    ? `${subtitle}; ${note}`
    : subtitle;
}

/** An old key a rotation took out of use, as the AI tools say it: its state and sentence, nothing secret. */
export function retiredKey(key: RetiredKeyView) {
  return { keyId: key.keyId, state: key.state.state, sentence: key.sentence, ...(key.note ? { note: key.note } : {}) };
}
