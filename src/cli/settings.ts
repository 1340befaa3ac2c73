/**
 * asc-key's settings, from its environment: the one place the CLI reads configuration. The core (src/lib) takes
 * them as arguments and reads no environment itself.
 */
import { DEFAULT_ASC_API_URL, type CheckOptions } from "../lib/apple";
import path from "node:path";
import { DEFAULT_SERVICE, userLockDir, type KeyStore } from "../lib/keychain";
import { checkOptionsFor, storeFor, type Settings } from "../lib/settings";

/** The Keychain service of the entry (tests use a throwaway one). */
export const SERVICE_ENV = "LINGCODE_KEYCHAIN_SERVICE";
/** App Store Connect's API address (tests point it at a local stand-in; plain http only to this computer). */
export const ASC_API_URL_ENV = "LINGCODE_ASC_API_URL";

/** macOS: a keychain file instead of the default keychain (a throwaway one in tests and `npm run check:mac`). */
export const KEYCHAIN_FILE_ENV = "LINGCODE_KEYCHAIN_FILE";
/**
 * The folder of the saved keys' lock. Default: userLockDir(), the per-user folder the extension uses too (tests
 * point it at a throwaway folder, so they never write into the user's own).
 */
export const LOCK_DIR_ENV = "LINGCODE_LOCK_DIR";
/** Tests only: a stand-in `security` tool, used instead of /usr/bin/security on any platform. */
const TEST_SECURITY_TOOL_ENV = "LINGCODE_TEST_SECURITY_TOOL";

/** The settings for this run: each variable when set and not blank, else the real entry and Apple's API. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const settings: Settings = {
    service: env[SERVICE_ENV]?.trim() || DEFAULT_SERVICE,
    appleBaseUrl: (env[ASC_API_URL_ENV]?.trim() || DEFAULT_ASC_API_URL).replace(/\/+$/, ""),
    lockDir: absolute(env[LOCK_DIR_ENV]) ?? userLockDir(),
  };
  const keychainFile = absolute(env[KEYCHAIN_FILE_ENV]);
  if (keychainFile !== undefined) settings.keychainFile = keychainFile;
  const securityTool = absolute(env[TEST_SECURITY_TOOL_ENV]);
  if (securityTool !== undefined) settings.securityTool = securityTool;
  return settings;
}

/** A path from the environment, made absolute (from the current folder), or undefined when unset or blank. */
function absolute(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? path.resolve(trimmed) : undefined;
}

/** The saved key's store for this run (created when a command needs it: help and usage errors touch nothing). */
export function keyStoreFor(env: NodeJS.ProcessEnv): KeyStore {
  return storeFor(settingsFromEnv(env));
}

/** How this run reaches App Store Connect. */
export function appleOptionsFor(env: NodeJS.ProcessEnv): CheckOptions {
  return checkOptionsFor(settingsFromEnv(env));
}
