/**
 * What the Raycast commands and tools get for src/helpers/store.ts under test (the redirect is in
 * vitest.config.mts): the same API, but the Keychain service comes from LINGCODE_KEYCHAIN_SERVICE (each test file
 * sets a throwaway one; `npm test` sets one per run) and Apple from LINGCODE_ASC_API_URL (the local stand-in).
 * Both are read at each call, as the tests change them between tests. The service `LingCode` is refused: a test
 * never touches the real entry.
 */
import type { CheckOptions } from "../../src/lib/asc-client";
import { createKeyStore, DEFAULT_SERVICE, SERVICE_ENV, type KeyStore } from "../../src/lib/keychain";
import type * as RaycastStore from "../../src/helpers/store";

export function keyStore(): KeyStore {
  const service = process.env[SERVICE_ENV];
  if (!service || service === DEFAULT_SERVICE) {
    throw new Error(`Under test, ${SERVICE_ENV} must name a throwaway Keychain service (run the tests with npm test).`);
  }
  return createKeyStore({ service });
}

/** No base URL: the client reads LINGCODE_ASC_API_URL itself (and names it when it is not a web address). */
export function appleOptions(): CheckOptions {
  return {};
}

// Same exports as the module it stands in for.
({ keyStore, appleOptions }) satisfies typeof RaycastStore;
