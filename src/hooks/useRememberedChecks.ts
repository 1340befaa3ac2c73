import { usePromise } from "@raycast/utils";
import { readCapabilities, readChecks, readKeyToRevoke } from "../helpers/local-storage";

async function loadRemembered() {
  const [checks, keyToRevoke, capabilities] = await Promise.all([readChecks(), readKeyToRevoke(), readCapabilities()]);
  return { ...checks, keyToRevoke, capabilities };
}

/**
 * The last check with Apple, what the key could do when last asked, and the replaced key still to revoke, from
 * LocalStorage (nothing secret).
 */
export function useRememberedChecks() {
  return usePromise(loadRemembered, [], { onError: () => undefined });
}
