import { usePromise } from "@raycast/utils";
import { keyStore } from "../helpers/core";
import { listRetiredKeys } from "../lib/keys";

/** The retired keys (old keys a rotation took out of use), from their list alone: one read, nothing secret. */
export function useRetiredKeys() {
  return usePromise(() => listRetiredKeys(keyStore()), [], { onError: () => undefined });
}
