import { useCachedPromise } from "@raycast/utils";
import { keyStore } from "../helpers/core";
import { listKeys, type KeyList } from "../lib/saved-keys";

async function loadList(): Promise<KeyList> {
  return listKeys(keyStore());
}

/**
 * The saved keys. The first paint comes from Raycast's cache (names, Key IDs, masked Issuer IDs, fingerprints, dates:
 * nothing secret); then one read of the list of saved keys and one of LingCode's entry (to mark the key it uses).
 */
export function useKeyList() {
  return useCachedPromise(loadList, [], {
    keepPreviousData: true,
    // The list shows a Keychain failure itself, with Retry.
    onError: () => undefined,
  });
}
