import { Clipboard } from "@raycast/api";
import { usePromise } from "@raycast/utils";
import { watch, type FSWatcher } from "node:fs";
import { useEffect } from "react";
import { downloadsFolder, findNewestAuthKey } from "../lib/import";
import { findIssuerIds, keyIdFromFileName } from "../lib/ids";

export interface RegisterDefaults {
  /** The newest AuthKey_<ID>.p8 in ~/Downloads. */
  p8Path?: string;
  keyId?: string;
  /** An Issuer ID found on the clipboard (exactly one). */
  issuerId?: string;
}

async function loadDefaults(): Promise<RegisterDefaults> {
  const [found, clipboard] = await Promise.all([findNewestAuthKey(), Clipboard.readText().catch(() => undefined)]);
  const issuerIds = clipboard && clipboard.length < 2000 ? findIssuerIds(clipboard) : [];
  return { p8Path: found?.path, keyId: found?.keyId, issuerId: issuerIds.length === 1 ? issuerIds[0] : undefined };
}

/** Browsers write a download under a temporary name and rename it when done: wait for the folder to settle. */
const SETTLE_MS = 300;

/**
 * What the form can fill in before the user types anything, kept up to date while the form is open: a key
 * downloaded from Team Keys after the form opened (as in Rotate Key…) is suggested as soon as it lands, with the
 * clipboard read again for the Issuer ID. Never fails: a problem means no suggestion.
 */
export function useRegisterDefaults() {
  const defaults = usePromise(loadDefaults, [], { onError: () => undefined });
  const { revalidate } = defaults;
  useEffect(() => {
    let watcher: FSWatcher | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      watcher = watch(downloadsFolder(), (_event, name) => {
        if (name && !keyIdFromFileName(String(name))) return;
        clearTimeout(timer);
        timer = setTimeout(() => void revalidate(), SETTLE_MS);
      });
      watcher.on("error", () => watcher?.close());
    } catch {
      // No Downloads folder to watch: the first look is all there is.
    }
    return () => {
      clearTimeout(timer);
      watcher?.close();
    };
  }, []);
  return defaults;
}
