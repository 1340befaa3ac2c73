import { DEFAULT_ASC_API_URL, type CheckOptions } from "../lib/asc-client";
import { createKeyStore, DEFAULT_SERVICE, type KeyStore } from "../lib/keychain";

/**
 * The Keychain item the Raycast commands and tools use: always service `LingCode` in a Raycast build
 * (`NODE_ENV` is fixed at bundle time), so nothing in the environment can redirect it. Under the test runner the
 * store honours LINGCODE_KEYCHAIN_SERVICE, so tests never touch the real entry.
 */
export function keyStore(): KeyStore {
  return createKeyStore(process.env.NODE_ENV === "test" ? {} : { service: DEFAULT_SERVICE });
}

/** Apple's API; under the test runner, LINGCODE_ASC_API_URL (the local stand-in). */
export function appleOptions(): CheckOptions {
  return process.env.NODE_ENV === "test" ? {} : { baseUrl: DEFAULT_ASC_API_URL };
}
