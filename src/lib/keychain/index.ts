export { DEFAULT_TIMEOUT_MS, type SecretBackend } from "./backend";
export { createSecretToolBackend, type SecretToolBackendOptions } from "./linux";
export {
  addGenericPasswordLine,
  createSecurityBackend,
  MAX_COMMAND_LINE,
  SECURITY_PATH,
  type SecurityBackendOptions,
} from "./macos";
export {
  ACCOUNT,
  createKeyStore,
  DEFAULT_SERVICE,
  LABEL,
  userLockDir,
  type KeyStore,
  type KeyStoreOptions,
} from "./store";
export {
  createSavedKeyStore,
  indexAccount,
  itemAccount,
  savedKeysService,
  SAVED_KEYS_SUFFIX,
  type SavedLine,
  type IndexPage,
  type SavedIndex,
  type SavedItem,
  type SavedKeyStore,
} from "./saved";
