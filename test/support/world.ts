/**
 * What every test of a Raycast command or AI tool shares, set up once per test file: the local Apple stand-in, a
 * throwaway HOME with a Downloads folder, a throwaway Keychain service (`LingCode-test-<name>-<pid>`) in the private
 * Secret Service `npm test` starts, keys made at run time, and the check that nothing secret reached anything Raycast
 * shows or keeps, or anything a tool returns.
 *
 *   const world = testWorld("status");               // registers beforeAll/beforeEach/afterEach/afterAll
 *   const key = world.key({ answer: "revoked" });    // a key Apple knows, answering as told
 *   const file = await world.writeP8(key);           // AuthKey_<ID>.p8 in a fresh folder (or in ~/Downloads)
 *   await world.seed(key);                            // saved in the Keychain as if registered
 *   world.expectClean(await tool(input));             // no PEM fragment, no full Issuer ID
 *
 * Each test starts with an empty in-memory Keychain (test/support/memory-keychain.ts, listing its items as the real
 * backends do) behind the extension's settings: most tests are about what a view or tool says and does, not about the
 * keyring, and the suite's time is a budget. A test about the keyring itself (what secret-tool, keytar or a bare
 * lookup sees; a locked, missing or failing secret-tool) calls `await world.realKeyring()` first and gets the
 * private Secret Service `npm test` starts, emptied; fakeSecretTool and hideSecretTool refuse to run without it.
 *
 * After each test it asserts that no piece of any key made in the file (in any encoding, test/support/leaks.ts) and no
 * more than the last three characters of a watched Issuer ID is in anything a person sees (shownTexts: toasts in every
 * state, HUDs, LocalStorage, Cache, command metadata, alerts, launches, every text a view rendered, clipboard copies
 * and pastes, AI tools' answers), and that a token was copied only concealed; before each file it checks that the
 * detector does catch such leaks.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { keyStore } from "../../src/helpers/core";
import { fastlaneApiKeyJson } from "../../src/lib/exports/table";
import { createSecretToolBackend, DEFAULT_SERVICE, type SecretBackend } from "../../src/lib/keychain";
import type { KeyRecord } from "../../src/lib/record";
import { clearTokenCache } from "../../src/lib/token";
import { raycast, type ToastRecord } from "../raycast/harness";
import { store as doubleStore } from "../raycast/state";
import { startAppleStandIn, type AppleStandIn, type Answer } from "./apple-stand-in";
import { HAS_KEYRING } from "./keyring";
import { ISSUER_ID, ISSUER_SUFFIX, madePems, makeKey, makeKeyId, makeRecord, type TestKey } from "./keys";
import { checkLeakDetector, expectNoSecret, expectNoSecretIn, watchedIssuerIds } from "./leaks";
import { closedPortUrl } from "./network";
import { clearKeys } from "./saved-keys";
import { memoryBackend } from "./memory-keychain";
import { ASC_API_URL_ENV, SERVICE_ENV, useTestBackend } from "./settings";

export { HAS_KEYRING, ISSUER_ID, ISSUER_SUFFIX, type Answer };

/** The Apple answers a registration or a check can meet, and the stand-in behaviour that produces each. */
export const ANSWER_OF = {
  valid: "ok",
  "role-limited": "role-limited",
  "agreement-required": "agreement",
  rejected: "revoked",
  "rate-limited": "rate-limited",
  "server-error": "server-error",
} as const satisfies Record<string, Answer>;

export interface WorldKey extends TestKey {
  keyId: string;
  kind: "team" | "individual";
  issuerId?: string;
}

export interface KeyOptions {
  kind?: "team" | "individual";
  /** How the stand-in answers for this key (default "ok"); `false`: Apple does not know the key at all. */
  answer?: Answer | false;
  keyId?: string;
  /** Reuse this key material (e.g. to register the same key again). */
  from?: TestKey;
}

export interface P8Options {
  /** File name (default `AuthKey_<Key ID>.p8`, or `AuthKey_X.p8` for bare text). */
  name?: string;
  /** Put it in ~/Downloads of the test HOME instead of a fresh folder. */
  downloads?: boolean;
  /** Modification time, e.g. to decide which download is newest. */
  mtime?: Date;
}

export interface TestWorld {
  readonly apple: AppleStandIn;
  /** The throwaway Keychain service of this file (never `LingCode`). */
  readonly service: string;
  /** The test HOME (os.homedir() follows $HOME). */
  readonly home: string;
  /** `<home>/Downloads`, emptied before each test. */
  readonly downloads: string;
  /** A fresh folder for this test's files. */
  dir(): Promise<string>;
  key(options?: KeyOptions): WorldKey;
  /** Writes a key's PEM (or any text) as a .p8 file; returns its path. */
  writeP8(key: WorldKey | TestKey | string, options?: P8Options): Promise<string>;
  /** Writes any bytes as a file (name as given) in a fresh folder. */
  writeFile(name: string, contents: string | Buffer): Promise<string>;
  /** Saves the key in the Keychain directly, as an earlier registration would have. */
  seed(key: WorldKey, overrides?: Partial<KeyRecord>): Promise<KeyRecord>;
  saved(): Promise<KeyRecord | undefined>;
  /** Fails on any fragment of a PEM made in this file or the full Issuer ID in `value` (a tool's answer, say). */
  expectClean(value: unknown): void;
  /** Points the Apple client at a closed port for the rest of the test (offline). */
  goOffline(): Promise<void>;
  /**
   * Puts a fake `secret-tool` first on PATH for the rest of the test: `script` is its shell body, e.g.
   * `echo "Cannot get secret of a locked object" >&2; exit 1`. `$REAL` names the real secret-tool.
   */
  fakeSecretTool(script: string): Promise<void>;
  /** PATH without any secret-tool for the rest of the test. */
  hideSecretTool(): Promise<void>;
  /** Undo fakeSecretTool/hideSecretTool within a test. */
  restorePath(): void;
  /** Every PEM made so far (no output may carry any fragment of one). */
  readonly pems: string[];
  /**
   * This test uses the private Secret Service (emptied) instead of the in-memory Keychain: call it first, before
   * anything is saved. For a test about the keyring itself.
   */
  realKeyring(): Promise<void>;
  /** The Keychain this test's extension reaches (in memory, or the private Secret Service): to plant raw items. */
  backend(): SecretBackend;
  /** Whether this test called realKeyring. */
  readonly usesRealKeyring: boolean;
}

const REAL_SECRET_TOOL = (() => {
  const found = spawnSync("sh", ["-c", "command -v secret-tool"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : "secret-tool";
})();

type WorldEnv = "HOME" | "PATH" | typeof SERVICE_ENV | typeof ASC_API_URL_ENV;

/**
 * Sets up the world for one test file: call it once, at the top level or at the top of a describe. `name` makes the
 * file's Keychain service `LingCode-test-<name>-<pid>`, set from here to the end of the file.
 */
export function testWorld(name: string): TestWorld {
  const service = `LingCode-test-${name}-${process.pid}`;
  const envBefore = Object.fromEntries(
    (["HOME", "PATH", SERVICE_ENV, ASC_API_URL_ENV] as const).map((variable) => [variable, process.env[variable]]),
  ) as Record<WorldEnv, string | undefined>;
  // Set now, not in beforeAll: a test file may name the service while it is collected.
  process.env[SERVICE_ENV] = service;
  const pems: string[] = [];
  /** Whether this test uses the private Secret Service (realKeyring) rather than the in-memory Keychain. */
  let real = false;
  /** Whether any test of the file did (the private Secret Service is emptied after the file only then). */
  let usedReal = false;
  /** This test's in-memory Keychain; undefined after realKeyring. */
  let current: SecretBackend | undefined;
  const needsRealKeyring = (what: string) => {
    if (!real) throw new Error(`${what} acts on the real secret-tool: call world.realKeyring() first in this test.`);
  };
  let root = "";
  let home = "";
  let folders = 0;
  let apple: AppleStandIn | undefined;

  const setEnv = (variable: WorldEnv, value: string | undefined) => {
    if (value === undefined) delete process.env[variable];
    else process.env[variable] = value;
  };

  const world: TestWorld = {
    get apple() {
      if (!apple) throw new Error("The Apple stand-in starts in beforeAll.");
      return apple;
    },
    service,
    get home() {
      return home;
    },
    get downloads() {
      return path.join(home, "Downloads");
    },
    pems,

    async dir() {
      folders += 1;
      const folder = path.join(root, "files", String(folders));
      await fs.mkdir(folder, { recursive: true });
      return folder;
    },

    key(options = {}) {
      const material = options.from ?? makeKey();
      if (!pems.includes(material.pem)) pems.push(material.pem);
      const kind = options.kind ?? "team";
      const key: WorldKey = {
        ...material,
        keyId: options.keyId ?? makeKeyId(),
        kind,
        issuerId: kind === "team" ? ISSUER_ID : undefined,
      };
      if (options.answer !== false) {
        world.apple.register(
          { keyId: key.keyId, kind, issuerId: key.issuerId, publicKey: key.publicKey },
          options.answer ?? "ok",
        );
      }
      return key;
    },

    async writeP8(key, options = {}) {
      const text = typeof key === "string" ? key : key.pem;
      const name = options.name ?? `AuthKey_${typeof key !== "string" && "keyId" in key ? key.keyId : "X"}.p8`;
      const folder = options.downloads ? world.downloads : await world.dir();
      const file = path.join(folder, name);
      await fs.writeFile(file, text);
      if (options.mtime) await fs.utimes(file, options.mtime, options.mtime);
      return file;
    },

    async writeFile(name, contents) {
      const file = path.join(await world.dir(), name);
      await fs.writeFile(file, contents);
      return file;
    },

    async seed(key, overrides = {}) {
      const record = makeRecord(
        { kind: key.kind, keyId: key.keyId, issuerId: key.issuerId, savedAt: new Date().toISOString(), ...overrides },
        key,
      );
      await keyStore().write(record);
      return record;
    },

    saved: () => keyStore().read(),

    expectClean(value) {
      expectNoSecret({ pems: [...new Set([...pems, ...madePems])], issuerIds: watchedIssuerIds() }, value);
    },

    async goOffline() {
      process.env[ASC_API_URL_ENV] = await closedPortUrl();
    },

    async fakeSecretTool(script) {
      needsRealKeyring("fakeSecretTool");
      const bin = await world.dir();
      const file = path.join(bin, "secret-tool");
      await fs.writeFile(file, `#!/bin/sh\nREAL='${REAL_SECRET_TOOL}'\n${script}\n`, { mode: 0o755 });
      process.env.PATH = `${bin}${path.delimiter}${envBefore.PATH ?? ""}`;
    },

    async hideSecretTool() {
      needsRealKeyring("hideSecretTool");
      // An empty folder as the whole PATH: no secret-tool anywhere.
      process.env.PATH = await world.dir();
    },

    restorePath() {
      setEnv("PATH", envBefore.PATH);
    },

    backend() {
      return current ?? createSecretToolBackend();
    },

    get usesRealKeyring() {
      return real;
    },

    async realKeyring() {
      if (!HAS_KEYRING) throw new Error("This test needs the private Secret Service: run it with npm test.");
      real = true;
      usedReal = true;
      current = undefined;
      useTestBackend(undefined);
      await clearKeys(keyStore());
    },
  };

  beforeAll(async () => {
    checkLeakDetector();
    process.env[SERVICE_ENV] = service;
    expect(keyStore().service).toBe(service);
    expect(keyStore().service).not.toBe(DEFAULT_SERVICE);
    root = await fs.mkdtemp(path.join(os.tmpdir(), `lingcode-${name}-`));
    home = path.join(root, "home");
    await fs.mkdir(path.join(home, "Downloads"), { recursive: true });
    process.env.HOME = home;
    apple = await startAppleStandIn();
  });

  beforeEach(async () => {
    real = false;
    current = memoryBackend({ listing: true });
    useTestBackend(current);
    world.restorePath();
    process.env.HOME = home;
    process.env[ASC_API_URL_ENV] = world.apple.url;
    world.apple.requests.length = 0;
    clearTokenCache();
    await fs.rm(world.downloads, { recursive: true, force: true });
    await fs.mkdir(world.downloads);
  });

  afterEach(() => {
    world.restorePath();
    expectNothingSecret(pems);
  });

  afterAll(async () => {
    useTestBackend(undefined);
    world.restorePath();
    if (usedReal) await clearKeys(keyStore());
    await apple?.close();
    for (const variable of Object.keys(envBefore) as WorldEnv[]) setEnv(variable, envBefore[variable]);
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  return world;
}

/**
 * Everything a user or another process could read that Raycast was handed, labelled by where it went: toasts (every
 * state), HUDs, LocalStorage, Cache, command metadata, alerts, launches, every text a view rendered (Detail markdown,
 * metadata, list items' titles, subtitles and accessories, form errors and info...), every clipboard copy and paste,
 * and every AI tool's answer (and its confirmation's, and the message of what it threw).
 */
export function shownTexts(): [where: string, text: string][] {
  const texts: [string, string][] = [];
  for (const entry of raycast.rendered) {
    const [where, text] = entry.split("\u0000", 2);
    texts.push([`rendered ${where}`, text]);
  }
  for (const [i, copy] of raycast.clipboard.entries()) {
    texts.push([`clipboard ${copy.pasted ? "paste" : "copy"} ${i}${copy.concealed ? " (concealed)" : ""}`, copy.text]);
  }
  for (const { tool, answer } of raycast.toolAnswers) {
    texts.push([`AI tool ${tool}`, typeof answer === "string" ? answer : (JSON.stringify(answer) ?? "")]);
  }
  for (const [i, toast] of raycast.toasts.entries()) {
    for (const state of toast.history) texts.push([`toast ${i}`, JSON.stringify(state)]);
  }
  for (const hud of raycast.huds) texts.push(["HUD", hud]);
  for (const [name, value] of Object.entries(raycast.localStorage)) texts.push([`LocalStorage ${name}`, String(value)]);
  for (const [namespace, entries] of doubleStore.cache) {
    for (const [name, value] of entries) texts.push([`Cache ${namespace}/${name}`, value]);
  }
  for (const metadata of raycast.metadata) texts.push(["metadata", JSON.stringify(metadata)]);
  for (const alert of raycast.alerts) texts.push(["alert", JSON.stringify(alert)]);
  for (const launch of raycast.launches) texts.push(["launchCommand", JSON.stringify(launch)]);
  return texts;
}

/**
 * No piece of any key made in this file (in any encoding, leaks.ts) and no more than the last three characters of a
 * watched Issuer ID in anything Raycast shows or keeps (shownTexts); and a token copied only concealed, so that it
 * stays out of clipboard history.
 */
export function expectNothingSecret(pems: readonly string[], extra: [string, string][] = []): void {
  expectNoSecretIn({ pems: [...new Set([...pems, ...madePems])], issuerIds: watchedIssuerIds() }, [
    ...shownTexts(),
    ...extra,
  ]);
  for (const copy of raycast.clipboard) {
    if (!copy.pasted && looksLikeJwt(copy.text))
      expect(copy.concealed, "a token copied without concealed: true").toBe(true);
  }
}

/** A compact JWS whose header names an algorithm: what a token copy is. */
function looksLikeJwt(text: string): boolean {
  const parts = text.trim().split(".");
  if (parts.length !== 3 || !parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))) return false;
  try {
    return typeof JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")).alg === "string";
  } catch {
    return false;
  }
}

/** A toast's titles as the user saw them change (repeats of the same title collapsed). */
export function toastTitles(toast: ToastRecord | undefined): string[] {
  const titles: string[] = [];
  for (const state of toast?.history ?? []) if (titles[titles.length - 1] !== state.title) titles.push(state.title);
  return titles;
}

/** A key as fastlane's API key JSON holds it (what `asc-key export --format fastlane-json` writes). */
export function fastlaneJsonOf(key: WorldKey): string {
  return fastlaneApiKeyJson({
    version: 1,
    kind: key.kind,
    issuerId: key.issuerId,
    keyId: key.keyId,
    privateKey: key.pem,
    savedAt: "",
  });
}

/** A JWT's header and claims, without checking anything. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token
    .split(".")
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  return { header, claims };
}
