import type { RememberedCheck } from "../lib/apple";
import { verifyRememberingAcceptance, type Verification } from "../lib/keys";
import { appleOptions, keyStore } from "./core";
import { acceptedAtLastCheck } from "./last-check";
import { refreshLauncherSubtitle } from "./launcher";
import { bestEffort, rememberVerification, saveCheck } from "./local-storage";

interface VerifyChoice {
  /**
   * Another saved key, by name or Key ID; left out, the key LingCode uses. Another key's answer is remembered for that
   * key only: what the status view and the launcher show speaks of the key LingCode uses.
   */
  key?: string;
  /**
   * After remembering the answer about the key LingCode uses, ask the launcher to redraw its subtitle (default true).
   * False where the caller redraws it itself: Check API Key is the launcher; Check Again notes the retired keys first.
   */
  refreshLauncher?: boolean;
}

interface RememberedVerification extends Verification {
  /** The answer as remembered; undefined when LocalStorage failed (the answer itself stands). */
  remembered?: RememberedCheck;
}

/**
 * The extension's one verify-and-remember, through the keys room's (keys/accepted.ts), as asc-key's: one read of the
 * key and one request to Apple (a 401 for a key Apple accepted before, by the saved keys' index or this extension's
 * last check, is asked once more after a pause), a final 401 kept in the key's line of the index, then remembered in LocalStorage for the key it
 * checked, and for the key LingCode uses also as the last check (and the key as just read). Remembering is best
 * effort: its failure never hides Apple's answer. Throws what verifySavedKey throws (no key, the Keychain).
 */
export async function verifyAndRemember(choice: VerifyChoice = {}): Promise<RememberedVerification> {
  const verification = await verifyRememberingAcceptance(keyStore(), {
    ...appleOptions(),
    key: choice.key,
    // Where the saved keys' index does not say the key was accepted: this extension's last check of it.
    wasValid: choice.key === undefined ? await acceptedAtLastCheck() : undefined,
    // This extension remembers an acceptance in LocalStorage; only a final 401 goes to the index (no extra read).
    rememberAccepted: false,
  });
  const { summary, check } = verification;
  let remembered: RememberedCheck | undefined;
  await bestEffort(async () => {
    if (choice.key !== undefined) {
      remembered = await saveCheck(summary.keyId, check, false);
      return;
    }
    remembered = await rememberVerification(summary, check);
    if (choice.refreshLauncher ?? true) await refreshLauncherSubtitle();
  });
  return { ...verification, remembered };
}
