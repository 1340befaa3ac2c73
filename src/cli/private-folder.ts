/**
 * The private folders `exec` and `notary-profile` hold the key in, and what a hard kill leaves of them.
 *
 * A folder's name says whose it is: `asc-key-<pid>-<start>-XXXXXX` under the temporary folder, where <start> tells
 * that process from a later one given the same pid:
 *   - on Linux `p<ticks>`: the process's start time in clock ticks after boot, field 22 of /proc/<pid>/stat, compared
 *     exactly (a process that reuses the pid starts later);
 *   - elsewhere (macOS) `t<seconds>`: when the process started (Node's performance.timeOrigin), compared with
 *     `ps -o lstart= -p <pid>` within START_SLACK_S (ps gives whole seconds, and node starts a moment after exec).
 * No native code and no lock file: the name is written once, by mkdtemp, before any key is.
 *
 * The owner removes its folder on every way out it can catch (src/cli/key-child.ts). After SIGKILL or a power cut,
 * the next command that makes a folder removes every folder whose owner is gone (sweepLeftovers), and
 * `asc-key doctor` reports them. A folder whose owner cannot be told (a name from an older release, or `ps` not
 * answering) is never removed by the sweep: it may belong to a command still running. Pids are those of this
 * process's pid namespace: a temporary folder shared with a container that runs asc-key too is not supported.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, promises as fs } from "node:fs";
import path from "node:path";
import type { HealthLine } from "../lib/health";

const PREFIX = "asc-key-";
/** mkdtemp's six random characters end every name. */
const OURS = /^asc-key-(\d{1,10})-([pt])(\d{1,20})-[A-Za-z0-9]{6}$/;
/** What older releases named the folder (mkdtemp's "asc-key-" alone): whose it was is not known. */
const OLDER = /^asc-key-[A-Za-z0-9]{6}$/;
const START_SLACK_S = 3;

/** A private folder whose owner is not running, or cannot be told. */
interface Leftover {
  folder: string;
  /** "gone": the process that made it has ended (killed); "unknown": the name does not say whose it is. */
  owner: "gone" | "unknown";
}

/** Makes this process's private folder (mode 0700) under `tmpDir`, named after this process. */
export async function makePrivateFolder(tmpDir: string): Promise<string> {
  const folder = await fs.mkdtemp(path.join(tmpDir, `${PREFIX}${process.pid}-${ownStart()}-`));
  // mkdtemp makes it 0700 already; say so explicitly rather than trust every platform's default.
  await fs.chmod(folder, 0o700);
  return folder;
}

/** The private folders in `tmpDir` that belong to no running command (ours only: another user's are not listed). */
export async function findLeftovers(tmpDir: string): Promise<Leftover[]> {
  let names: string[];
  try {
    names = await fs.readdir(tmpDir);
  } catch {
    return [];
  }
  const found: Leftover[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const ours = OURS.exec(name);
    if (!ours && !OLDER.test(name)) continue;
    const folder = path.join(tmpDir, name);
    try {
      const stat = await fs.lstat(folder);
      if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) continue;
    } catch {
      continue; // removed meanwhile
    }
    if (!ours) found.push({ folder, owner: "unknown" });
    else if (ownerGone(Number(ours[1]), ours[2] as "p" | "t", ours[3])) found.push({ folder, owner: "gone" });
  }
  return found;
}

/** Removes the folders left by commands that were killed; returns how many. Never throws: it is a courtesy. */
export async function sweepLeftovers(tmpDir: string): Promise<number> {
  let removed = 0;
  try {
    for (const leftover of await findLeftovers(tmpDir)) {
      if (leftover.owner !== "gone") continue;
      try {
        await fs.rm(leftover.folder, { recursive: true, force: true });
        removed++;
      } catch {
        // Another sweep got there first, or it is not ours to remove: doctor reports what stays.
      }
    }
  } catch {
    // Nothing to sweep is never a reason for the command to fail.
  }
  return removed;
}

/** This process's <start>: see the top of this file. */
function ownStart(): string {
  const ticks = linuxStartTicks(process.pid);
  return ticks !== undefined ? `p${ticks}` : `t${Math.floor(performance.timeOrigin / 1000)}`;
}

/** Whether the process that named a folder has ended; false whenever that cannot be told for sure. */
function ownerGone(pid: number, kind: "p" | "t", start: string): boolean {
  if (pid === process.pid) return false; // this process: its own folder, or its pid's earlier owner's (impossible)
  if (!isRunning(pid)) return true;
  if (kind === "p") {
    const ticks = linuxStartTicks(pid);
    // A running pid with other ticks is a later process; without /proc (not Linux) it cannot be told.
    return ticks !== undefined && ticks !== start;
  }
  const started = psStartSeconds(pid);
  return started !== undefined && Math.abs(started - Number(start)) > START_SLACK_S;
}

/** Whether a process with this pid exists and is not a zombie (a killed process not yet reaped by its parent). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  const state = procStat(pid)?.state;
  return state !== "Z" && state !== "X";
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), or undefined without /proc. */
function linuxStartTicks(pid: number): string | undefined {
  return procStat(pid)?.startTicks;
}

function procStat(pid: number): { state: string; startTicks: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTicks = fields[19];
  return state && startTicks && /^\d+$/.test(startTicks) ? { state, startTicks } : undefined;
}

/** When a process started, in seconds since 1970, as `ps -o lstart=` says (C locale); undefined if it cannot say. */
function psStartSeconds(pid: number): number | undefined {
  try {
    const text = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], {
      encoding: "utf8",
      // The C locale for English day and month names; TZ as node has it, so Date.parse reads the same local time.
      env: { PATH: "/bin:/usr/bin", LC_ALL: "C", ...(process.env.TZ === undefined ? {} : { TZ: process.env.TZ }) },
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5_000,
    }).trim();
    // "Mon Dec  7 13:00:03 2026", local time.
    const ms = Date.parse(text.replace(/\s+/g, " "));
    return Number.isFinite(ms) ? ms / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `asc-key doctor`'s line for the folders left behind, or undefined when there are none (the line shows only then).
 * doctor only reports: removing is the sweep's job, and the fix says how to do it now.
 */
export function leftoverFoldersLine(leftovers: readonly Leftover[]): HealthLine | undefined {
  if (leftovers.length === 0) return undefined;
  const one = leftovers.length === 1;
  const list = leftovers.map((leftover) => leftover.folder).join(", ");
  const quoted = leftovers.map((leftover) => `'${leftover.folder.replace(/'/g, "'\\''")}'`).join(" ");
  const unknown = leftovers.some((leftover) => leftover.owner === "unknown");
  return {
    check: "private-folders",
    level: "warn",
    text:
      `${one ? "A private folder" : `${leftovers.length} private folders`} of asc-key exec or notary-profile ` +
      `outlived ${one ? "its" : "their"} command (killed, or the machine stopped) and ${one ? "holds" : "hold"} ` +
      `the decrypted key: ${list}.`,
    fix: unknown
      ? `once no asc-key exec or notary-profile is running, remove ${one ? "it" : "them"}: rm -rf ${quoted}`
      : `remove ${one ? "it" : "them"}: rm -rf ${quoted} (the next exec or notary-profile removes ${one ? "it" : "them"} too)`,
  };
}
