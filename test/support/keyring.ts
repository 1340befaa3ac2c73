import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_SERVICE } from "../../src/lib/keychain";
import { GENERIC_SCHEMA } from "../../src/lib/keychain/linux";

/**
 * Helpers for tests against a real Secret Service. `npm test` (scripts/test.mjs) starts a private,
 * unlocked gnome-keyring in a throwaway XDG_DATA_HOME and sets LINGCODE_TEST_KEYRING=1; without it these
 * tests are skipped, so nothing here ever touches a user's keyring.
 */
export const HAS_KEYRING = process.env.LINGCODE_TEST_KEYRING === "1";
/** keytar loaded in a child process (set by scripts/test.mjs). */
export const HAS_KEYTAR = HAS_KEYRING && process.env.LINGCODE_TEST_KEYTAR === "1";

let counter = 0;

/** A service name unique to this test, derived from the run's throwaway service. Never `LingCode`. */
export function testService(name: string): string {
  const base = process.env.LINGCODE_KEYCHAIN_SERVICE;
  if (!base || base === DEFAULT_SERVICE) {
    throw new Error("LINGCODE_KEYCHAIN_SERVICE must name a throwaway test service; run the tests with npm test.");
  }
  counter += 1;
  return `${base}-${name}-${process.pid}-${counter}`;
}

/** secret-tool run directly (as a user or another program would), with the secret on stdin. */
export function secretTool(args: string[], input?: string): { status: number | null; stdout: string } {
  const result = spawnSync("secret-tool", args, { input: input ?? "", encoding: "utf8", timeout: 20_000 });
  return { status: result.status, stdout: result.stdout };
}

/** Stores as another libsecret client would (keytar's generic schema); `schema: false` as a bare secret-tool call. */
export function storeDirectly(service: string, account: string, secret: string, schema = true): void {
  const attributes = ["service", service, "account", account];
  if (schema) attributes.unshift("xdg:schema", GENERIC_SCHEMA);
  const { status } = secretTool(["store", "--label=test", ...attributes], secret);
  if (status !== 0) throw new Error(`secret-tool store exited with ${status}`);
}

export function lookupDirectly(service: string, account: string): string | undefined {
  const { status, stdout } = secretTool(["lookup", "service", service, "account", account]);
  return status === 0 ? stdout : undefined;
}

export function clearDirectly(service: string, account: string): void {
  secretTool(["clear", "service", service, "account", account]);
}

/** What keytar reads: a lookup with its schema attribute. */
export function lookupWithSchema(service: string, account: string): string | undefined {
  const { status, stdout } = secretTool([
    "lookup",
    "xdg:schema",
    GENERIC_SCHEMA,
    "service",
    service,
    "account",
    account,
  ]);
  return status === 0 ? stdout : undefined;
}

/** Every item for (service, account), by object path, as the Secret Service itself lists them (locked ones too). */
export function itemPaths(service: string, account: string): string[] {
  const result = spawnSync(
    "dbus-send",
    [
      "--session",
      "--print-reply",
      "--dest=org.freedesktop.secrets",
      "/org/freedesktop/secrets",
      "org.freedesktop.Secret.Service.SearchItems",
      `dict:string:string:service,${service},account,${account}`,
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  if (result.status !== 0) throw new Error(`dbus-send SearchItems exited with ${result.status}`);
  return [...result.stdout.matchAll(/object path "([^"]+)"/g)].map((match) => match[1]);
}

/**
 * Stores `secret` as a bare `secret-tool store service S account A` does, under a fresh service from `next()`, and
 * returns that service once keytar's lookup does not see the item. gnome-keyring gives such an item keytar's schema
 * when it reloads the keyring file (it keeps only an item type on disk), which it now and then does at once; then
 * the item is cleared and a fresh service tried.
 */
export function storeBareItem(next: () => string, account: string, secret: string): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const service = next();
    storeDirectly(service, account, secret, false);
    if (lookupWithSchema(service, account) === undefined) return service;
    clearDirectly(service, account);
  }
  throw new Error("gnome-keyring never kept a bare item out of keytar's sight");
}

export interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** keytar is an optional native dependency, for interop tests only (it cannot run inside Raycast). */
export function loadKeytar(): Keytar {
  return createRequire(path.join(process.cwd(), "package.json"))("keytar") as Keytar;
}

/**
 * A second private Secret Service (its own session bus, gnome-keyring and throwaway XDG home), for states the
 * shared one must not be put in: a locked keyring, a daemon restarted without unlocking. Tools follow it through
 * `env` (or `use()`, which points this process's DBUS_SESSION_BUS_ADDRESS at it until undone); `stop()` ends it.
 */
export interface SecondKeyring {
  /** Environment for programs meant to use this keyring (its bus and its XDG folders). */
  readonly env: Record<string, string>;
  /** Runs a command against this keyring, as a user would; throws unless it exits 0. */
  run(command: string, args: string[], input?: string): string;
  /** Locks the login collection (org.freedesktop.Secret.Service.Lock), as a screen lock or `Lock` in Seahorse does. */
  lock(): void;
  /** Replaces the daemon with one started without the password: the login keyring stays locked. */
  restartWithoutUnlocking(): Promise<void>;
  /** Object paths of the unlocked and the locked items for (service, account). */
  items(service: string, account: string): { unlocked: string[]; locked: string[] };
  /** Points process.env.DBUS_SESSION_BUS_ADDRESS at this keyring; returns the undo. */
  use(): () => void;
  stop(): Promise<void>;
}

const SECRETS = ["--session", "--print-reply", "--dest=org.freedesktop.secrets"];

export async function startSecondKeyring(): Promise<SecondKeyring> {
  const home = mkdtempSync(path.join(tmpdir(), "lingcode-keyring2-"));
  const marker = `LINGCODE_TEST_SECOND_KEYRING=${randomUUID()}`;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  // No desktop: an unlock prompt fails at once instead of waiting for someone to answer it.
  for (const name of ["DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "DISPLAY", "WAYLAND_DISPLAY"])
    delete env[name];
  for (const [name, dir] of Object.entries({
    XDG_DATA_HOME: "data",
    XDG_CONFIG_HOME: "config",
    XDG_CACHE_HOME: "cache",
    XDG_RUNTIME_DIR: "run",
  })) {
    env[name] = path.join(home, dir);
    mkdirSync(env[name], { mode: 0o700 });
  }
  const [markerName, markerValue] = marker.split("=");
  env[markerName] = markerValue;

  const script =
    'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; echo "$DBUS_SESSION_BUS_ADDRESS"; read _';
  const session = spawn("dbus-run-session", ["--", "sh", "-c", script], { env, stdio: ["pipe", "pipe", "ignore"] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    session.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) resolve(out.split("\n")[0].trim());
    });
    session.on("error", reject);
    session.on("close", () => reject(new Error("the second keyring's session ended before it started")));
  });
  env.DBUS_SESSION_BUS_ADDRESS = address;

  const run = (command: string, args: string[], input?: string) => {
    const result = spawnSync(command, args, { env, input: input ?? "", encoding: "utf8", timeout: 20_000 });
    if (result.status !== 0) throw new Error(`${command} ${args[0]} exited with ${result.status}: ${result.stderr}`);
    return result.stdout;
  };

  const keyring: SecondKeyring = {
    env,
    run,
    lock() {
      run("dbus-send", [
        ...SECRETS,
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.Lock",
        "array:objpath:/org/freedesktop/secrets/collection/login",
      ]);
    },
    async restartWithoutUnlocking() {
      const owner = () =>
        spawnSync(
          "dbus-send",
          [
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
          ],
          { env, encoding: "utf8" },
        ).stdout;
      const locked = () =>
        spawnSync(
          "dbus-send",
          [
            ...SECRETS,
            "/org/freedesktop/secrets/collection/login",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
          ],
          { env, encoding: "utf8" },
        ).stdout;
      const before = owner();
      // It forks and its first process exits; the daemon keeps this keyring's environment (the marker too).
      const result = spawnSync("gnome-keyring-daemon", ["--replace", "--components=secrets"], {
        env,
        stdio: "ignore",
        timeout: 20_000,
      });
      if (result.status !== 0) throw new Error(`gnome-keyring-daemon --replace exited with ${result.status}`);
      // Ready once another process owns the name and reports the login keyring locked.
      for (let attempt = 0; attempt < 100; attempt++) {
        const now = owner();
        if (now && now !== before && /boolean true/.test(locked())) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("the restarted keyring daemon did not answer");
    },
    items(service, account) {
      const out = run("dbus-send", [
        ...SECRETS,
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.SearchItems",
        `dict:string:string:service,${service},account,${account}`,
      ]);
      const [, unlocked = "", locked = ""] = out.split("array [");
      const paths = (text: string) => [...text.matchAll(/object path "([^"]+)"/g)].map((match) => match[1]);
      return { unlocked: paths(unlocked), locked: paths(locked) };
    },
    use() {
      const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
      process.env.DBUS_SESSION_BUS_ADDRESS = address;
      return () => {
        if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
        else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
      };
    },
    async stop() {
      session.stdin.end();
      if (session.exitCode === null && session.signalCode === null) {
        await new Promise((resolve) => session.once("close", resolve));
      }
      // A daemon started by restartWithoutUnlocking is not the session's child: stop whatever carries the marker.
      for (let attempt = 0; attempt < 50; attempt++) {
        const left = processesWith(marker);
        if (left.length === 0) break;
        for (const pid of left) tryKill(pid, attempt < 10 ? "SIGTERM" : "SIGKILL");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
  return keyring;
}

/** Live processes (not zombies) whose environment holds this entry. */
function processesWith(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (/\) Z /.test(readFileSync(`/proc/${name}/stat`, "utf8"))) continue;
      if (readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(entry)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}
