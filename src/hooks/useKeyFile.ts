import { usePromise } from "@raycast/utils";
import os from "node:os";
import path from "node:path";
import { AscKeyError, describeError, isAscKeyError } from "../lib/errors";
import { readFastlaneJsonIfAny } from "../lib/import";
import { loadKeyFile, normalizePrivateKey } from "../lib/key";
import type { KeyInput } from "../lib/keys";
import { printable } from "../lib/text";

/** What the form shows about the chosen file: its fingerprint and the Key ID in its name, never its contents. */
export interface KeyFileInfo {
  path: string;
  fingerprint?: string;
  fileKeyId?: string;
  /** The file is fastlane's API key JSON: the Key Type, Issuer ID and Key ID it gives (the key itself is not kept). */
  fastlane?: Pick<KeyInput, "kind" | "issuerId" | "keyId">;
  error?: string;
}

async function inspect(filePath: string): Promise<KeyFileInfo> {
  try {
    const fastlane = await readFastlaneJsonIfAny(filePath, { home: os.homedir() });
    if (fastlane) {
      const { kind, issuerId, keyId } = fastlane;
      return { path: filePath, fingerprint: fingerprintIn(fastlane, filePath), fastlane: { kind, issuerId, keyId } };
    }
    const { fingerprint, fileKeyId } = await loadKeyFile(filePath);
    return { path: filePath, fingerprint, fileKeyId };
  } catch (error) {
    return { path: filePath, error: describeError(error) };
  }
}

/** The fingerprint of the key in a fastlane JSON; a key the key model refuses gives its reason, naming the file. */
function fingerprintIn(input: KeyInput, filePath: string): string {
  try {
    return normalizePrivateKey(input.p8Text ?? "").fingerprint;
  } catch (error) {
    if (!isAscKeyError(error)) throw error;
    throw new AscKeyError(error.code, `${printable(path.basename(filePath))}: ${error.message}`);
  }
}

/**
 * Reads and checks the chosen file as soon as it is picked (bounded: the reader never hangs): a .p8, or fastlane's API
 * key JSON, whose Key Type, Issuer ID and Key ID the form then fills in.
 */
export function useKeyFile(path: string | undefined) {
  return usePromise(inspect, [path ?? ""], { execute: Boolean(path) });
}
