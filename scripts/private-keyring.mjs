// A private, unlocked Secret Service for one command, touching nobody's keyring: `dbus-run-session` with a
// gnome-keyring-daemon unlocked by a throwaway password, its keyrings in a fresh temporary XDG home (a keyring left
// by an earlier run with another password would be locked, and every store would fail). Shared by `npm test`
// (scripts/test.mjs) and `npm run bench` (bench/run.mjs).
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** What a private keyring needs on PATH (Debian: dbus, gnome-keyring, libsecret-tools). */
export const KEYRING_TOOLS = ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"];

export function missingKeyringTools() {
  return KEYRING_TOOLS.filter((tool) => !onPath(tool));
}

/**
 * Runs `command ...argv` inside dbus-run-session with a freshly unlocked gnome-keyring and resolves to its exit
 * status. `env` is the command's environment (the caller's throwaway service name included); the XDG homes and a
 * run marker are added, the caller's session bus removed. `tag` prefixes messages, e.g. "[bench]". Afterwards any
 * process of this run still alive is stopped by pid and the temporary home is removed.
 */
export async function runInPrivateKeyring(command, argv, { env, cwd, tag }) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "lingcode-keyring-"));
  const runId = randomUUID();
  const dirs = { XDG_DATA_HOME: "data", XDG_CONFIG_HOME: "config", XDG_CACHE_HOME: "cache", XDG_RUNTIME_DIR: "run" };
  const keyringEnv = { ...env, LINGCODE_TEST_RUN: runId };
  for (const [name, dir] of Object.entries(dirs)) {
    keyringEnv[name] = path.join(home, dir);
    fs.mkdirSync(keyringEnv[name], { mode: 0o700 });
  }
  // Last resort if this process is ended some other way than by returning from here.
  const lastResort = () => {
    for (const pid of processesOfRun(runId)) tryKill(pid, "SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  };
  process.on("exit", lastResort);
  delete keyringEnv.DBUS_SESSION_BUS_ADDRESS;
  delete keyringEnv.GNOME_KEYRING_CONTROL;
  const script = 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"';
  try {
    return await runCommand("dbus-run-session", ["--", "sh", "-c", script, "sh", command, ...argv], {
      env: keyringEnv,
      cwd,
      tag,
      // dbus-daemon chatters about activation and fd limits; keep everything else.
      filterStderr: (line) => (line.includes("dbus-daemon[") ? "" : line),
    });
  } finally {
    await stopLeftovers(runId, tag);
    fs.rmSync(home, { recursive: true, force: true });
    process.off("exit", lastResort);
  }
}

/**
 * Runs a command with stdin and stdout inherited and resolves to its exit status (1 if it could not start or was
 * ended by a signal). SIGINT and SIGTERM are passed on. `filterStderr(line)` may drop a stderr line by returning "".
 */
export function runCommand(command, argv, { env, cwd, tag, filterStderr }) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd, env, stdio: ["inherit", "inherit", filterStderr ? "pipe" : "inherit"] });
    if (filterStderr) {
      let pending = "";
      child.stderr.on("data", (chunk) => {
        pending += chunk.toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop();
        for (const line of lines) if (filterStderr(line) !== "") process.stderr.write(`${line}\n`);
      });
      child.stderr.on("end", () => pending && process.stderr.write(pending));
    }
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("error", (error) => {
      console.error(`${tag} could not start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on("close", (status, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(status ?? (signal ? 1 : 0));
    });
  });
}

export function onPath(tool) {
  return spawnSync("sh", ["-c", 'command -v "$1" >/dev/null', "sh", tool]).status === 0;
}

/** dbus-run-session ends the bus and the daemon follows; anything of this run still alive is stopped by pid. */
async function stopLeftovers(runId, tag) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = processesOfRun(runId);
    if (pids.length === 0) return;
    if (attempt === 10) for (const pid of pids) tryKill(pid, "SIGKILL");
    else if (attempt === 0) for (const pid of pids) tryKill(pid, "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.error(`${tag} could not stop processes ${processesOfRun(runId).join(", ")} left by the test keyring`);
}

/** Processes (not zombies) whose environment carries this run's id: the daemons started for it. */
function processesOfRun(runId) {
  const marker = `LINGCODE_TEST_RUN=${runId}`;
  const pids = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/\) Z /.test(stat)) continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(marker)) pids.push(Number(entry));
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

function tryKill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
