import { usePromise } from "@raycast/utils";
import os from "node:os";
import path from "node:path";
import { AscKeyError, describeError, isAscKeyError } from "../lib/errors";
import { readKeyJsonIfAny, type JsonKey } from "../lib/import";
import { loadKeyFile, normalizePrivateKey } from "../lib/key";
import type { KeyInput } from "../lib/keys";
import { printable } from "../lib/text";

/** What the form shows about the chosen file: its fingerprint and the Key ID in its name, never its contents. */
export interface KeyFileInfo {
  path: string;
  fingerprint?: string;
  fileKeyId?: string;
  /**
   * The file is fastlane's API key JSON or an eas.json: the Key Type, Issuer ID and Key ID it gives (the key itself is
   * not kept), which JSON it is, and the file that holds the key in clear (to move to the Trash), if any.
   */
  json?: Pick<KeyInput, "kind" | "issuerId" | "keyId"> & Pick<JsonKey, "source" | "holder">;
  error?: string;
}

async function inspect(filePath: string): Promise<KeyFileInfo> {
  try {
    const json = await readKeyJsonIfAny(filePath, { home: os.homedir(), env: process.env });
    if (json) {
      const { kind, issuerId, keyId } = json.input;
      return {
        path: filePath,
        fingerprint: fingerprintIn(json.input, filePath),
        json: { kind, issuerId, keyId, source: json.source, holder: json.holder },
      };
    }
    const { fingerprint, fileKeyId } = await loadKeyFile(filePath);
    return { path: filePath, fingerprint, fileKeyId };
  } catch (error) {
    return { path: filePath, error: describeError(error) };
  }
}

/** The fingerprint of the key in a fastlane JSON or eas.json; a key the key model refuses gives its reason, naming the file. */
function fingerprintIn(input: KeyInput, filePath: string): string {
  try {
    return normalizePrivateKey(input.p8Text ?? "").fingerprint;
  } catch (error) {
    if (!isAscKeyError(error)) throw error;
    throw new AscKeyError(error.code, `${printable(path.basename(filePath))}: ${error.message}`);
  }
}

/**
 * Reads and checks the chosen file as soon as it is picked (bounded: the reader never hangs): a .p8, an eas.json, or fastlane's API
 * key JSON, whose Key Type, Issuer ID and Key ID the form then fills in.
 */
export function useKeyFile(path: string | undefined) {
  return usePromise(inspect, [path ?? ""], { execute: Boolean(path) });
}
