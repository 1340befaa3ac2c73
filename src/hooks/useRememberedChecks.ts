import { usePromise } from "@raycast/utils";
import { readChecks, readKeyToRevoke } from "../helpers/local-storage";

async function loadRemembered() {
  const [checks, keyToRevoke] = await Promise.all([readChecks(), readKeyToRevoke()]);
  return { ...checks, keyToRevoke };
}

/** The last check with Apple and the replaced key still to revoke, from LocalStorage (nothing secret). */
export function useRememberedChecks() {
  return usePromise(loadRemembered, [], { onError: () => undefined });
}
