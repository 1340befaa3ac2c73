import { readChecks } from "../helpers/local-storage";
import { keyStore } from "../helpers/core";
import { describeError, isAscKeyError } from "../lib/errors";
import { retiredKey } from "../helpers/retired";
import { listRetiredKeys } from "../lib/keys";
import { listKeys, type ListedKey } from "../lib/keys";
import { statusSentence, summarySentence } from "../lib/status";

/** One of the other saved keys, masked as every status is: never the key, never the full Issuer ID. */
type OtherKey =
  | { name: string; keyId: string; kind: "team" | "individual"; issuerIdSuffix?: string; savedAt: string }
  | { name: string; keyId: string; damaged: string };

function otherKey(key: ListedKey): OtherKey {
  if (key.state === "damaged") return { name: key.name, keyId: key.keyId, damaged: key.reason };
  const { name, keyId, kind, issuerIdSuffix, savedAt } = key;
  return issuerIdSuffix === undefined ? { name, keyId, kind, savedAt } : { name, keyId, kind, issuerIdSuffix, savedAt };
}

/**
 * Is an App Store Connect API key registered for LingCode, and which other keys are saved? Answers for the key
 * LingCode uses with the status sentence and masked metadata (never the key, never the full Issuer ID) and its name,
 * plus the last check with Apple if there was one; then the other saved keys, masked the same way (name, Key ID,
 * kind, the Issuer ID's last three characters, saved date). Reads the list of saved keys (nothing secret) and
 * LingCode's entry; no other key's secret. An entry that can't be used, or a Keychain that didn't answer, is an
 * answer too (as the status view shows it), never "no key". `retiredKeys` answers "Did I revoke my old key?": each old
 * key a rotation took out of use, with its sentence (still works at Apple, not proven revoked yet, or revoked with
 * Apple's two refusals), from what was last checked (no request; verify-api-key with `retired: true` checks now).
 */
export default async function tool() {
  let list;
  try {
    list = await listKeys(keyStore());
  } catch (error) {
    if (isAscKeyError(error) && error.code.startsWith("keychain-")) {
      return {
        entry: "keychain-problem" as const,
        sentence: `Couldn't read the Keychain, so whether a key is set up is unknown: ${describeError(error)}`,
      };
    }
    throw error;
  }
  const others = list.keys.filter((key) => !key.active).map(otherKey);
  const retired = await listRetiredKeys(keyStore()).catch(() => []);
  const extra = {
    otherKeys: others,
    ...(list.problems.length > 0 ? { problems: list.problems } : {}),
    ...(retired.length > 0 ? { retiredKeys: retired.map(retiredKey) } : {}),
  };
  const { entry } = list;
  if (entry.state === "unreadable") {
    return {
      entry: "unreadable" as const,
      sentence: `A LingCode key entry is saved but unusable: ${entry.reason}`,
      ...extra,
    };
  }
  if (entry.state !== "key") return { sentence: statusSentence(undefined), configured: false, ...extra };
  const status = entry.summary;
  const name = list.keys.find((key) => key.active)?.name;
  // The bookkeeping is extra: if LocalStorage can't be read, the answer about the key still stands.
  const { latest } = await readChecks().catch(() => ({ latest: undefined }));
  const lastCheck =
    latest && latest.keyId === status.keyId
      ? { outcome: latest.outcome, message: latest.message, checkedAt: latest.checkedAt }
      : undefined;
  return { sentence: summarySentence(status), ...status, name, lastCheck, ...extra };
}
