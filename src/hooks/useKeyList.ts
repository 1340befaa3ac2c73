import { useCachedPromise } from "@raycast/utils";
import { keyStore } from "../helpers/core";
import { listKeys, type SavedKeysList } from "../lib/keys";

async function loadList(): Promise<SavedKeysList> {
  return listKeys(keyStore(), { items: true });
}

/**
 * The saved keys. The first paint comes from Raycast's cache (names, Key IDs, masked Issuer IDs, fingerprints, dates:
 * nothing secret); then the list of saved keys, LingCode's entry (to mark the key it uses) and each saved item (so a
 * damaged one shows as such, with Remove): reads that grow with the number of keys, after the first paint.
 */
export function useKeyList() {
  return useCachedPromise(loadList, [], {
    keepPreviousData: true,
    // The list shows a Keychain failure itself, with Retry.
    onError: () => undefined,
  });
}
