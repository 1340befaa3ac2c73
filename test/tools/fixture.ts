/**
 * What the AI tool tests share: a throwaway Keychain service in the private Secret Service `npm test` starts,
 * the Apple stand-in behind LINGCODE_ASC_API_URL, key files in a temp folder, and a detector for key material
 * and the full Issuer ID in anything a tool returns.
 *
 *   const t = toolFixture("save");      // at the top of a describe.skipIf(!KEYRING)
 *   const a = t.appleKey();             // a fresh key Apple knows (answer "ok" unless told otherwise)
 *   await t.saveDirectly(a);            // already registered, as the form or the CLI would leave it
 *   t.expectClean(await tool(input));   // no PEM fragment, no full Issuer ID
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { keyStore } from "../../src/helpers/core";
import { ASC_API_URL_ENV, SERVICE_ENV } from "../support/settings";
import { DEFAULT_SERVICE } from "../../src/lib/keychain";
import type { KeyRecord } from "../../src/lib/record";
import { clearTokenCache } from "../../src/lib/token";
import { type AppleStandIn, type Answer, startAppleStandIn } from "../support/apple-stand-in";
import { makeKey, makeKeyId, makeRecord, type TestKey } from "../support/keys";
import { closedPortUrl } from "../support/network";
import { clearKeys } from "../support/saved-keys";

/** The private Secret Service of `npm test` (Linux); without it these tests are skipped, never run on a real one. */
export const KEYRING = process.env.LINGCODE_TEST_KEYRING === "1" && process.platform === "linux";

/**
 * The team's Issuer ID in these tests. Not test/support's ISSUER_ID: that one is also the key model's printed
 * example (EXAMPLE_ISSUER_ID), which a refusal may rightly quote.
 */
export const ISSUER_ID = "3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c";
export const ISSUER_SUFFIX = "b6c";

export interface AppleKey extends TestKey {
  keyId: string;
  kind: "team" | "individual";
}

export interface ToolFixture {
  readonly apple: AppleStandIn;
  readonly dir: string;
  readonly service: string;
  /** A fresh key with a unique Key ID, registered with the stand-in under `answer`. */
  appleKey(answer?: Answer, kind?: "team" | "individual"): AppleKey;
  /** Writes a .p8 file (default `AuthKey_<Key ID>.p8`) in a folder of its own; returns its path. */
  keyFile(contents: AppleKey | string, name?: string): Promise<string>;
  /** Saves a key in the test service directly, as an earlier registration would have. */
  saveDirectly(key: AppleKey, overrides?: Partial<KeyRecord>): Promise<KeyRecord>;
  /** What the test service holds now. */
  saved(): Promise<KeyRecord | undefined>;
  /** Fails on any fragment of a PEM made in this file, a PEM body, or the full Issuer ID. */
  expectClean(value: unknown): void;
  /** A URL where nothing listens. */
  closedPortUrl(): Promise<string>;
}

/** Registers the hooks and returns the helpers; call it once per file, at the top of the describe. */
export function toolFixture(name: string): ToolFixture {
  const service = `LingCode-test-tools-${name}-${process.pid}`;
  const pems: string[] = [];
  const saved: { service?: string; url?: string } = {};
  let apple: AppleStandIn | undefined;
  let dir: string | undefined;
  let files = 0;

  beforeAll(async () => {
    saved.service = process.env[SERVICE_ENV];
    saved.url = process.env[ASC_API_URL_ENV];
    process.env[SERVICE_ENV] = service;
    expect(keyStore().service).toBe(service);
    expect(keyStore().service).not.toBe(DEFAULT_SERVICE);
    apple = await startAppleStandIn();
    process.env[ASC_API_URL_ENV] = apple.url;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), `lingcode-tools-${name}-`));
  });

  afterAll(async () => {
    if (process.env[SERVICE_ENV] === service) await clearKeys(keyStore());
    restore(SERVICE_ENV, saved.service);
    restore(ASC_API_URL_ENV, saved.url);
    await apple?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    apple!.requests.length = 0;
    clearTokenCache();
  });

  afterEach(async () => {
    await clearKeys(keyStore());
  });

  const fragments = (): string[] => {
    const out: string[] = [];
    for (const pem of pems) {
      const lines = pem.split("\n").filter((line) => line && !line.startsWith("-----"));
      const body = lines.join("");
      out.push(body, ...lines.filter((line) => line.length >= 16));
      for (let i = 0; i + 16 <= body.length; i += 8) out.push(body.slice(i, i + 16));
    }
    return out;
  };

  const fixture: ToolFixture = {
    get apple() {
      return apple!;
    },
    get dir() {
      return dir!;
    },
    service,
    appleKey(answer = "ok", kind = "team") {
      const made = makeKey();
      pems.push(made.pem);
      const keyId = makeKeyId();
      apple!.register(
        { keyId, kind, issuerId: kind === "team" ? ISSUER_ID : undefined, publicKey: made.publicKey },
        answer,
      );
      return { ...made, keyId, kind };
    },
    async keyFile(contents, fileName) {
      files += 1;
      const folder = path.join(dir!, String(files));
      await fs.mkdir(folder);
      const text = typeof contents === "string" ? contents : contents.pem;
      const file = path.join(
        folder,
        fileName ?? (typeof contents === "string" ? "AuthKey_X.p8" : `AuthKey_${contents.keyId}.p8`),
      );
      await fs.writeFile(file, text);
      return file;
    },
    async saveDirectly(key, overrides = {}) {
      const issuerId = key.kind === "team" ? ISSUER_ID : undefined;
      const record = makeRecord({ kind: key.kind, keyId: key.keyId, issuerId, ...overrides }, key);
      await keyStore().write(record);
      return record;
    },
    saved() {
      return keyStore().read();
    },
    expectClean(value) {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      expect(text).not.toMatch(/PRIVATE KEY-----\s*[A-Za-z0-9+/]{8}/);
      expect(text.toLowerCase()).not.toContain(ISSUER_ID);
      expect(text.toLowerCase()).not.toContain(ISSUER_ID.replace(/-/g, ""));
      for (const fragment of fragments()) expect(text).not.toContain(fragment);
    },
    closedPortUrl,
  };
  return fixture;
}

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The key model's own reason for refusing something: what a tool must pass on, word for word. */
export async function reasonOf(refuse: () => unknown): Promise<string> {
  try {
    await refuse();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the key model to refuse");
}

export { type Answer };
