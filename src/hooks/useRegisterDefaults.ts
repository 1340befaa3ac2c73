import { Clipboard } from "@raycast/api";
import { usePromise } from "@raycast/utils";
import { findNewestAuthKey } from "../lib/downloads";
import { findIssuerIds } from "../lib/ids";

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

/** What the form can fill in before the user types anything. Never fails: a problem means no suggestion. */
export function useRegisterDefaults() {
  return usePromise(loadDefaults, [], { onError: () => undefined });
}
