/**
 * Which Keychain the code under test reaches, for the Raycast commands (test/support/settings.ts) and for asc-key run
 * in this process (the mock of src/cli/settings.ts in test/raycast/setup.ts): the private Secret Service (undefined,
 * the default) or an in-memory one a test world sets (test/support/memory-keychain.ts). Kept apart from those
 * modules so that the mock can read it without importing the module it replaces.
 */
import type { SecretBackend } from "../../src/lib/keychain";

let backend: SecretBackend | undefined;

/** An in-memory Keychain from now on, or back to the real one (undefined). */
export function useTestBackend(next: SecretBackend | undefined): void {
  backend = next;
}

export function testBackend(): SecretBackend | undefined {
  return backend;
}
