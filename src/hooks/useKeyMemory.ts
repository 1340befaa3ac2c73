import { usePromise } from "@raycast/utils";
import { readChecks, readKeyToRevoke } from "../helpers/memory";

async function loadMemory() {
  const [checks, keyToRevoke] = await Promise.all([readChecks(), readKeyToRevoke()]);
  return { ...checks, keyToRevoke };
}

/** The last check with Apple and the replaced key still to revoke, from LocalStorage (nothing secret). */
export function useKeyMemory() {
  return usePromise(loadMemory, [], { onError: () => undefined });
}
