import { usePromise } from "@raycast/utils";
import { describeError } from "../lib/errors";
import { loadKeyFile } from "../lib/key";

/** What the form shows about the chosen .p8: its fingerprint and the Key ID in its name, never its contents. */
export interface KeyFileInfo {
  path: string;
  fingerprint?: string;
  fileKeyId?: string;
  error?: string;
}

async function inspect(path: string): Promise<KeyFileInfo> {
  try {
    const { fingerprint, fileKeyId } = await loadKeyFile(path);
    return { path, fingerprint, fileKeyId };
  } catch (error) {
    return { path, error: describeError(error) };
  }
}

/** Reads and checks the chosen key file as soon as it is picked (bounded: the reader never hangs). */
export function useKeyFile(path: string | undefined) {
  return usePromise(inspect, [path ?? ""], { execute: Boolean(path) });
}
