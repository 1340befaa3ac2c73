/**
 * Which key `exec`, `export` and `notary-profile` hand out. Today there is one saved key; the several-keys feature
 * (`--key <name or Key ID>`) replaces the resolver these commands are given, and nothing else in them.
 */
import { AscKeyError } from "../lib/errors";
import type { KeyRecord } from "../lib/record";

/** Finds the key a command works with. Throws no-key when there is none (exit 1), a Keychain error (exit 4). */
export type KeyResolver = () => Promise<KeyRecord>;

/** Anything the saved record can be read from: a KeyStore, or a test's stand-in. */
export interface RecordSource {
  read(): Promise<KeyRecord | undefined>;
}

/** The one saved key, read from `source` (created when the command runs, so help and usage errors touch nothing). */
export function savedKey(source: () => RecordSource): KeyResolver {
  return async () => {
    const record = await source().read();
    if (!record) {
      throw new AscKeyError(
        "no-key",
        "No, no ASC key configured. Register one with the App Store Connect key's three values first.",
      );
    }
    return record;
  };
}
