/**
 * The saved keys' lock: one holder at a time, a lock left by a process that is gone taken over, a live holder waited
 * for and then a one-line refusal, re-entrant within one flow.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AscKeyError } from "../../../src/lib/errors";
import { settingsFromEnv } from "../../../src/cli/settings";
import { createKeyStore, userLockDir } from "../../../src/lib/keychain";
import { createLock } from "../../../src/lib/keychain/lock";
import { LINGCODE_SETTINGS } from "../../../src/lib/settings";
import { memoryBackend } from "../../support/memory-keychain";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "lingcode-lock-"));
  file = path.join(dir, "saved.lock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("the saved keys' lock", () => {
  it("lets one flow in at a time: the second waits for the first", async () => {
    const lock = createLock(file);
    const order: string[] = [];
    const slow = (name: string) =>
      lock.run(async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`${name} out`);
      });
    // Whichever flow takes the lock first, the other one comes in only after it went out.
    await Promise.all([slow("a"), slow("b")]);
    const first = order[0].split(" ")[0];
    const second = first === "a" ? "b" : "a";
    expect(order).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect(existsSync(file)).toBe(false);
  });

  it("is re-entrant within one flow (the inner call did not take it)", async () => {
    const lock = createLock(file);
    const fresh = await lock.run(async (outer) => [outer, await lock.run(async (inner) => inner)]);
    expect(fresh).toEqual([true, false]);
  });

  it("takes over a lock whose process is gone (killed while holding it), and leaves it when done", async () => {
    writeFileSync(file, `${deadPid()} 0123456789abcdef\n`);
    const lock = createLock(file, 2_000);
    await lock.run(async () => {
      expect(readFileSync(file, "utf8")).toMatch(new RegExp(`^${process.pid} `));
    });
    expect(existsSync(file)).toBe(false);
  });

  it("waits for a live holder, then refuses in one line and runs nothing", async () => {
    writeFileSync(file, `${process.ppid} 0123456789abcdef\n`);
    const lock = createLock(file, 300);
    let ran = false;
    const error = await lock
      .run(async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AscKeyError);
    expect((error as AscKeyError).message).toBe(
      `Another change to the saved keys (process ${process.ppid}) has not finished; nothing was changed. Try again when it ends.`,
    );
    expect(ran).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(`${process.ppid} 0123456789abcdef\n`);
  });
});

describe("where the saved keys' lock lives", () => {
  it("a per-user folder the platform defines, from the home folder: never the temporary folder", () => {
    expect(userLockDir("darwin", "/Users/u")).toBe("/Users/u/Library/Caches/LingCode");
    expect(userLockDir("linux", "/home/u")).toBe("/home/u/.cache/lingcode");
    expect(userLockDir()).toBe(userLockDir(process.platform, homedir()));
    expect(userLockDir().startsWith(tmpdir())).toBe(false);
  });

  it("the extension and asc-key find the same folder whatever TMPDIR says; a test's own folder when given", () => {
    expect(LINGCODE_SETTINGS.lockDir).toBe(userLockDir());
    expect(settingsFromEnv({ TMPDIR: "/tmp/a" }).lockDir).toBe(userLockDir());
    expect(settingsFromEnv({ TMPDIR: "/tmp/b" }).lockDir).toBe(userLockDir());
    expect(settingsFromEnv({ LINGCODE_LOCK_DIR: dir }).lockDir).toBe(dir);
  });

  it("the folder is made on first use, readable by the user alone, and the store's lock is in it", async () => {
    const lockDir = path.join(dir, "Caches", "LingCode");
    const placed = createKeyStore({ service: "LingCode-test-lock-dir", backend: memoryBackend(), lockDir });
    let inside: string[] = [];
    await placed.saved.locked(async () => {
      inside = readdirSync(lockDir);
    });
    expect(inside).toHaveLength(1);
    expect(inside[0]).toMatch(/^lingcode-saved-keys-\d+-[0-9a-f]{16}\.lock$/);
    expect(statSync(lockDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(lockDir)).toEqual([]);
  });
});
