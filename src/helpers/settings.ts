import { LINGCODE_SETTINGS, type Settings } from "../lib/settings";

/**
 * The settings of the Raycast commands and tools: always the `LingCode` entry and Apple's API. Nothing in the
 * environment is read, so nothing in it can redirect the extension to another item or another server. This function
 * is the one place the tests replace (test/raycast/setup.ts) to point the extension at a throwaway entry and the
 * local Apple stand-in.
 */
export function extensionSettings(): Settings {
  return LINGCODE_SETTINGS;
}
