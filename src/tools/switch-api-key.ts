import { Tool } from "@raycast/api";
import { rememberActive } from "../helpers/launcher";
import { keyStore } from "../helpers/core";
import { AscKeyError, describeError } from "../lib/errors";
import {
  findKey,
  keyWords,
  listKeys,
  namedKey,
  namesOf,
  staysSaved,
  switchedSentence,
  useSavedKey,
  type ListedKey,
} from "../lib/keys";

type Input = {
  /**
   * The saved key LingCode should use: the name the user gave it (e.g. "Acme", any case) or its Key ID (e.g.
   * 2X9R4HXF34), as get-api-key-status lists them.
   */
  key: string;
};

function shown(key: ListedKey): string {
  return key.state === "ok" ? keyWords(key) : `${namedKey(key)}, damaged`;
}

/**
 * Asked before the switch, naming both keys. No confirmation when nothing would change: the name or Key ID means no
 * saved key (or two), the key is damaged, or LingCode uses it already; the tool then says why.
 */
export const confirmation: Tool.Confirmation<Input> = async (input) => {
  const list = await listKeys(keyStore());
  let target: ListedKey;
  try {
    target = findKey(list.keys, String(input.key ?? ""));
  } catch {
    return undefined;
  }
  if (target.state !== "ok" || target.active) return undefined;
  const current = list.keys.find((key) => key.active);
  const from =
    current !== undefined
      ? shown(current)
      : list.entry.state === "unreadable"
        ? "An unreadable entry (it is replaced)"
        : "No key";
  return {
    message: current
      ? `Switch LingCode from ${shown(current)} to ${keyWords(target)}? ${staysSaved(current)}.`
      : `Make LingCode use ${keyWords(target)}?`,
    info: [
      { name: "From", value: from },
      { name: "To", value: keyWords(target) },
    ],
  };
};

/**
 * Makes LingCode use another saved App Store Connect API key, by the name the user gave it or its Key ID: one update
 * of the Keychain entry LingCode reads. The key it used before remains among the saved keys, so switching back is the
 * same step.
 * Returns the new key and the previous one (masked), or why nothing changed with the names of the saved keys.
 */
export default async function tool(input: Input) {
  const store = keyStore();
  let switched;
  try {
    switched = await useSavedKey(store, String(input.key ?? ""));
  } catch (error) {
    if (!(error instanceof AscKeyError)) throw error;
    const answer: { switched: false; reason: string; savedKeys?: string } = {
      switched: false,
      reason: describeError(error),
    };
    if (error.code === "key-unknown" || error.code === "key-ambiguous" || error.code === "key-retired") {
      answer.savedKeys = namesOf((await listKeys(store, { entry: false }).catch(() => ({ keys: [] }))).keys);
    }
    return answer;
  }
  const { current, previous } = switched;
  if (!switched.changed) return { switched: false, sentence: switchedSentence(switched), name: current.name };
  // The switch is done: remembering what LingCode uses (for the launcher and the status view) is extra.
  await rememberActive(current);
  return {
    switched: true,
    sentence: switchedSentence(switched),
    name: current.name,
    keyId: current.keyId,
    previous: previous ? { name: previous.name, keyId: previous.keyId } : undefined,
  };
}
