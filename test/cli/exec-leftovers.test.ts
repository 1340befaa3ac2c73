/**
 * What a hard kill leaves of `asc-key exec`'s private folder, and who cleans it up: a real `asc-key exec` killed with
 * SIGKILL, then `doctor` (reports it) and the next `exec` (removes it). Folders of a running owner, of a later process
 * given the same pid, and of older releases (no owner in the name) are made by hand. Each case has its own TMPDIR.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT } from "../../src/lib/keychain";
import { serializeRecord, type KeyRecord } from "../../src/lib/record";
import { runNode, type Run } from "../support/cli";
import { closedPortUrl } from "../support/network";
import { clearDirectly, HAS_KEYRING, storeDirectly, testService } from "../support/keyring";
import { makeKey, makeRecord, type TestKey } from "../support/keys";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
const CHILD = path.join(ROOT, "test", "support", "exec-child.cjs");

let tmp: string;
let caseTmp: string;
let service: string;
/** Where doctor's one request to Apple goes: nowhere (Apple offline), so no test reaches the network. */
let appleUrl: string;
let key: TestKey;
let record: KeyRecord;
const spawned: ChildProcess[] = [];
const pids: number[] = [];

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS: undefined,
    LINGCODE_KEYCHAIN_SERVICE: service,
    LINGCODE_ASC_API_URL: appleUrl,
    TMPDIR: caseTmp,
  };
}

const cli = (args: string[]) => runNode([BUNDLE, ...args], { cwd: tmp, env: env() });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(file: string): Promise<string> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (existsSync(file) && readFileSync(file, "utf8") !== "") return readFileSync(file, "utf8");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} did not appear`);
}

/** Starts `asc-key exec -- <exec-child> --wait <marker>` and waits until the command runs; returns both pids. */
async function startWaitingExec(marker: string): Promise<{ ascKey: ChildProcess; commandPid: number }> {
  const ascKey = spawn(process.execPath, [BUNDLE, "exec", "--", process.execPath, CHILD, "--wait", marker], {
    cwd: tmp,
    env: env(),
    stdio: "ignore",
  });
  spawned.push(ascKey);
  const commandPid = Number(await waitFor(marker));
  pids.push(commandPid);
  return { ascKey, commandPid };
}

/** A node process that stays until killed and reports its pid and its start as asc-key would name it elsewhere. */
async function startSleeper(): Promise<{ pid: number; startSeconds: number }> {
  const out = path.join(caseTmp, "..", `sleeper-${Date.now()}-${Math.random()}`);
  const child = spawn(
    process.execPath,
    [
      "-e",
      `require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ pid: process.pid, ` +
        `startSeconds: Math.floor(performance.timeOrigin / 1000) })); setInterval(() => {}, 1000);`,
    ],
    { stdio: "ignore" },
  );
  spawned.push(child);
  return JSON.parse(await waitFor(out)) as { pid: number; startSeconds: number };
}

/** Field 22 of /proc/<pid>/stat: the start in clock ticks after boot. */
function startTicks(pid: number): string {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
}

/** A folder as a killed asc-key would leave it, with a key file inside. */
function plantFolder(name: string): string {
  const folder = path.join(caseTmp, name);
  mkdirSync(folder, { mode: 0o700 });
  writeFileSync(path.join(folder, `AuthKey_${record.keyId}.p8`), record.privateKey, { mode: 0o600 });
  return folder;
}

interface DoctorLine {
  check: string;
  level: string;
  text: string;
  fix?: string;
}

function doctorLines(run: Run): DoctorLine[] {
  return (JSON.parse(run.stdout) as { lines: DoctorLine[] }).lines;
}

beforeAll(async () => {
  appleUrl = await closedPortUrl();
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-leftovers-"));
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!HAS_KEYRING)("private folders left by a hard kill", () => {
  beforeEach(() => {
    service = testService("leftovers");
    caseTmp = mkdtempSync(path.join(tmp, "tmpdir-"));
    key = makeKey();
    record = makeRecord({ kind: "team" }, key);
    storeDirectly(service, ACCOUNT, serializeRecord(record));
  });
  afterEach(() => {
    clearDirectly(service, ACCOUNT);
    for (const pid of pids.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    for (const child of spawned.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("SIGKILL leaves the folder; doctor reports it; the next exec removes it before making its own", async () => {
    const { ascKey, commandPid } = await startWaitingExec(path.join(tmp, `marker-kill-${Date.now()}`));
    const [name] = readdirSync(caseTmp);
    // The name says whose it is: asc-key's pid and its start.
    expect(name).toMatch(new RegExp(`^asc-key-${ascKey.pid}-p\\d+-[A-Za-z0-9]{6}$`));
    const exited = new Promise((resolve) => ascKey.once("exit", resolve));
    ascKey.kill("SIGKILL");
    await exited;
    process.kill(commandPid, "SIGKILL");
    const folder = path.join(caseTmp, name);
    expect(readdirSync(folder)).toContain(`AuthKey_${record.keyId}.p8`);

    const doctor = await cli(["doctor", "--json"]);
    const line = doctorLines(doctor).find((found) => found.check === "private-folders");
    expect(line).toMatchObject({ level: "warn" });
    expect(line!.text).toContain(folder);
    expect(line!.fix).toBe(`remove it: rm -rf '${folder}' (the next exec or notary-profile removes it too)`);
    expect(doctor.stdout + doctor.stderr).not.toContain(key.pem.split("\n")[1]);
    expect(existsSync(folder)).toBe(true);

    const next = await cli(["exec", "--", process.execPath, "-e", ""]);
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toBe("asc-key: removed 1 private key folder(s) left by an asc-key that was killed.\n");
    expect(readdirSync(caseTmp)).toEqual([]);
  }, 30_000);

  it.skipIf(process.platform !== "linux")(
    "a killed asc-key its parent has not yet reaped (a zombie) counts as gone",
    async () => {
      // sh starts asc-key in the background and becomes `sleep`, which never reaps it.
      const marker = path.join(tmp, `marker-zombie-${Date.now()}`);
      const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
      const parent = spawn(
        "/bin/sh",
        [
          "-c",
          `${quote(process.execPath)} ${quote(BUNDLE)} exec -- ${quote(process.execPath)} ${quote(CHILD)} ` +
            `--wait ${quote(marker)} >/dev/null 2>&1 & exec sleep 60`,
        ],
        { cwd: tmp, env: env(), stdio: "ignore" },
      );
      spawned.push(parent);
      pids.push(Number(await waitFor(marker)));
      const [name] = readdirSync(caseTmp);
      const ascKeyPid = Number(/^asc-key-(\d+)-/.exec(name)![1]);
      process.kill(ascKeyPid, "SIGKILL");
      const until = Date.now() + 10_000;
      while (!readFileSync(`/proc/${ascKeyPid}/stat`, "utf8").includes(") Z ") && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(readFileSync(`/proc/${ascKeyPid}/stat`, "utf8")).toContain(") Z ");

      const next = await cli(["exec", "--", process.execPath, "-e", ""]);
      expect(next.status, next.stderr).toBe(0);
      expect(readdirSync(caseTmp)).toEqual([]);
    },
    30_000,
  );

  it("leaves the folder of an exec that is still running, and doctor does not report it", async () => {
    const marker = path.join(tmp, `marker-live-${Date.now()}`);
    const { ascKey } = await startWaitingExec(marker);
    const [name] = readdirSync(caseTmp);
    const next = await cli(["exec", "--", process.execPath, "-e", ""]);
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toBe("");
    expect(readdirSync(caseTmp)).toEqual([name]);
    expect(doctorLines(await cli(["doctor", "--json"])).map((line) => line.check)).not.toContain("private-folders");
    const exited = new Promise((resolve) => ascKey.once("exit", resolve));
    ascKey.kill("SIGTERM");
    await exited;
    expect(readdirSync(caseTmp)).toEqual([]);
  }, 30_000);

  it.skipIf(process.platform !== "linux")(
    "tells a later process that got the same pid from the owner (Linux: start ticks from /proc)",
    async () => {
      const sleeper = await startSleeper();
      const owned = plantFolder(`asc-key-${sleeper.pid}-p${startTicks(sleeper.pid)}-aaaaaa`);
      const reused = plantFolder(`asc-key-${sleeper.pid}-p${Number(startTicks(sleeper.pid)) - 1}-bbbbbb`);
      const run = await cli(["exec", "--", process.execPath, "-e", ""]);
      expect(run.status, run.stderr).toBe(0);
      expect(existsSync(owned)).toBe(true);
      expect(existsSync(reused)).toBe(false);
    },
    30_000,
  );

  it("tells a later process that got the same pid from the owner (elsewhere: its start from ps)", async () => {
    const sleeper = await startSleeper();
    const owned = plantFolder(`asc-key-${sleeper.pid}-t${sleeper.startSeconds}-cccccc`);
    const reused = plantFolder(`asc-key-${sleeper.pid}-t${sleeper.startSeconds - 600}-dddddd`);
    const run = await cli(["exec", "--", process.execPath, "-e", ""]);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(owned)).toBe(true);
    expect(existsSync(reused)).toBe(false);
  }, 30_000);

  it("notary-profile sweeps too: a folder whose owner has ended is gone once it has made its own", async () => {
    // A pid that certainly ended: a process of ours, waited for.
    const ended = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => ended.once("exit", resolve));
    const left = plantFolder(`asc-key-${ended.pid}-p1-eeeeee`);
    const run = await runNode([BUNDLE, "notary-profile", "lingcode-notary"], {
      cwd: tmp,
      env: {
        ...env(),
        LINGCODE_XCRUN: path.join(ROOT, "test", "support", "xcrun-stand-in.cjs"),
        XCRUN_REPORT: path.join(caseTmp, "..", `xcrun-report-${Date.now()}.json`),
      },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("asc-key: removed 1 private key folder(s) left by an asc-key that was killed.\n");
    expect(existsSync(left)).toBe(false);
    expect(readdirSync(caseTmp)).toEqual([]);
  }, 30_000);

  it("never removes a folder whose owner it cannot tell (an older release's name); doctor reports it", async () => {
    const older = plantFolder("asc-key-Xy12Zq");
    const run = await cli(["exec", "--", process.execPath, "-e", ""]);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(older)).toBe(true);
    const line = doctorLines(await cli(["doctor", "--json"])).find((found) => found.check === "private-folders");
    expect(line?.fix).toBe(`once no asc-key exec or notary-profile is running, remove it: rm -rf '${older}'`);
  }, 30_000);
});
