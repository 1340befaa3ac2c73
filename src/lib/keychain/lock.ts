import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { AscKeyError } from "../errors";

/**
 * One change to the saved keys at a time, among every process of ours (the Raycast extension, the asc-key CLI, the
 * AI tools; several of each may run at once).
 *
 * Why a lock: neither the macOS Keychain (`security`) nor the Secret Service (`secret-tool`, D-Bus) offers a
 * compare-and-swap on an item, so two processes that each read an index page, change it and write it back lose one
 * change (the second write wins, and each read-back sees its own write). Here the lock is a file created with
 * O_EXCL (`wx`), which is atomic on every local file system of macOS and Linux: of two processes creating it at
 * once, exactly one succeeds. The holder writes its process id and a random token in it; a waiter whose holder no
 * longer exists (killed, crashed, power lost) removes it and tries again, so a kill at any moment leaves nothing
 * that blocks for good. Nothing secret is ever written to it.
 *
 * LingCode itself knows no lock of ours, and needs none: it reads and writes only its own entry (service `LingCode`,
 * account `asc-api-key`), never the saved keys. Every change of ours saves the key LingCode's entry held (from the
 * read taken under the lock) before replacing it, and a key LingCode wrote after that read is listed from its entry
 * and saved by the next change. And whatever the index loses anyway (a page damaged from outside, a crash between
 * two writes), the listing rebuilds from the items, which are the truth (src/lib/keychain/saved.ts).
 *
 * The lock is re-entrant within one asynchronous flow (an operation that holds it may call a step that takes it
 * again), and not across two flows in one process: two operations the extension runs at once wait for each other.
 */
interface SavedKeysLock {
  /** Runs `fn` holding the lock; `fresh` tells it whether it took the lock itself (false: an outer call holds it). */
  run<T>(fn: (fresh: boolean) => Promise<T>): Promise<T>;
}

/** How long a waiter waits for a holder that is alive: a holder may be waiting for an unlock dialog (60 s). */
const LOCK_WAIT_MS = 75_000;
/** A lock file still empty after this long was left by a process killed between creating and writing it. */
const EMPTY_STALE_MS = 5_000;
/** A lock older than this is stale whoever holds it (a process id reused after a crash must not block for good). */
const MAX_AGE_MS = 10 * 60_000;

export function createLock(file: string, waitMs = LOCK_WAIT_MS): SavedKeysLock {
  const held = new AsyncLocalStorage<boolean>();

  const acquire = async (): Promise<string> => {
    const token = `${process.pid} ${randomBytes(12).toString("hex")}\n`;
    const deadline = Date.now() + waitMs;
    let holder: number | undefined;
    for (let attempt = 0; ; attempt += 1) {
      try {
        // The folder (userLockDir, src/lib/keychain/store.ts) is made on first use, readable by this user alone.
        if (attempt === 0) await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        const handle = await fs.open(file, "wx", 0o600);
        try {
          await handle.writeFile(token, "utf8");
        } finally {
          await handle.close();
        }
        return token;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw lockError(error);
      }
      holder = await staleOrHolder(file);
      if (holder === undefined) continue; // removed a stale lock: try again at once
      if (Date.now() > deadline) {
        throw new AscKeyError(
          "keychain-timeout",
          `Another change to the saved keys (process ${holder}) has not finished; nothing was changed. Try again when it ends.`,
        );
      }
      await sleep(Math.min(200, 10 + attempt * 5) + Math.random() * 15);
    }
  };

  const release = async (token: string) => {
    // Only our own lock goes: one taken over as stale (after MAX_AGE_MS) belongs to someone else now.
    const text = await fs.readFile(file, "utf8").catch(() => undefined);
    if (text === token) await fs.unlink(file).catch(() => undefined);
  };

  return {
    async run(fn) {
      if (held.getStore()) return fn(false);
      const token = await acquire();
      try {
        return await held.run(true, () => fn(true));
      } finally {
        await release(token);
      }
    },
  };
}

/**
 * The process id of a live holder, or undefined after removing a stale lock (or finding it gone). A stale lock is
 * renamed away first (atomic: of two waiters, one renames it); if what was renamed turns out to be a live holder's
 * newer lock, it is linked back (refused if a third process already made another).
 */
async function staleOrHolder(file: string): Promise<number | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    const stat = await fs.stat(file);
    mtimeMs = stat.mtimeMs;
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined; // gone meanwhile
  }
  const pid = Number(/^(\d{1,10}) /.exec(text)?.[1]);
  const age = Date.now() - mtimeMs;
  const stale = Number.isInteger(pid) && pid > 0 ? !alive(pid) || age > MAX_AGE_MS : age > EMPTY_STALE_MS;
  if (!stale) return Number.isInteger(pid) && pid > 0 ? pid : 0;
  const away = `${file}.stale-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await fs.rename(file, away);
  } catch {
    return undefined; // another waiter took it away first
  }
  const taken = await fs.readFile(away, "utf8").catch(() => "");
  if (taken !== text) await fs.link(away, file).catch(() => undefined);
  await fs.unlink(away).catch(() => undefined);
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockError(error: unknown): AscKeyError {
  const code = (error as NodeJS.ErrnoException).code;
  return new AscKeyError(
    "keychain-failed",
    `Could not take the lock that keeps changes to the saved keys apart (${typeof code === "string" && /^E[A-Z]+$/.test(code) ? code : "unknown error"}); nothing was changed.`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
