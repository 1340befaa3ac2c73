import { DEFAULT_ASC_API_URL, type CheckOptions } from "../lib/asc-client";
import { createKeyStore, DEFAULT_SERVICE, type KeyStore } from "../lib/keychain";

/**
 * The Keychain item the Raycast commands and tools use: always service `LingCode`. Nothing in the environment is
 * read here, so nothing in it can redirect the extension to another item (or another Apple). The tests swap this
 * whole module for test/support/raycast-store.ts (an alias in vitest.config.mts), which honours
 * LINGCODE_KEYCHAIN_SERVICE and LINGCODE_ASC_API_URL; import it as `./helpers/store` or `../helpers/store` so the
 * alias matches.
 */
export function keyStore(): KeyStore {
  return createKeyStore({ service: DEFAULT_SERVICE });
}

/** Apple's API, always: https://api.appstoreconnect.apple.com. */
export function appleOptions(): CheckOptions {
  return { baseUrl: DEFAULT_ASC_API_URL };
}
