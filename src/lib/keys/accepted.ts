/**
 * Whether Apple accepted a saved key before, kept with its non-secret facts: `acceptedAt` in its line of the saved
 * keys' index (src/lib/keychain/saved.ts), set when a registration's check accepts it and by a later check that does,
 * removed by a check that ends in a 401. It is what lets a command that has no memory of its own (asc-key) ask a 401
 * once more after a pause before it calls the key rejected, as the Raycast views do from their remembered checks
 * (apple/explain.ts). Nothing secret is read: the index only.
 */
import { OUTCOME, type CheckResult } from "../apple";
import type { KeyStore } from "../keychain";
import { lineFor } from "./read";

/** A key by its Key ID and key material (the index's line is about this very key only if the fingerprints agree). */
interface KeyMaterial {
  keyId: string;
  fingerprint: string;
}

/**
 * Whether Apple accepted this key at its last check, or when it was saved (its line's `acceptedAt`): one read of the
 * index. False for a key the index does not list with this key material, and when the index cannot be read.
 */
export async function acceptedBefore(store: KeyStore, key: KeyMaterial): Promise<boolean> {
  try {
    const line = lineFor(await store.saved.readIndex(), key.keyId);
    return line !== undefined && line.fingerprint === key.fingerprint && line.acceptedAt !== undefined;
  } catch {
    return false;
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
