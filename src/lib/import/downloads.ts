import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { keyIdFromFileName } from "../ids";

interface FoundKeyFile {
  path: string;
  keyId: string;
  modified: Date;
}

/** Where browsers put Apple's one download of the .p8. */
export function downloadsFolder(): string {
  return path.join(os.homedir(), "Downloads");
}

/**
 * The newest `AuthKey_<ID>.p8` in a folder (default ~/Downloads). Only that name is suggested: an In-App Purchase
 * key (`SubscriptionKey_<ID>.p8`), however new, never is (the key model refuses it). Quiet on every failure: a missing
 * or unreadable folder means there is nothing to suggest.
 */
export async function findNewestAuthKey(folder = downloadsFolder()): Promise<FoundKeyFile | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch {
    return undefined;
  }
  const candidates = await Promise.all(
    names
      .filter((name) => keyIdFromFileName(name))
      .map(async (name) => {
        const file = path.join(folder, name);
        try {
          const stat = await fs.stat(file);
          return stat.isFile() ? { path: file, keyId: keyIdFromFileName(name)!, modified: stat.mtime } : undefined;
        } catch {
          return undefined;
        }
      }),
  );
  return candidates
    .filter((found): found is FoundKeyFile => found !== undefined)
    .sort((a, b) => b.modified.getTime() - a.modified.getTime())[0];
}
