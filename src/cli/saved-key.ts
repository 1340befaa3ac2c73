/**
 * Which key `exec`, `export` and `notary-profile` hand out: the resolver each is given. Without a reference it is the
 * key LingCode uses; `--key <name or Key ID>` names another saved key.
 */
import type { KeyRecord } from "../lib/record";

/**
 * Finds the key a command works with: the key LingCode uses, or the saved key `reference` names. Throws no-key when
 * there is none (exit 1), key-unknown / key-ambiguous (exit 2), a Keychain error (exit 4).
 */
export type KeyResolver = (reference?: string) => Promise<KeyRecord>;
