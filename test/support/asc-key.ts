/**
 * What the asc-key tests (test/cli/<command>.test.ts) share: two ways to run the command line, the per-test world of
 * the commands that touch the Keychain, and the checks on what a run printed.
 *
 *   cli(args, options)         in this process: `main(argv, io)` with an io of its own (environment, stdin, and
 *                              stdout/stderr written through the same outLine/errLine as the real process). What
 *                              every test uses where spawning a process is not the point; it still reaches the
 *                              private Secret Service (through secret-tool) and the Apple stand-in for real.
 *   cliProcess(args, options)  the built bundle, dist-cli/asc-key.js, as a child process (built once per run by
 *                              test/support/build-cli.ts): for the bundle itself, and where the process is the
 *                              point: a PATH or D-Bus address the Keychain tool must see, a child's peak memory.
 *
 * useCliWorld() (inside a `describe.skipIf(!HAS_KEYRING)`) gives each test a throwaway Keychain service, a team key
 * the stand-in knows and its AuthKey_<Key ID>.p8 in a fresh folder with a home of its own; the bindings below
 * (`service`, `key`, `keyId`, `p8`, `dataHome`, `apple`, `baseEnv`) are live: they name the current test's.
 *
 * After each test, every in-process run's stdout and stderr is checked for any piece of a key made in the file and
 * for more of an Issuer ID than its last three characters (expectCliRunsClean; expectCleanOutput for a child's run).
 *
 * useCliMemoryKeychain() (useCliWorld calls it): each test's in-process runs reach an in-memory Keychain (listing its
 * items as the real backends do), since most tests are about what asc-key says and does, and the suite's time is a
 * budget. A test about the keyring itself, or one that runs the bundle as a child process (which reaches the real
 * keyring), calls `await realKeyring()` first: from then on the test's runs reach the private Secret Service.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { errLine, outLine, type CliIo } from "../../src/cli/io";
import { main } from "../../src/cli/main";
import { ACCOUNT } from "../../src/lib/keychain";
import type { SecretBackend } from "../../src/lib/keychain";
import { clearTokenCache } from "../../src/lib/token";
import { startAppleStandIn, type AppleStandIn } from "./apple-stand-in";
import { runNode, type Run } from "./cli";
import { clearDirectly, lookupDirectly, storeDirectly, testService } from "./keyring";
import { ISSUER_ID, madePems, makeKey, makeKeyId, type TestKey } from "./keys";
import { expectNoSecret, expectNoSecretIn, watchedIssuerIds } from "./leaks";
import { memoryBackend } from "./memory-keychain";
import { useTestBackend } from "./test-backend";

export { nodeOnlyPath, type Run } from "./cli";

export const ROOT = process.cwd();
export const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
/** gio, which moves files to the Trash on Linux (`npm test` sets this when it is there; CI requires it). */
export const HAS_GIO = process.platform !== "linux" || process.env.LINGCODE_TEST_GIO === "1";
export const COMMANDS = ["register", "status", "verify", "token", "remove", "open", "doctor"];

export interface RunOptions {
  /** Overrides (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** In this process only: the whole environment of the run, instead of the test process's with `env` over it. */
  exactEnv?: Record<string, string>;
  input?: string | Buffer;
  /** Child processes only: the working directory (default: the file's temporary folder). */
  cwd?: string;
  /**
   * In this process only: how the run waits before asking Apple again after a stray 401 (io.pause). Default: no
   * wait at all, so no test sleeps for real.
   */
  pause?: (ms: number) => Promise<void>;
}

export interface ProcessOptions extends RunOptions {
  bundle?: string;
  /** Options for node itself, before the bundle. */
  nodeArgs?: string[];
}

/** A folder of this test file's, removed after it. */
export let tmp: string;
/** Environment every run starts from (useCliWorld sets the keychain service and Apple's URL per test). */
export let baseEnv: Record<string, string | undefined>;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-cli-"));
  baseEnv = { ...process.env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, NODE_OPTIONS: undefined };
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function environment(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...baseEnv, ...overrides })) if (value !== undefined) env[name] = value;
  return env;
}

/** Every in-process run of the current test: what its person read on the terminal, checked after the test. */
const runsThisTest: { args: string[]; run: Run }[] = [];

/**
 * The CLI world's leak check, after every test of a file that imports this one: no in-process run's stdout or stderr
 * shows a piece of any key made in the file (test/support/leaks.ts, every encoding) or more than the last three
 * characters of a watched Issuer ID. Nothing is exempt, because asc-key hands nothing secret to a terminal: the one
 * output that is the point of a command is `token`'s stdout, a token (a signature: no key material, and its Issuer ID
 * only inside the base64url claims), which passes the check as it is; `export` writes the key only to the file
 * `--out` names (it refuses `-` and stdout), and the command `exec` runs gets stdio of its own, not asc-key's.
 */
export function expectCliRunsClean(): void {
  for (const { args, run } of runsThisTest) expectCleanOutput(run, `asc-key ${args.join(" ")}`.slice(0, 120));
}

/**
 * The same check on one run (or text) now: for a child process of the bundle, whose output the check after the test
 * does not see, or to fail at the step that leaked.
 */
export function expectCleanOutput(output: Run | string, where = "asc-key's output"): void {
  const texts: [string, string][] =
    typeof output === "string"
      ? [[where, output]]
      : [
          [`${where}: stdout`, output.stdout],
          [`${where}: stderr`, output.stderr],
        ];
  expectNoSecretIn({ pems: madePems, issuerIds: watchedIssuerIds() }, texts);
}

/** Forget this test's runs (for a test that planted a leak on purpose to see the check fail). */
export function forgetCliRuns(): void {
  runsThisTest.length = 0;
}

beforeEach(forgetCliRuns);
afterEach(expectCliRunsClean);

/** `asc-key <args>` in this process, as a fresh process would run it: no token minted before. */
export async function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  const { status, stdout, stderr } = await cliInOrder(args, options);
  return { status, stdout, stderr };
}

/** The same, with `both`: stdout and stderr in the order they were written, as a terminal shows them. */
export async function cliInOrder(args: string[], options: RunOptions = {}): Promise<Run & { both: string }> {
  clearTokenCache();
  let stdout = "";
  let stderr = "";
  let both = "";
  const input = options.input === undefined ? [] : [Buffer.from(options.input)];
  const io: CliIo = {
    out: (line) => void ((stdout += `${outLine(line)}\n`), (both += `${outLine(line)}\n`)),
    err: (line) => void ((stderr += `${errLine(line)}\n`), (both += `${errLine(line)}\n`)),
    stdin: Readable.from(input),
    env: options.exactEnv ?? environment(options.env),
    platform: process.platform,
    pause: options.pause ?? (async () => undefined),
  };
  const status = await main(args, io);
  const run = { status, stdout, stderr, both };
  runsThisTest.push({ args, run });
  return run;
}

/** `node dist-cli/asc-key.js <args>` as a child process. */
export function cliProcess(args: string[], options: ProcessOptions = {}): Promise<Run> {
  return runNode([...(options.nodeArgs ?? []), options.bundle ?? BUNDLE, ...args], {
    cwd: options.cwd ?? tmp,
    env: environment(options.env),
    input: options.input,
  });
}

/** A failure: the given status, nothing on stdout, one line on stderr. */
export function expectFailure(run: Run, status: number, stderrPattern?: RegExp) {
  expect(run.status, run.stderr).toBe(status);
  expect(run.stdout).toBe("");
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/^asc-key: \S/);
  if (stderrPattern) expect(run.stderr).toMatch(stderrPattern);
}

export function fingerprintOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(spki).digest("base64").replace(/=+$/, "")}`;
}

/** No piece of the key nor (unless told otherwise) of a watched Issuer ID (test/support/leaks.ts). */
export function expectNoSecrets(text: string, key: TestKey, checkIssuerId = true) {
  expectNoSecret({ pems: [key.pem], issuerIds: checkIssuerId ? watchedIssuerIds() : [] }, text, "asc-key's output");
}

/** The secret-tool on PATH. */
export function realSecretTool(): string {
  return execFileSync("sh", ["-c", "command -v secret-tool"], { encoding: "utf8" }).trim();
}

/** stderr without the note every App Manager or Admin key gets after a valid registration (Users and Access). */
export const withoutPrivilegeNote = (stderr: string) =>
  stderr.replace(/^asc-key: (warning|note): (Individual k|K)ey \w+ can reach Users and Access.*\n/m, "");

// ---------------------------------------------------------------------------------------------------------------
// the world of a test that reaches the Keychain and Apple

export let apple: AppleStandIn;
export let service: string;
export let key: TestKey;
export let keyId: string;
export let p8: string;
export let dataHome: string;

/** For a test that saves under a service of its own making: used by the runs after it, and cleared after it. */
export function useService(name: string): void {
  service = name;
  baseEnv.LINGCODE_KEYCHAIN_SERVICE = name;
}

/** Registers the hooks that give each test its own service, key, .p8 and home (see the file's comment). */
/** This test's in-memory Keychain (useCliMemoryKeychain); undefined once it called realKeyring. */
let memory: SecretBackend | undefined;
/** Whether this test called realKeyring (its service in the private Secret Service is then emptied after it). */
let usedRealKeyring = false;

/** In-process runs reach a fresh in-memory Keychain in each test, unless the test calls realKeyring. */
export function useCliMemoryKeychain(): void {
  beforeEach(() => {
    usedRealKeyring = false;
    memory = memoryBackend({ listing: true });
    useTestBackend(memory);
  });
  afterEach(() => {
    useTestBackend(undefined);
    memory = undefined;
  });
}

/** This test's runs reach the private Secret Service `npm test` starts: call it first, before anything is saved. */
export async function realKeyring(): Promise<void> {
  usedRealKeyring = true;
  memory = undefined;
  useTestBackend(undefined);
}

/** The Keychain this test's in-process runs reach, to plant or read raw items (the real one after realKeyring). */
export function cliBackend(): SecretBackend | undefined {
  return memory;
}

/** An item's secret as this test's runs reach it (in memory, or a bare `secret-tool lookup` after realKeyring). */
export async function storedSecret(service: string, account: string): Promise<string | undefined> {
  return memory ? memory.get(service, account) : lookupDirectly(service, account);
}

/** Stores an item's secret as this test's runs will find it (to plant a damaged item, say). */
export async function storeSecret(service: string, account: string, secret: string): Promise<void> {
  if (memory) await memory.set(service, account, "test item", secret);
  else storeDirectly(service, account, secret);
}

/** The accounts under a service, sorted: the in-memory Keychain's, or as `secret-tool search --all` lists them. */
export async function storedAccounts(service: string): Promise<string[]> {
  if (memory) return (await memory.accounts!(service)).sort();
  const { stderr } = spawnSync("secret-tool", ["search", "--all", "service", service], { encoding: "utf8" });
  return [...stderr.matchAll(/^attribute\.account = (.*)$/gm)].map((m) => m[1]).sort();
}

/** Whether the current test called realKeyring. */
export function usesRealKeyring(): boolean {
  return usedRealKeyring;
}

export function useCliWorld(): void {
  useCliMemoryKeychain();
  let savedEnv: typeof baseEnv;
  beforeAll(async () => {
    apple = await startAppleStandIn();
    savedEnv = baseEnv;
  });
  afterAll(async () => {
    baseEnv = savedEnv;
    await apple.close();
  });

  beforeEach(() => {
    service = testService("cli");
    key = makeKey();
    keyId = makeKeyId();
    const dir = mkdtempSync(path.join(tmp, "case-"));
    p8 = path.join(dir, `AuthKey_${keyId}.p8`);
    writeFileSync(p8, key.pem, { mode: 0o600 });
    dataHome = path.join(dir, "data");
    // A home of its own beside the files: gio trashes into the home trash ($XDG_DATA_HOME/Trash) only for files on
    // the home's file system, so nothing reaches a real Trash.
    const home = path.join(dir, "home");
    mkdirSync(home);
    apple.register({ keyId, kind: "team", issuerId: ISSUER_ID, publicKey: key.publicKey });
    apple.requests.length = 0;
    baseEnv = {
      ...process.env,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
      NODE_OPTIONS: undefined,
      LINGCODE_KEYCHAIN_SERVICE: service,
      LINGCODE_ASC_API_URL: apple.url,
      HOME: home,
      XDG_DATA_HOME: dataHome,
    };
  });
  afterEach(() => {
    if (usedRealKeyring) clearDirectly(service, ACCOUNT);
  });
}

/** `asc-key register` of the world's team key from its .p8 (in this process; `run` to choose another runner). */
export const registerTeam = (extra: string[] = [], options: RunOptions = {}, run = cli) =>
  run(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", p8, ...extra], options);

export async function savedStatus(): Promise<Record<string, unknown>> {
  const run = await cli(["status", "--json"]);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
