import type { CheckOptions } from "../lib/apple";
import type { KeyStore } from "../lib/keychain";
import { checkOptionsFor, storeFor } from "../lib/settings";
import { extensionSettings } from "./settings";

/** The Keychain entry LingCode reads, as the extension's settings name it. */
export function keyStore(): KeyStore {
  return storeFor(extensionSettings());
}

/** How the extension reaches App Store Connect. */
export function appleOptions(): CheckOptions {
  return checkOptionsFor(extensionSettings());
}
