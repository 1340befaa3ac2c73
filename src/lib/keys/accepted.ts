/**
 * Whether Apple accepted a saved key before, kept with its non-secret facts: `acceptedAt` in its line of the saved
 * keys' index (src/lib/keychain/saved.ts), set when a registration's check accepts it and by a later asc-key check
 * that does (Raycast keeps acceptances in its own LocalStorage, so that its everyday check reads no more), removed by
 * a check in any face that ends in a 401. It is what lets every face ask a 401 once more after a pause before it
 * calls the key rejected (apple/explain.ts), whichever face saw the key's last answer. Nothing secret is read: the
 * index only.
 */
import { OUTCOME, type CheckResult } from "../apple";
import type { KeyStore } from "../keychain";
import { lineFor } from "./read";
import { verifySavedKey, type Verification, type VerifyOptions } from "./use";

/** A key by its Key ID and key material (the index's line is about this very key only if the fingerprints agree). */
interface KeyMaterial {
  keyId: string;
  fingerprint: string;
}

/**
 * Whether Apple accepted this key at its last check, or when it was saved (its line's `acceptedAt`): one read of the
 * index. Undefined where the index cannot say: it does not list the key with this key material, or cannot be read.
 */
async function acceptedBefore(store: KeyStore, key: KeyMaterial): Promise<boolean | undefined> {
  try {
    const line = lineFor(await store.saved.readIndex(), key.keyId);
    return line !== undefined && line.fingerprint === key.fingerprint ? line.acceptedAt !== undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps what Apple's answer says of the key in its line: accepted (a usable outcome) sets `acceptedAt`, a 401
 * (`rejected`, after any second ask) removes it; an answer that says neither (Apple unreachable, a server error)
 * changes nothing. Only a change is written (one read of the index otherwise), holding the saved keys' lock. A key
 * the index does not list with this key material is left alone. Never throws: the check's answer stands whatever
 * happens here.
 */
export async function rememberAcceptance(store: KeyStore, key: KeyMaterial, check: CheckResult): Promise<void> {
  const accepted = OUTCOME[check.outcome].usable ? true : check.outcome === "rejected" ? false : undefined;
  if (accepted === undefined) return;
  const changes = (line: ReturnType<typeof lineFor>) =>
    line !== undefined && line.fingerprint === key.fingerprint && accepted !== (line.acceptedAt !== undefined);
  try {
    const index = await store.saved.readIndex();
    if (!changes(lineFor(index, key.keyId))) return;
    await store.saved.locked(async () => {
      const line = lineFor(index, key.keyId);
      if (!line || !changes(line)) return;
      await store.saved.putLine(index, { ...line, acceptedAt: accepted ? check.checkedAt : undefined });
    }, index);
  } catch {
    // Not remembered: the next 401 is taken at once, as for a key never accepted.
  }
}

/** How a face checks through verifyRememberingAcceptance. */
interface RememberingOptions extends VerifyOptions {
  /**
   * Whether an acceptance is written to the index too (default true). A face with a memory of its own (Raycast's
   * remembered checks) passes false: its everyday check then reads no more than the key (one Keychain read), while a
   * final 401 is still written, so that no face asks that key's next 401 again. Registrations write the acceptance.
   */
  rememberAccepted?: boolean;
}

/**
 * Every face's one check of a saved key with Apple (verifySavedKey): a 401 for a key Apple accepted before is asked
 * once more after a pause, then what Apple said is kept in the key's line (rememberAcceptance) for the next check in
 * any face. "Accepted before": the line's `acceptedAt` (the index read only after a 401), or the face's own memory
 * (`wasValid`, Raycast's last check of the key LingCode uses) where the line does not say so.
 */
export async function verifyRememberingAcceptance(
  store: KeyStore,
  options: RememberingOptions = {},
): Promise<Verification> {
  const { wasValid, rememberAccepted = true, ...rest } = options;
  const verification = await verifySavedKey(store, {
    ...rest,
    wasValid: async (keyId, fingerprint) =>
      (await acceptedBefore(store, { keyId, fingerprint })) === true || (await wasValid?.(keyId, fingerprint)) === true,
  });
  if (rememberAccepted || !OUTCOME[verification.check.outcome].usable) {
    await rememberAcceptance(store, verification.summary, verification.check);
  }
  return verification;
}
