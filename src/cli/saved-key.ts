/**
 * Which key `exec`, `export` and `notary-profile` hand out: the resolver each is given. Today it is the one saved
 * key; the several-keys feature (`--key <name or Key ID>`) replaces the resolver, and nothing else in the commands.
 */
import type { KeyRecord } from "../lib/record";

/** Finds the key a command works with. Throws no-key when there is none (exit 1), a Keychain error (exit 4). */
export type KeyResolver = () => Promise<KeyRecord>;
