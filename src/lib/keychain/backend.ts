import { AscKeyError } from "../errors";
import { durationWords } from "../text";
import type { RunResult } from "./run";

/** One secret per (service, account), stored as text. Implemented over `security` (macOS) and `secret-tool`. */
export interface SecretBackend {
  /** The stored secret exactly as written, or undefined when there is no such item. */
  get(service: string, account: string): Promise<string | undefined>;
  /** Creates the item or replaces its secret and label in place. */
  set(service: string, account: string, label: string, secret: string): Promise<void>;
  /** True if an item was removed, false if there was none. */
  delete(service: string, account: string): Promise<boolean>;
  /**
   * The accounts of every item under `service`, read without any secret (one tool run, no unlock prompt on macOS).
   * Left out by a store that cannot list its items: then the saved keys' index is taken as it is.
   */
  accounts?(service: string): Promise<string[]>;
  /**
   * Several items' secrets, each as `get` gives it, in as few tool runs as the tool allows (every run can bring an
   * unlock dialog on macOS, and each costs a process): on macOS two items per `security -i` run; on Linux each its
   * own `lookup`, all at once, where an empty answer beside a found item needs no second process to tell a locked
   * keyring from an empty one (see linux.ts). Left out by a store that reads one item at a time: `readMany` then
   * calls `get` for each.
   */
  getMany?(items: readonly ItemRef[]): Promise<(string | undefined)[]>;
}

/** One item, by its service and account. */
export interface ItemRef {
  service: string;
  account: string;
}

/** The secrets of `items`, in their order: through the backend's `getMany` when it has one, else `get` for each. */
export async function readMany(backend: SecretBackend, items: readonly ItemRef[]): Promise<(string | undefined)[]> {
  if (backend.getMany) return backend.getMany(items);
  const values: (string | undefined)[] = [];
  for (const item of items) values.push(await backend.get(item.service, item.account));
  return values;
}

/**
 * Writes a secret and reads it straight back, so that a store that kept nothing, or a change another process made
 * at the same moment, is caught here (keychain-mismatch, in the caller's words for a missing or a different value).
 */
export async function setAndReadBack(
  backend: SecretBackend,
  item: { service: string; account: string; label: string },
  text: string,
  says: { missing: string; different: string },
): Promise<void> {
  await backend.set(item.service, item.account, item.label, text);
  const stored = await backend.get(item.service, item.account);
  if (stored !== text) throw new AscKeyError("keychain-mismatch", stored === undefined ? says.missing : says.different);
}

/** Generous: a locked keychain shows an unlock dialog and the tool waits for the user. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** How a backend names its tool and the store in messages. */
export interface ToolWords {
  /** e.g. "the Keychain" */
  store: string;
  /** e.g. "an unlock dialog" */
  prompt: string;
  /** The sentence for a missing tool. */
  missing: string;
}

/** The outcomes every backend reports the same way. Returns undefined for a normal exit, to be judged by the caller. */
export function failureOf(result: RunResult, timeoutMs: number, words: ToolWords): AscKeyError | undefined {
  switch (result.kind) {
    case "exited":
      return undefined;
    case "missing":
      return new AscKeyError("keychain-tool-missing", words.missing);
    case "unstartable":
      return new AscKeyError("keychain-failed", `Could not start the tool for ${words.store} (${result.code}).`);
    case "signalled":
      return new AscKeyError("keychain-failed", `The tool for ${words.store} was stopped by ${result.signal}.`);
    case "timeout":
      return new AscKeyError(
        "keychain-timeout",
        `Waited ${durationWords(timeoutMs)} for ${words.store}; is ${words.prompt} waiting for you?`,
      );
  }
}
