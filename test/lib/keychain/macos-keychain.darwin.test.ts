import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AscKeyError } from "../../../src/lib/errors";
import { ACCOUNT, createKeyStore, createSecurityBackend, DEFAULT_SERVICE, LABEL } from "../../../src/lib/keychain";
import { makeRecord } from "../../support/keys";

/**
 * The real /usr/bin/security on a Mac, against a throwaway keychain file (never the login keychain).
 * Runs on macOS only (vitest.config.mts leaves *.darwin.test.ts out elsewhere, and `npm test` says so); the
 * stand-in in macos.test.ts covers the protocol on every platform.
 */
describe("macOS Keychain through the real security tool", () => {
  const service = `${process.env.LINGCODE_KEYCHAIN_SERVICE || "LingCode-test"}-real`;
  let dir: string;
  let keychainFile: string;

  const security = (...args: string[]) => {
    const result = spawnSync("/usr/bin/security", args, { encoding: "utf8", timeout: 30_000 });
    if (result.status !== 0) throw new Error(`security ${args[0]} exited with ${result.status}`);
  };
  const store = () => createKeyStore({ platform: "darwin", service, keychainFile, timeoutMs: 30_000 });

  beforeAll(() => {
    expect(service).not.toBe(DEFAULT_SERVICE);
    dir = mkdtempSync(path.join(tmpdir(), "lingcode-keychain-"));
    keychainFile = path.join(dir, "lingcode-test.keychain-db");
    security("create-keychain", "-p", "pw", keychainFile);
    security("unlock-keychain", "-p", "pw", keychainFile);
  });

  afterAll(() => {
    if (keychainFile) spawnSync("/usr/bin/security", ["delete-keychain", keychainFile], { timeout: 30_000 });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes, reads, replaces and removes a record", async () => {
    const s = store();
    expect(await s.read()).toBeUndefined();
    expect(await s.remove()).toBe(false);
    const first = makeRecord();
    await s.write(first);
    expect(await s.read()).toEqual(first);
    const second = makeRecord({ kind: "individual" });
    await s.write(second);
    expect(await s.read()).toEqual(second);
    expect(await s.remove()).toBe(true);
    expect(await s.read()).toBeUndefined();
  });

  it("round-trips a secret the tool prints as hex", async () => {
    const backend = createSecurityBackend({ keychainFile });
    const secret = '{\n  "note": "été"\n}';
    await backend.set(service, ACCOUNT, LABEL, secret);
    expect(await backend.get(service, ACCOUNT)).toBe(secret);
    expect(await backend.delete(service, ACCOUNT)).toBe(true);
  });

  it("a corrupt entry reads as record-corrupt, and a write replaces it", async () => {
    await createSecurityBackend({ keychainFile }).set(service, ACCOUNT, LABEL, "garbage");
    const s = store();
    await expect(s.read()).rejects.toSatisfy(
      (error) => error instanceof AscKeyError && error.code === "record-corrupt",
    );
    const record = makeRecord();
    await s.write(record);
    expect(await s.read()).toEqual(record);
    await s.remove();
  });

  it("a keychain file that does not exist: the tool says no item (44), the store says the file is missing", async () => {
    const absent = path.join(dir, "absent.keychain-db");
    // The search skips a keychain it cannot open and reports errSecItemNotFound (keychain_find.c, KCCursor.cpp).
    const raw = spawnSync("/usr/bin/security", ["find-generic-password", "-s", service, "-a", ACCOUNT, "-w", absent], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect([raw.status, raw.stdout]).toEqual([44, ""]);
    const missing = createKeyStore({ platform: "darwin", service, keychainFile: absent });
    await expect(missing.read()).rejects.toSatisfy(
      (error) => error instanceof AscKeyError && error.code === "keychain-no-such-keychain",
    );
    await expect(missing.remove()).rejects.toSatisfy(
      (error) => error instanceof AscKeyError && error.code === "keychain-no-such-keychain",
    );
  });

  it("prints as Apple's source says: -g's password on stderr, a hex-only value with one trailing space", async () => {
    const backend = createSecurityBackend({ keychainFile });
    await backend.set(service, "\u00e9", LABEL, "{}");
    const g = spawnSync(
      "/usr/bin/security",
      ["find-generic-password", "-s", service, "-a", "\u00e9", "-g", keychainFile],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(g.status).toBe(0);
    expect(g.stderr).toBe('password: "{}"\n');
    expect(g.stdout).toContain('"acct"<blob>=0xC3A9 \n');
    expect(await backend.accounts!(service)).toEqual(["\u00e9"]);
    expect(await backend.delete(service, "\u00e9")).toBe(true);
  });
});
