import { OUTCOME } from "../lib/apple";
import { lastCheckOf, readChecks } from "./local-storage";

/**
 * Whether a key was accepted by Apple at its last check, as remembered per key in LocalStorage (no Keychain read):
 * for a verification of the key LingCode uses where the saved keys' index cannot say (it does not list that key), which
 * asks a 401 once more after a short pause when it was (see verifyRememberingAcceptance in lib/keys/accepted.ts).
 * Nothing remembered, or LocalStorage failing: false.
 */
export async function acceptedAtLastCheck(): Promise<(keyId: string) => boolean> {
  const checks = await readChecks().catch(() => undefined);
  return (keyId) => {
    const last = lastCheckOf(checks, keyId);
    return last !== undefined && OUTCOME[last.outcome].usable;
  };
}
