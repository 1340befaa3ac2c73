import type { RememberedCheck } from "../lib/apple";
import { verifySavedKey, type Verification } from "../lib/keys";
import { appleOptions, keyStore } from "./core";
import { acceptedAtLastCheck } from "./last-check";
import { refreshLauncherSubtitle } from "./launcher";
import { bestEffort, rememberVerification, saveCheck } from "./local-storage";

export interface VerifyChoice {
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

export interface RememberedVerification extends Verification {
  /** The answer as remembered; undefined when LocalStorage failed (the answer itself stands). */
  remembered?: RememberedCheck;
}

/**
 * The extension's one verify-and-remember: one Keychain read and one request to Apple (a 401 for a key Apple accepted
 * at its last check is asked once more after a pause), then the answer remembered in LocalStorage for the key it
 * checked, and for the key LingCode uses also as the last check (and the key as just read). Remembering is best
 * effort: its failure never hides Apple's answer. Throws what verifySavedKey throws (no key, the Keychain).
 */
export async function verifyAndRemember(choice: VerifyChoice = {}): Promise<RememberedVerification> {
  const verification = await verifySavedKey(keyStore(), {
    ...appleOptions(),
    key: choice.key,
    wasValid: await acceptedAtLastCheck(),
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
