import type { CheckOptions } from "../lib/asc-client";
import { createKeyStore, type KeyStore } from "../lib/keychain";
import { extensionSettings } from "./settings";

/** The Keychain entry LingCode reads, as the extension's settings name it. */
export function keyStore(): KeyStore {
  return createKeyStore({ service: extensionSettings().service });
}

/** How the extension reaches App Store Connect. */
export function appleOptions(): CheckOptions {
  return { baseUrl: extensionSettings().appleBaseUrl };
}
