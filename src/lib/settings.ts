/**
 * What the core works on: which Keychain entry and which App Store Connect. The core never reads the environment;
 * each face passes its settings in. The Raycast extension always uses LINGCODE_SETTINGS (src/helpers/settings.ts);
 * the asc-key CLI builds its own from its environment (src/cli/settings.ts); tests pass throwaway ones.
 */
import { DEFAULT_ASC_API_URL, type CheckOptions } from "./apple";
import { createKeyStore, DEFAULT_SERVICE, type KeyStore, type SecretBackend } from "./keychain";

export interface Settings {
  /** The Keychain service of the entry LingCode reads (account `asc-api-key`). */
  service: string;
  /** App Store Connect's API address, without a trailing slash. */
  appleBaseUrl: string;
  /**
   * Where the entry is kept. Absent (always, outside tests): the platform's Keychain tool (`security` on macOS,
   * `secret-tool` elsewhere). Tests pass an in-memory one where the keyring itself is not what they check.
   */
  backend?: SecretBackend;
}

/** The real entry and Apple's API. */
export const LINGCODE_SETTINGS: Readonly<Settings> = Object.freeze({
  service: DEFAULT_SERVICE,
  appleBaseUrl: DEFAULT_ASC_API_URL,
});

/** The Keychain entry the settings name (nothing is read until the store is used). */
export function storeFor(settings: Settings): KeyStore {
  return createKeyStore({ service: settings.service, backend: settings.backend });
}

/** How the settings reach App Store Connect. */
export function checkOptionsFor(settings: Settings): CheckOptions {
  return { baseUrl: settings.appleBaseUrl };
}
