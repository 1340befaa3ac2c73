#!/usr/bin/env node
// `npm test`: runs vitest, on Linux inside a private, unlocked gnome-keyring so the keyring tests run
// against a real Secret Service without touching anyone's keyring. Arguments go to `vitest run`.
//
//   npm test                         all tests
//   npm test -- test/lib/keychain    some of them
//
// With CI=true a test group that would be skipped for a missing tool fails the run instead.
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const ci = process.env.CI === "true";
const INSTALL =
  "apt-get install libsecret-tools gnome-keyring dbus libsecret-1-dev, then run npm install again (it builds keytar)";

const require = createRequire(path.join(root, "package.json"));
const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");

/** Each test run gets its own service, never the real `LingCode`. */
const env = { ...process.env, LINGCODE_KEYCHAIN_SERVICE: `LingCode-test-${process.pid}` };
delete env.LINGCODE_TEST_KEYRING;
delete env.LINGCODE_TEST_KEYTAR;

const skipped = [];
let code;

// Output piped into something that stops reading (`npm test | head`) must not kill us before clean-up.
process.stdout.on("error", () => undefined);
process.stderr.on("error", () => undefined);

if (process.platform !== "darwin") {
  console.error(
    "[npm test] Not applicable here: test/**/*.darwin.test.ts need a Mac's real Keychain (a throwaway keychain file);" +
      " the security stand-in tests cover that protocol on every platform.",
  );
}

if (process.platform === "linux") {
  const missing = ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"].filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    skipped.push({ group: "Linux keyring (Secret Service) tests", why: `${missing.join(", ")} not found` });
    skipped.push({ group: "keytar interop tests", why: "they need the keyring" });
  } else {
    const probe = 'try { require("keytar"); } catch (e) { console.error(String(e && e.message)); process.exit(1); }';
    const keytar = spawnSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" });
    if (keytar.status === 0) env.LINGCODE_TEST_KEYTAR = "1";
    else skipped.push({ group: "keytar interop tests", why: `keytar does not load: ${firstLine(keytar.stderr)}` });
  }
  announce();
  code = missing.length > 0 ? await run(process.execPath, [vitest, "run", ...args], env) : await runWithKeyring();
} else {
  // macOS: the mac tests use a throwaway keychain file and the stand-in security tool; no set-up needed.
  announce();
  code = await run(process.execPath, [vitest, "run", ...args], env);
}

announce();
process.exit(code);

/** vitest inside `dbus-run-session`, with a gnome-keyring unlocked by a throwaway password in a fresh XDG home. */
async function runWithKeyring() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "lingcode-keyring-"));
  const runId = randomUUID();
  const dirs = { XDG_DATA_HOME: "data", XDG_CONFIG_HOME: "config", XDG_CACHE_HOME: "cache", XDG_RUNTIME_DIR: "run" };
  const keyringEnv = { ...env, LINGCODE_TEST_KEYRING: "1", LINGCODE_TEST_RUN: runId };
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
  keyringEnv.LINGCODE_VITEST = vitest;
  keyringEnv.LINGCODE_NODE = process.execPath;
  const script =
    'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$LINGCODE_NODE" "$LINGCODE_VITEST" run "$@"';
  try {
    return await run("dbus-run-session", ["--", "sh", "-c", script, "sh", ...args], keyringEnv, (msg) =>
      msg.includes("dbus-daemon[") ? "" : msg,
    );
  } finally {
    await stopLeftovers(runId);
    fs.rmSync(home, { recursive: true, force: true });
    process.off("exit", lastResort);
  }
}

/** dbus-run-session ends the bus and the daemon follows; anything of this run still alive is stopped by pid. */
async function stopLeftovers(runId) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = processesOfRun(runId);
    if (pids.length === 0) return;
    if (attempt === 10) for (const pid of pids) tryKill(pid, "SIGKILL");
    else if (attempt === 0) for (const pid of pids) tryKill(pid, "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.error(`[npm test] could not stop processes ${processesOfRun(runId).join(", ")} left by the test keyring`);
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

function run(command, argv, childEnv, filterStderr) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, {
      cwd: root,
      env: childEnv,
      stdio: ["inherit", "inherit", filterStderr ? "pipe" : "inherit"],
    });
    if (filterStderr) {
      // dbus-daemon chatters about activation and fd limits; keep everything else.
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
      console.error(`[npm test] could not start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on("close", (status, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(status ?? (signal ? 1 : 0));
    });
  });
}

/** Printed at the start and at the end, so it is seen whichever end of the output one reads. */
function announce() {
  if (skipped.length === 0) return;
  const lines = [
    ci ? "[npm test] CI=true and test groups would be skipped; failing:" : "[npm test] Skipped test groups:",
    ...skipped.map(({ group, why }) => `  - ${group}: ${why}`),
    `  To run them: ${INSTALL}.`,
  ];
  console.error(`\n${lines.join("\n")}\n`);
  if (ci) process.exit(1);
}

function onPath(tool) {
  return spawnSync("sh", ["-c", 'command -v "$1" >/dev/null', "sh", tool]).status === 0;
}

function firstLine(text) {
  return (text || "no output").trim().split("\n")[0].slice(0, 160);
}
