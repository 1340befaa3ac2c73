import { useCachedPromise } from "@raycast/utils";
import { readStatus } from "../lib/pipeline";
import { keyStore } from "../helpers/core";

async function loadStatus() {
  return readStatus(keyStore());
}

/**
 * The saved key's masked status. First paint comes from Raycast's cache (non-secret metadata only: Key ID,
 * Issuer ID suffix, fingerprint, dates), then one Keychain read confirms it.
 */
export function useKeyStatus() {
  return useCachedPromise(loadStatus, [], {
    keepPreviousData: true,
    // The view shows a Keychain failure itself, with Retry: no failure toast on top.
    onError: () => undefined,
  });
}
