/**
 * The settings the Raycast commands and tools get under test, in place of src/helpers/settings.ts (replaced for
 * every test file in test/raycast/setup.ts): the Keychain service from LINGCODE_KEYCHAIN_SERVICE (each test file sets
 * a throwaway one; `npm test` sets one per run) and Apple from LINGCODE_ASC_API_URL (the local stand-in), read at
 * each call since tests change them between tests. The service `LingCode` is refused: a test never touches the real
 * entry.
 */
import { ASC_API_URL_ENV, SERVICE_ENV, settingsFromEnv } from "../../src/cli/settings";
import { DEFAULT_SERVICE } from "../../src/lib/keychain";
import type { Settings } from "../../src/lib/settings";
import { testBackend, useTestBackend } from "./test-backend";

export { ASC_API_URL_ENV, SERVICE_ENV, useTestBackend };

export function testSettings(): Settings {
  const service = process.env[SERVICE_ENV];
  if (!service || service === DEFAULT_SERVICE) {
    throw new Error(`Under test, ${SERVICE_ENV} must name a throwaway Keychain service (run the tests with npm test).`);
  }
  const settings = settingsFromEnv(process.env);
  const backend = testBackend();
  return backend ? { ...settings, backend } : settings;
}
