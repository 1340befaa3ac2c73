/**
 * asc-key's settings, from its environment: the one place the CLI reads configuration. The core (src/lib) takes
 * them as arguments and reads no environment itself.
 */
import { DEFAULT_ASC_API_URL, type CheckOptions } from "../lib/apple";
import { DEFAULT_SERVICE, type KeyStore } from "../lib/keychain";
import { checkOptionsFor, storeFor, type Settings } from "../lib/settings";

/** The Keychain service of the entry (tests use a throwaway one). */
export const SERVICE_ENV = "LINGCODE_KEYCHAIN_SERVICE";
/** App Store Connect's API address (tests point it at a local stand-in; plain http only to this computer). */
export const ASC_API_URL_ENV = "LINGCODE_ASC_API_URL";

/** The settings for this run: each variable when set and not blank, else the real entry and Apple's API. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  return {
    service: env[SERVICE_ENV]?.trim() || DEFAULT_SERVICE,
    appleBaseUrl: (env[ASC_API_URL_ENV]?.trim() || DEFAULT_ASC_API_URL).replace(/\/+$/, ""),
  };
}

/** The saved key's store for this run (created when a command needs it: help and usage errors touch nothing). */
export function keyStoreFor(env: NodeJS.ProcessEnv): KeyStore {
  return storeFor(settingsFromEnv(env));
}

/** How this run reaches App Store Connect. */
export function appleOptionsFor(env: NodeJS.ProcessEnv): CheckOptions {
  return checkOptionsFor(settingsFromEnv(env));
}
