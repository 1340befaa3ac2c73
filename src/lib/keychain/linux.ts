import { AscKeyError } from "../errors";
import { DEFAULT_TIMEOUT_MS, failureOf, type SecretBackend, type ToolWords } from "./backend";
import { runTool, type RunResult } from "./run";

/**
 * The Secret Service (gnome-keyring, KeePassXC, ...) through `secret-tool` from libsecret-tools. The secret
 * goes through stdin, never argv.
 *
 * Reads and writes use exactly keytar's attributes: `xdg:schema` = org.freedesktop.Secret.Generic, `service`,
 * `account`. keytar (libsecret with that schema) adds `xdg:schema` to its lookups, so an item stored without
 * it (a bare `secret-tool store service S account A`) is invisible to keytar; with it, our item and keytar's
 * are one item, replaced in place. A store with the schema does not replace a schemaless item (gnome-keyring
 * adds a second one), and gnome-keyring 46 now and then matches a schemaless item in a lookup with the
 * schema, so `delete` clears by service and account alone: after a removal nothing of ours is left to find.
 *
 * Observed with libsecret 0.21: `store` keeps stdin byte for byte (a trailing newline too) when stdin is not
 * a terminal; `lookup` prints the secret with no newline added when stdout is not a terminal, and exits 1
 * with nothing on stderr when there is no such item; `clear` exits 1 when nothing matched.
 */
export const SECRET_TOOL = "secret-tool";
export const GENERIC_SCHEMA = "org.freedesktop.Secret.Generic";

function attributes(service: string, account: string): string[] {
  return ["xdg:schema", GENERIC_SCHEMA, "service", service, "account", account];
}

/** Any item for (service, account), with or without the schema. */
function anyAttributes(service: string, account: string): string[] {
  return ["service", service, "account", account];
}

export interface SecretToolBackendOptions {
  /** The `secret-tool` executable, found on PATH by default. */
  secretToolPath?: string;
  timeoutMs?: number;
  /** Extra environment for the tool, merged over process.env. */
  env?: NodeJS.ProcessEnv;
}

const WORDS: ToolWords = {
  store: "the keyring (Secret Service)",
  prompt: "an unlock prompt",
  missing: "secret-tool was not found; install libsecret-tools (apt-get install libsecret-tools).",
};

export function createSecretToolBackend(options: SecretToolBackendOptions = {}): SecretBackend {
  const tool = options.secretToolPath ?? SECRET_TOOL;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const run = async (args: string[], input?: string) => {
    const result = await runTool(tool, args, { input, timeoutMs, env: options.env });
    const failure = failureOf(result, timeoutMs, WORDS);
    if (failure) throw failure;
    return result as Extract<RunResult, { kind: "exited" }>;
  };

  const lookup = async (service: string, account: string, match = attributes) => {
    const result = await run(["lookup", ...match(service, account)]);
    if (result.status === 0) return result.stdout;
    if (result.status === 1 && result.stderr.trim() === "") return undefined;
    throw statusError(result, "read");
  };

  return {
    get: (service, account) => lookup(service, account),

    async set(service, account, label, secret) {
      // Replaces the item with the same attributes in one call: a reader sees the old or the new secret.
      const result = await run(["store", `--label=${oneLine(label)}`, ...attributes(service, account)], secret);
      if (result.status !== 0) throw statusError(result, "write");
    },

    async delete(service, account) {
      // `clear` reports nothing useful across versions; look first so the answer is exact.
      if ((await lookup(service, account, anyAttributes)) === undefined) return false;
      const result = await run(["clear", ...anyAttributes(service, account)]);
      if (result.status === 0) return true;
      if (result.status === 1 && result.stderr.trim() === "") return false; // removed by someone else meanwhile
      throw statusError(result, "remove");
    },
  };
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

/** Classifies secret-tool's stderr into a code; the text itself is never repeated. */
function statusError(result: { status: number; stderr: string }, action: string): AscKeyError {
  const stderr = result.stderr;
  if (/locked/i.test(stderr)) {
    return new AscKeyError("keychain-locked", "The keyring is locked and could not be unlocked.");
  }
  if (/cancel|dismiss/i.test(stderr)) {
    return new AscKeyError("keychain-cancelled", "The keyring request was cancelled.");
  }
  if (/org\.freedesktop\.secrets|autolaunch|D-?Bus|connect/i.test(stderr)) {
    return new AscKeyError(
      "keychain-failed",
      "No Secret Service is reachable; start gnome-keyring (or another Secret Service) in this session.",
    );
  }
  return new AscKeyError(
    "keychain-failed",
    `Could not ${action} the keyring item: secret-tool exited with status ${result.status}.`,
  );
}
