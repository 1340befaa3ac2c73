import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { AscKeyError } from "../errors";
import { parseRecord, serializeRecord, type KeyRecord } from "../record";
import { readMany, setAndReadBack, type SecretBackend } from "./backend";
import { createSecretToolBackend } from "./linux";
import { createSecurityBackend } from "./macos";
import { createRetiredStore, type RetiredListLine, type RetiredStore } from "./retired";
import { createSavedKeyStore, savedKeysService, type SavedKeyStore } from "./saved";

/** The one item LingCode reads: service `LingCode`, account `asc-api-key`. */
export const DEFAULT_SERVICE = "LingCode";
export const ACCOUNT = "asc-api-key";
export const LABEL = "LingCode: App Store Connect API key";

export interface KeyStoreOptions {
  /** The Keychain service: `LingCode` for the entry LingCode reads (DEFAULT_SERVICE); tests use throwaway ones. */
  service: string;
  /** Replaces the platform's backend (then the options below are unused). */
  backend?: SecretBackend;
  /** Defaults to process.platform: darwin uses `security`, linux `secret-tool`. */
  platform?: NodeJS.Platform;
  /** macOS: the `security` executable (default /usr/bin/security). */
  securityPath?: string;
  /** macOS: a keychain file instead of the default keychain. */
  keychainFile?: string;
  /** Linux: the `secret-tool` executable (default: found on PATH). */
  secretToolPath?: string;
  /** How long one tool run may take (default 60 s: an unlock dialog may be waiting for the user). */
  timeoutMs?: number;
  /**
   * The folder of the lock that keeps changes to the saved keys apart (src/lib/keychain/lock.ts). The faces pass
   * userLockDir() (through Settings.lockDir), which every process of the user finds; without one (tests, the bench)
   * the system's temporary folder, which follows TMPDIR.
   */
  lockDir?: string;
}

export interface KeyStore {
  readonly service: string;
  readonly account: string;
  /**
   * The other saved keys, beside this entry: service `<service> Saved Keys`, through the same backend. The entry's
   * service holds the entry alone.
   */
  readonly saved: SavedKeyStore;
  /**
   * Keys a rotation took out of use, kept only to ask Apple whether they still work (src/lib/keychain/retired.ts),
   * under the saved keys' service; changed only holding the saved keys' lock (`saved.locked`).
   */
  readonly retired: RetiredStore;
  /** The saved record, or undefined when there is none. Throws record-corrupt / record-version for a bad entry. */
  read(): Promise<KeyRecord | undefined>;
  /**
   * The saved record and the list of retired keys (nothing secret), read together: one `security` run on macOS, on
   * Linux two lookups at once and no third process to tell "no list" from a locked keyring (SecretBackend.getMany).
   * The entry found empty beside a list is read once more on its own, as `read` reads it (it may be an item another
   * tool stored without keytar's schema). Throws as `read` does.
   */
  readWithRetired(): Promise<{ record: KeyRecord | undefined; retired: RetiredListLine[] }>;
  /** The stored text as is, unparsed (secret). */
  readRaw(): Promise<string | undefined>;
  /** Saves the record in one item update and reads it back; throws keychain-mismatch unless it reads back identical. */
  write(record: KeyRecord): Promise<void>;
  /** True if an entry was removed, false if there was none. */
  remove(): Promise<boolean>;
}

export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const service = options.service;
  const backend = options.backend ?? platformBackend(options);

  const readRaw = () => backend.get(service, ACCOUNT);
  const retired = createRetiredStore(savedKeysService(service), backend);

  return {
    service,
    account: ACCOUNT,
    saved: createSavedKeyStore(savedKeysService(service), backend, lockFile(service, options.lockDir ?? os.tmpdir())),
    retired,
    readRaw,

    async readWithRetired() {
      const [found, list] = await readMany(backend, [{ service, account: ACCOUNT }, retired.listItem]);
      const raw = found === undefined && list !== undefined ? await readRaw() : found;
      return { record: raw === undefined ? undefined : parseRecord(raw), retired: retired.parseList(list) };
    },

    async read() {
      const raw = await readRaw();
      return raw === undefined ? undefined : parseRecord(raw);
    },

    async write(record) {
      const text = serializeRecord(record);
      await setAndReadBack(backend, { service, account: ACCOUNT, label: LABEL }, text, {
        missing: "The key was not found in the Keychain right after saving it; it was not saved.",
        different:
          "The Keychain returned something other than what was just saved (another save at the same moment?); check the saved key before relying on it.",
      });
    },

    remove() {
      return backend.delete(service, ACCOUNT);
    },
  };
}

/**
 * The folder of the saved keys' lock for this user, the same for the Raycast extension and every terminal of theirs.
 * Not os.tmpdir(): on macOS that is TMPDIR, a per-process-tree folder under /var/folders that a terminal (tmux, SSH,
 * sudo, a shell with TMPDIR set) may not share with Raycast, and then two writers would no longer wait for each
 * other. Instead a folder the platform gives each user for data that may be thrown away: on macOS
 * ~/Library/Caches/LingCode, elsewhere ~/.cache/lingcode. `home` is os.homedir() (the account's home, which the
 * caller may pass; src/lib reads no environment of its own). Made, private (0700), by the lock when first needed.
 */
export function userLockDir(platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  return platform === "darwin"
    ? path.join(home, "Library", "Caches", "LingCode")
    : path.join(home, ".cache", "lingcode");
}

/** One lock per user and service: `lingcode-saved-keys-<uid>-<hash of the service>.lock`. */
function lockFile(service: string, dir: string): string {
  const hash = createHash("sha256").update(service, "utf8").digest("hex").slice(0, 16);
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return path.join(dir, `lingcode-saved-keys-${uid}-${hash}.lock`);
}

function platformBackend(options: KeyStoreOptions): SecretBackend {
  const platform = options.platform ?? process.platform;
  if (platform === "darwin") {
    return createSecurityBackend({
      securityPath: options.securityPath,
      keychainFile: options.keychainFile,
      timeoutMs: options.timeoutMs,
    });
  }
  if (platform === "linux") {
    return createSecretToolBackend({ secretToolPath: options.secretToolPath, timeoutMs: options.timeoutMs });
  }
  throw new AscKeyError(
    "keychain-tool-missing",
    `There is no supported key store on ${platform}; the key can be kept on macOS (Keychain) or Linux (Secret Service).`,
  );
}
