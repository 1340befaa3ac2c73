/**
 * What the core works on: which Keychain entry and which App Store Connect. The core never reads the environment;
 * each face passes its settings in. The Raycast extension always uses LINGCODE_SETTINGS (src/helpers/settings.ts);
 * the asc-key CLI builds its own from its environment (src/cli/settings.ts); tests pass throwaway ones.
 */
import { DEFAULT_ASC_API_URL, type CheckOptions } from "./apple";
import { createKeyStore, DEFAULT_SERVICE, userLockDir, type KeyStore, type SecretBackend } from "./keychain";

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
  /**
   * The folder of the saved keys' lock: userLockDir() (a per-user folder, whatever TMPDIR says), so that the
   * extension and every terminal of the user wait for each other. Tests pass a throwaway one.
   */
  lockDir?: string;
  /** macOS: a keychain file to use instead of the default keychain (asc-key's LINGCODE_KEYCHAIN_FILE). */
  keychainFile?: string;
  /**
   * A stand-in `security` tool to use instead of /usr/bin/security, on any platform (asc-key's
   * LINGCODE_TEST_SECURITY_TOOL, for tests and `npm run check:mac`'s own test). Never set by the extension.
   */
  securityTool?: string;
}

/** The real entry and Apple's API. */
export const LINGCODE_SETTINGS: Readonly<Settings> = Object.freeze({
  service: DEFAULT_SERVICE,
  appleBaseUrl: DEFAULT_ASC_API_URL,
  lockDir: userLockDir(),
});

/** The Keychain entry the settings name (nothing is read until the store is used). */
export function storeFor(settings: Settings): KeyStore {
  return createKeyStore({
    service: settings.service,
    backend: settings.backend,
    lockDir: settings.lockDir,
    keychainFile: settings.keychainFile,
    ...(settings.securityTool === undefined ? {} : { platform: "darwin", securityPath: settings.securityTool }),
  });
}

/** How the settings reach App Store Connect. */
export function checkOptionsFor(settings: Settings): CheckOptions {
  return { baseUrl: settings.appleBaseUrl };
}
