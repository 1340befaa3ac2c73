/**
 * A registration killed at any moment leaves the old key or the new one, never an empty or damaged entry: the
 * bundled asc-key (dist-cli/asc-key.js) is killed while it saves, against the private Secret Service `npm test`
 * starts, and after each kill the entry is read the way `asc-key status` reads it.
 *
 * The dangerous moment is right after asc-key has started the Keychain tool and before it has written the record
 * to the tool's stdin. To hit it on purpose, asc-key is stopped (SIGSTOP) as soon as any child of it appears; that
 * child is looked at once it has started its program: if it is the store, asc-key is killed while still stopped
 * (so it never writes), else it is let go on (SIGCONT). Other trials kill it after a random delay.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, createKeyStore } from "../../src/lib/keychain";
import { clearDirectly, HAS_KEYRING, testService } from "../support/keyring";
import { ISSUER_ID, makeKey, makeKeyId } from "../support/keys";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
/**
 * Trials at the moment the Keychain tool starts (half SIGKILL, half SIGTERM), and at random moments: enough that the
 * watcher catches the store in most and some random kill lands before the end (both asserted), within the suite's
 * time budget.
 */
const AT_STORE_TRIALS = 14;
const RANDOM_TRIALS = 15;
/** Services worked on side by side, each with its own pair of keys. */
const LANES = 3;

let tmp: string;
const services: string[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-crash-"));
}, 60_000);

afterAll(() => {
  for (const service of services) clearDirectly(service, ACCOUNT);
  rmSync(tmp, { recursive: true, force: true });
});

interface Lane {
  service: string;
  /** The two Key IDs registered in turn, and the `register` arguments for each. */
  keyIds: [string, string];
  args: [string[], string[]];
}

function makeLane(index: number): Lane {
  const service = testService(`crash${index}`);
  services.push(service);
  const keyIds: [string, string] = [makeKeyId(), makeKeyId()];
  const args = keyIds.map((keyId) => {
    const file = path.join(tmp, `AuthKey_${keyId}.p8`);
    writeFileSync(file, makeKey().pem, { mode: 0o600 });
    return ["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", file, "--skip-verify"];
  }) as [string[], string[]];
  return { service, keyIds, args };
}

function envFor(lane: Lane, marker: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  delete env.NODE_OPTIONS;
  env.LINGCODE_KEYCHAIN_SERVICE = lane.service;
  // Inherited by everything asc-key starts: how the test finds the tools it left running.
  env.LINGCODE_TEST_CRASH_TRIAL = marker;
  return env;
}

/** What the entry holds now, read as `asc-key status` reads it: a Key ID, "none", or "unreadable". */
async function savedKeyId(lane: Lane): Promise<string> {
  try {
    const record = await createKeyStore({ platform: "linux", service: lane.service }).read();
    return record?.keyId ?? "none";
  } catch {
    return "unreadable";
  }
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return undefined;
  }
}

function isLive(pid: number): boolean {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat !== undefined && !/\) [ZX] /.test(stat);
}

function childrenOf(pid: number): number[] {
  const text = readProc(`/proc/${pid}/task/${pid}/children`) ?? "";
  return text.split(/\s+/).filter(Boolean).map(Number);
}

function argvOf(pid: number): string[] | undefined {
  return readProc(`/proc/${pid}/cmdline`)?.split("\0");
}

/** Live processes started by a trial (its marker is in their environment). */
function processesOf(marker: string): number[] {
  const entry = `LINGCODE_TEST_CRASH_TRIAL=${marker}`;
  return readdirSync("/proc")
    .filter((name) => {
      if (!/^\d+$/.test(name) || !isLive(Number(name))) return false;
      return readProc(`/proc/${name}/environ`)?.split("\0").includes(entry) ?? false;
    })
    .map(Number);
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/**
 * Stops `pid` whenever it starts a child and kills it with `signal` if that child is the Keychain store (its
 * arguments hold "store": `secret-tool store ...`, or the shell that runs it). True if the store was caught.
 */
function killAtStore(pid: number, signal: NodeJS.Signals): boolean {
  const ownArgv = argvOf(pid)?.join("\0");
  const seen = new Set<number>();
  const deadline = Date.now() + 30_000;
  let started = false;
  while (Date.now() < deadline && isLive(pid)) {
    const fresh = childrenOf(pid).filter((child) => !seen.has(child));
    if (fresh.length === 0) {
      // Until its first child (a lookup, never the store) asc-key is only starting: no need to spin.
      if (!started) sleepSync(1);
      continue;
    }
    started = true;
    trySignal(pid, "SIGSTOP");
    for (const child of fresh) {
      seen.add(child);
      // Between fork and exec a child still shows its parent's arguments (and none while exec swaps them).
      let argv = argvOf(child);
      while (isLive(child) && (argv?.join("\0") === ownArgv || argv?.join("") === "") && Date.now() < deadline) {
        argv = argvOf(child);
      }
      if (argv?.includes("store")) {
        trySignal(pid, signal);
        trySignal(pid, "SIGCONT");
        return true;
      }
    }
    trySignal(pid, "SIGCONT");
  }
  return false;
}

/** The Keychain tool may outlive asc-key: let everything a run started finish (or give up) before looking. */
async function settled(marker: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (processesOf(marker).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

/** How a run ended: its exit status, or the signal that ended it. */
interface End {
  status: number | null;
  signal: NodeJS.Signals | null;
}

/** Whether a run was ended by `signal`: killed by it, or exiting as a process does on it (128 + its number). */
function endedBy(end: End, signal: NodeJS.Signals): boolean {
  return end.signal === signal || end.status === 128 + osConstants.signals[signal];
}

function run(lane: Lane, args: string[], marker = randomUUID()): { pid: number; done: Promise<End> } {
  const child = spawn(process.execPath, [BUNDLE, ...args], { env: envFor(lane, marker), stdio: "ignore" });
  return {
    pid: child.pid as number,
    done: new Promise((resolve) => child.once("close", (status, signal) => resolve({ status, signal }))),
  };
}

type Outcome = "old" | "new" | "lost";

/**
 * One killed registration of the lane's other key; waits for everything it started to end, then reads. `killed`: the
 * signal did end it (a kill sent after it had finished ends nothing).
 */
async function trial(
  lane: Lane,
  turn: number,
  signal: NodeJS.Signals,
  kill: (pid: number) => Promise<boolean> | boolean,
) {
  const before = await savedKeyId(lane);
  const next = lane.keyIds.indexOf(before) === 0 ? 1 : 0;
  const marker = randomUUID();
  const child = run(lane, lane.args[next], marker);
  const caught = await kill(child.pid);
  const killed = endedBy(await child.done, signal);
  await settled(marker);
  const after = await savedKeyId(lane);
  const outcome: Outcome = after === before ? "old" : after === lane.keyIds[next] ? "new" : "lost";
  if (outcome === "lost") {
    // Put a key back so the next trial again has an old key to lose.
    await run(lane, lane.args[next]).done;
  }
  return { turn, caught, killed, outcome, after };
}

async function seed(lane: Lane): Promise<number> {
  const started = Date.now();
  await run(lane, lane.args[0]).done;
  expect(await savedKeyId(lane)).toBe(lane.keyIds[0]);
  return Date.now() - started;
}

describe.skipIf(!HAS_KEYRING || process.platform !== "linux")("asc-key register killed while it saves", () => {
  it("killed the moment the Keychain tool starts, and at random moments: never an empty or damaged entry", async () => {
    const lanes = Array.from({ length: LANES }, (_, index) => makeLane(index));
    const durations = await Promise.all(lanes.map(seed));
    const longest = Math.max(...durations);

    // At the store: one lane at a time, as the watcher spins while it waits.
    const atStore: Awaited<ReturnType<typeof trial>>[] = [];
    for (let turn = 0; turn < AT_STORE_TRIALS; turn++) {
      const signal: NodeJS.Signals = turn % 2 === 0 ? "SIGKILL" : "SIGTERM";
      atStore.push(await trial(lanes[turn % LANES], turn, signal, (pid) => killAtStore(pid, signal)));
    }

    // At random moments between its start and the end of a whole registration: the lanes side by side.
    const random = await Promise.all(
      lanes.map(async (lane, index) => {
        const results: Awaited<ReturnType<typeof trial>>[] = [];
        for (let turn = index; turn < RANDOM_TRIALS; turn += LANES) {
          const signal: NodeJS.Signals = turn % 2 === 0 ? "SIGKILL" : "SIGTERM";
          results.push(
            await trial(lane, turn, signal, async (pid) => {
              await new Promise((resolve) => setTimeout(resolve, Math.random() * longest));
              trySignal(pid, signal);
              return false;
            }),
          );
        }
        return results;
      }),
    );

    const lost = [...atStore, ...random.flat()].filter((result) => result.outcome === "lost");
    expect(lost, JSON.stringify(lost)).toEqual([]);
    // The watcher did catch the store, and at least once before anything was saved: the moment was hit. Each store it
    // caught, its signal ended the registration; and some of the random moments fell before a registration ended.
    expect(atStore.filter((result) => result.caught).length).toBeGreaterThan(AT_STORE_TRIALS / 2);
    expect(atStore.filter((result) => result.caught && !result.killed)).toEqual([]);
    expect(atStore.some((result) => result.caught && result.outcome === "old")).toBe(true);
    expect(random.flat().filter((result) => result.killed).length).toBeGreaterThan(0);
  }, 240_000);

  it("remove racing register, the register killed at the store in every other trial: no key or a whole one", async () => {
    const lanes = Array.from({ length: LANES }, (_, index) => makeLane(index + LANES));
    await Promise.all(lanes.map(seed));
    const results: { turn: number; caught: boolean; killed: boolean; after: string }[] = [];
    for (let turn = 0; turn < 8; turn++) {
      const lane = lanes[turn % LANES];
      if ((await savedKeyId(lane)) === "none") await run(lane, lane.args[0]).done;
      const before = await savedKeyId(lane);
      const next = lane.keyIds.indexOf(before) === 0 ? 1 : 0;
      const marker = randomUUID();
      const register = run(lane, lane.args[next], marker);
      const remove = run(lane, ["remove"], marker);
      const caught = turn % 2 === 1 && killAtStore(register.pid, "SIGKILL");
      const [end] = await Promise.all([register.done, remove.done]);
      await settled(marker);
      results.push({ turn, caught, killed: endedBy(end, "SIGKILL"), after: await savedKeyId(lane) });
    }
    // The kills happened: the watcher caught the store in some of its trials, and each one it caught ended the run.
    const tried = results.filter(({ turn }) => turn % 2 === 1);
    expect(tried.filter(({ caught }) => caught).length, JSON.stringify(tried)).toBeGreaterThan(0);
    expect(tried.filter(({ caught, killed }) => caught !== killed)).toEqual([]);
    // Gone, or one of the two keys whole: never an empty or cut entry.
    const wholeOrNone = new Set(lanes.flatMap((lane) => [...lane.keyIds, "none"]));
    expect(results.filter(({ after }) => !wholeOrNone.has(after))).toEqual([]);
  }, 120_000);
});
