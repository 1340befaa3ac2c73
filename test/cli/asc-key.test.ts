/**
 * The asc-key command line, run as a child process from its bundle (dist-cli/asc-key.js, built here with the same
 * script `npm install` runs), against the private Secret Service `npm test` starts and the local Apple stand-in.
 */
import { execFileSync } from "node:child_process";
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  verify as verifySignature,
  type KeyObject,
} from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { TEAM_KEYS_URL } from "../../src/lib/asc-client";
import { CLI_SWITCH_HINT } from "../../src/cli/capabilities";
import { KEY_ROLE, roleWords } from "../../src/lib/key-role";
import { ACCOUNT } from "../../src/lib/keychain";
import {
  HOSTILE_TITLE,
  ROLE_CASES,
  startAppleStandIn,
  type AppleStandIn,
  type Behaviour,
} from "../support/apple-stand-in";
import { RAW_CONTROL_BUT_LF as RAW_CONTROL } from "../support/controls";
import { serializeRecord } from "../../src/lib/record";
import {
  clearDirectly,
  HAS_KEYRING,
  HAS_KEYTAR,
  itemPaths,
  loadKeytar,
  lookupDirectly,
  startSecondKeyring,
  storeBareItem,
  storeDirectly,
  testService,
  type SecondKeyring,
} from "../support/keyring";
import { ISSUER_ID, makeKey, makeKeyId, makeRecord, type TestKey } from "../support/keys";
import { nodeOnlyPath, runNode, type Run } from "../support/cli";
import { closedPortUrl } from "../support/network";

const ROOT = process.cwd();
/** gio, which moves files to the Trash on Linux (`npm test` sets this when it is there; CI requires it). */
const HAS_GIO = process.platform !== "linux" || process.env.LINGCODE_TEST_GIO === "1";
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
const COMMANDS = ["register", "status", "verify", "token", "remove", "open", "doctor"];
/** Preloaded into a child to report its peak RSS at exit (test/support/peak-rss.mjs). */
const PEAK_RSS = path.join(ROOT, "test", "support", "peak-rss.mjs");

interface RunOptions {
  /** Overrides (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  cwd?: string;
  bundle?: string;
  /** Options for node itself, before the bundle. */
  nodeArgs?: string[];
}

let tmp: string;
/** Environment every run starts from (the keychain service and Apple's URL are set per test). */
let baseEnv: Record<string, string | undefined>;

function cli(args: string[], options: RunOptions = {}): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...baseEnv, ...options.env }))
    if (value !== undefined) env[name] = value;
  return runNode([...(options.nodeArgs ?? []), options.bundle ?? BUNDLE, ...args], {
    cwd: options.cwd ?? tmp,
    env,
    input: options.input,
  });
}

/** A failure: the given status, nothing on stdout, one line on stderr. */
function expectFailure(run: Run, status: number, stderrPattern?: RegExp) {
  expect(run.status, run.stderr).toBe(status);
  expect(run.stdout).toBe("");
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/^asc-key: \S/);
  if (stderrPattern) expect(run.stderr).toMatch(stderrPattern);
}

function fingerprintOf(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(spki).digest("base64").replace(/=+$/, "")}`;
}

/** The base64 lines of a PEM: what must never show up in output. */
function secretLines(pem: string): string[] {
  return pem.split("\n").filter((line) => line && !line.startsWith("-----"));
}

/** Neither the private key nor (unless told otherwise) the whole Issuer ID. */
function expectNoSecrets(text: string, key: TestKey, checkIssuerId = true) {
  for (const line of secretLines(key.pem)) expect(text).not.toContain(line);
  if (checkIssuerId) expect(text).not.toContain(ISSUER_ID);
}

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>,
    signed: Buffer.from(`${header}.${payload}`),
    signature: Buffer.from(signature, "base64url"),
  };
}

/** The secret-tool on PATH. */
function realSecretTool(): string {
  return execFileSync("sh", ["-c", "command -v secret-tool"], { encoding: "utf8" }).trim();
}

/** A folder whose only program is node: no secret-tool, no xdg-open. */

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-cli-"));
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-cli.mjs")], { cwd: ROOT, stdio: "pipe" });
  baseEnv = { ...process.env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, NODE_OPTIONS: undefined };
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the bundle", () => {
  it("is one executable JavaScript file with a node shebang, named by package.json bin", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(path.resolve(ROOT, pkg.bin["asc-key"])).toBe(BUNDLE);
    expect(pkg.scripts.prepare).toContain("scripts/build-cli.mjs");
    expect(pkg.devDependencies.esbuild).toBeDefined();
    const text = readFileSync(BUNDLE, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(BUNDLE).mode & 0o111).not.toBe(0);
  });

  it("contains no @raycast import", () => {
    expect(readFileSync(BUNDLE, "utf8")).not.toContain("@raycast");
  });

  it("runs --help with plain node, outside the project (no TypeScript loader, no node_modules)", async () => {
    const elsewhere = mkdtempSync(path.join(tmp, "elsewhere-"));
    const copy = path.join(elsewhere, "asc-key.js");
    copyFileSync(BUNDLE, copy);
    const run = await cli(["--help"], { bundle: copy, cwd: elsewhere, env: { NODE_PATH: undefined } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: asc-key <command> [options]");
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command} `);
    expect(run.stderr).toBe("");
  });
});

describe("help and usage", () => {
  it("prints the tool's help for --help, -h and help", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const run = await cli(args);
      expect(run.status, args.join(" ")).toBe(0);
      expect(run.stdout).toContain("Exit statuses:");
      expect(run.stdout).toContain("LINGCODE_KEYCHAIN_SERVICE");
      expect(run.stdout).toContain("LINGCODE_ASC_API_URL");
    }
  });

  it("prints each command's help for <command> --help, <command> -h and help <command>", async () => {
    for (const command of COMMANDS) {
      for (const args of [
        [command, "--help"],
        [command, "-h"],
        ["help", command],
      ]) {
        const run = await cli(args);
        expect(run.status, args.join(" ")).toBe(0);
        expect(run.stdout).toContain(`Usage: asc-key ${command}`);
        expect(run.stderr).toBe("");
      }
    }
  });

  it("exits 2 with one line for no command, unknown commands, unknown options and stray arguments", async () => {
    expectFailure(await cli([]), 2, /no command/);
    expectFailure(await cli(["frobnicate"]), 2, /Unknown command "frobnicate"/);
    expectFailure(await cli(["--frobnicate"]), 2, /Unknown option/);
    expectFailure(await cli(["help", "frobnicate"]), 2);
    expectFailure(await cli(["status", "--frobnicate"]), 2, /Unknown option --frobnicate for status/);
    expectFailure(await cli(["status", "extra"]), 2, /takes only options/);
    expectFailure(await cli(["status", "--json=yes"]), 2, /--json takes no value/);
    expectFailure(await cli(["token", "--ttl"]), 2, /--ttl needs a value/);
  });

  it("never repeats a key pasted where an option or argument belongs", async () => {
    const key = makeKey();
    for (const args of [["register", key.pem], ["register", "--p8", key.pem], [key.pem]]) {
      const run = await cli(args);
      expectFailure(run, 2);
      expectNoSecrets(run.stderr, key);
    }
  });

  it("checks --ttl before touching the Keychain", async () => {
    // No secret-tool on PATH: a Keychain access would exit 4.
    const env = { PATH: nodeOnlyPath(tmp) };
    expectFailure(await cli(["token", "--ttl", "1201"], { env }), 2, /1200/);
    expectFailure(await cli(["token", "--ttl", "60"], { env }), 2);
    expectFailure(await cli(["token", "--ttl", "ten"], { env }), 2);
    expectFailure(await cli(["token", "--ttl", "-5"], { env }), 2);
  });
});

describe.skipIf(!HAS_KEYRING)("with a private Secret Service and the Apple stand-in", () => {
  let apple: AppleStandIn;
  let service: string;
  let key: TestKey;
  let keyId: string;
  let p8: string;
  let dataHome: string;

  const outerEnv = () => baseEnv;
  let savedEnv: typeof baseEnv;
  beforeAll(async () => {
    apple = await startAppleStandIn();
    savedEnv = outerEnv();
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
  afterEach(() => clearDirectly(service, ACCOUNT));

  /** stderr without the note every App Manager or Admin key gets after a valid registration (Users and Access). */
  const withoutPrivilegeNote = (stderr: string) =>
    stderr.replace(/^asc-key: warning: (Individual k|K)ey \w+ can reach Users and Access.*\n/m, "");

  const registerTeam = (extra: string[] = [], options: RunOptions = {}) =>
    cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", p8, ...extra], options);

  async function savedStatus(): Promise<Record<string, unknown>> {
    const run = await cli(["status", "--json"]);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  }

  describe("status", () => {
    it("says no key is configured and exits 1", async () => {
      const run = await cli(["status"]);
      expect(run).toEqual({ status: 1, stdout: "No, no ASC key configured.\n", stderr: "" });
      const json = await cli(["status", "--json"]);
      expect(json).toEqual({ status: 1, stdout: '{"configured":false}\n', stderr: "" });
    });

    it("prints the team sentence, and JSON with exactly the documented fields and nothing secret", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["status"]);
      expect(run).toEqual({ status: 0, stdout: `Yes, Issuer ID ends in ...b6c, Key ID ${keyId}\n`, stderr: "" });

      const json = await cli(["status", "--json"]);
      expect(json.status).toBe(0);
      expect(json.stdout.endsWith("\n")).toBe(true);
      expect(json.stdout.trimEnd().split("\n")).toHaveLength(1);
      const value = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(["configured", "kind", "keyId", "issuerIdSuffix", "fingerprint", "savedAt"]);
      expect(value).toMatchObject({
        configured: true,
        kind: "team",
        keyId,
        issuerIdSuffix: "b6c",
        fingerprint: fingerprintOf(key.publicKey),
      });
      expect(Date.parse(value.savedAt as string)).not.toBeNaN();
      expectNoSecrets(json.stdout + json.stderr, key);
    });

    it("exits 4 for an unreadable entry and says to register again", async () => {
      storeDirectly(service, ACCOUNT, "not json at all");
      expectFailure(await cli(["status"]), 4, /register the key again/);
      expectFailure(await cli(["status", "--json"]), 4, /register the key again/);
      expectFailure(await cli(["verify"]), 4);
      expectFailure(await cli(["token"]), 4);
      // Registering again replaces it.
      expect((await registerTeam()).status).toBe(0);
      expect((await cli(["status"])).status).toBe(0);
    });

    it("exits 4 when the Keychain tool is missing (PATH holds only node)", async () => {
      const env = { PATH: nodeOnlyPath(tmp) };
      expectFailure(await cli(["status"], { env }), 4, /secret-tool/);
      expectFailure(await cli(["token"], { env }), 4);
      expectFailure(await cli(["remove"], { env }), 4);
      expectFailure(await registerTeam(["--skip-verify"], { env }), 4);
    });
  });

  describe("a locked keyring is a Keychain problem (exit 4), never no key", () => {
    let keyring: SecondKeyring;
    beforeEach(async () => {
      keyring = await startSecondKeyring();
    });
    afterEach(async () => {
      await keyring.stop();
    });

    /** Runs asc-key against the second keyring. */
    const inKeyring = (args: string[]) =>
      cli(args, { env: { DBUS_SESSION_BUS_ADDRESS: keyring.env.DBUS_SESSION_BUS_ADDRESS } });
    const LOCKED = /^asc-key: The keyring is locked .*: unlock it, .*then try again\.\n$/;

    async function expectEveryCommandLocked() {
      expectFailure(await inKeyring(["status"]), 4, LOCKED);
      expectFailure(await inKeyring(["status", "--json"]), 4, LOCKED);
      expectFailure(await inKeyring(["token"]), 4, LOCKED);
      expectFailure(await inKeyring(["verify"]), 4, LOCKED);
      expectFailure(await inKeyring(["remove"]), 4, LOCKED);
      const register = await inKeyring(["register", "--issuer-id", ISSUER_ID, "--key-id", makeKeyId(), "--p8", p8]);
      expectFailure(register, 4, LOCKED);
      // The saved key is still there, locked away, and Apple was asked nothing.
      expect(keyring.items(service, ACCOUNT)).toEqual({ unlocked: [], locked: [expect.any(String)] });
      expect(apple.requests).toHaveLength(0);
    }

    it("locked (or its unlock prompt dismissed): every command says so and what to do; the key stays", async () => {
      expect(
        (await inKeyring(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", p8, "--skip-verify"]))
          .status,
      ).toBe(0);
      keyring.lock();
      await expectEveryCommandLocked();
    });

    it("the keyring daemon restarted without unlocking: the same", async () => {
      expect(
        (await inKeyring(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", p8, "--skip-verify"]))
          .status,
      ).toBe(0);
      await keyring.restartWithoutUnlocking();
      await expectEveryCommandLocked();
    });
  });

  describe("an item stored by a bare `secret-tool store service ... account ...` (no keytar schema)", () => {
    it("status sees it, and a registration replaces it: one item, which keytar and a bare lookup both read", async () => {
      const old = makeRecord();
      service = storeBareItem(() => testService("cli-bare"), ACCOUNT, serializeRecord(old));
      baseEnv.LINGCODE_KEYCHAIN_SERVICE = service;
      const status = await cli(["status"]);
      expect(status).toEqual({ status: 0, stdout: `Yes, Issuer ID ends in ...b6c, Key ID ${old.keyId}\n`, stderr: "" });

      const run = await registerTeam();
      expect(run.status, run.stderr).toBe(0);
      // The key it held stays at hand among the saved keys; LingCode's entry is one item holding the new key.
      expect(run.stderr).toMatch(/LingCode now uses this key, saved as "[^"]+"; "[^"]+" stays saved/);
      expect(itemPaths(service, ACCOUNT)).toHaveLength(1);
      const saved = lookupDirectly(service, ACCOUNT);
      expect(saved && (JSON.parse(saved) as { keyId: string }).keyId).toBe(keyId);
      if (HAS_KEYTAR) expect(await loadKeytar().getPassword(service, ACCOUNT)).toBe(saved);
      expect((await savedStatus()).keyId).toBe(keyId);
    });
  });

  describe("register", () => {
    it("checks a team key with Apple, saves it and prints the sentence and the fingerprint", async () => {
      const run = await registerTeam();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        `Yes, Issuer ID ends in ...b6c, Key ID ${keyId}\nFingerprint: ${fingerprintOf(key.publicKey)}\n`,
      );
      // The stand-in's keys have App Manager access unless told otherwise: it reaches Users and Access, which gets a
      // note with the one step that settles App Manager or Admin, never a warning.
      expect(run.stderr).toBe(`asc-key: note: ${roleWords(keyId, "yes", undefined, "")?.text}\n`);
      expect(run.stderr).not.toMatch(/warning:/);
      expect(apple.requests.map((r) => [r.path, r.status])).toEqual([
        ["/v1/apps?limit=1", 200],
        ["/v1/users?limit=1", 200],
      ]);
      expectNoSecrets(run.stdout + run.stderr, key);
      expect(existsSync(p8)).toBe(true);
    });

    it("after a valid check, probes Users and Access: a key that cannot reach it saves without a warning", async () => {
      apple.setBehaviour(keyId, { role: "developer" });
      const run = await registerTeam();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      expect(apple.requests.map((r) => [r.path, r.status])).toEqual([
        ["/v1/apps?limit=1", 200],
        ["/v1/users?limit=1", 403],
      ]);
    });

    it("an Admin key is saved, with the warning and the smaller alternative; never refused", async () => {
      apple.setBehaviour(keyId, { role: "admin" });
      const run = await registerTeam();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Key ID ${keyId}`);
      expect(run.stderr).toMatch(
        /^asc-key: warning: Key \w+ can reach Users and Access, .* App Manager key uploads builds/,
      );
      expect((await savedStatus()).keyId).toBe(keyId);
    });

    it("no privilege probe when the check says fewer than 20 requests are left this hour", async () => {
      apple.setBehaviour(keyId, { role: "admin", rateLimitRemaining: 15 });
      const run = await registerTeam();
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      expect(apple.requests.map((r) => r.path)).toEqual(["/v1/apps?limit=1"]);
    });

    it("normalises the IDs as the key model does", async () => {
      const run = await cli([
        "register",
        "--issuer-id",
        ` ${ISSUER_ID.toUpperCase()} `,
        "--key-id",
        keyId.toLowerCase(),
        "--p8",
        p8,
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(await savedStatus()).toMatchObject({ keyId, issuerIdSuffix: "b6c" });
    });

    it("reads the key from stdin with --p8 -, individual keys too", async () => {
      const individual = makeKey();
      const individualId = makeKeyId();
      apple.register({ keyId: individualId, kind: "individual", publicKey: individual.publicKey });
      // CRLF and surrounding blank lines, as a paste may bring them.
      const pasted = `\r\n${individual.pem.replace(/\n/g, "\r\n")}\r\n`;
      const run = await cli(["register", "--individual", "--key-id", individualId, "--p8", "-"], { input: pasted });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        `Yes, individual key, Key ID ${individualId}\nFingerprint: ${fingerprintOf(individual.publicKey)}\n`,
      );
      const status = await savedStatus();
      expect(Object.keys(status)).toEqual(["configured", "kind", "keyId", "fingerprint", "savedAt"]);
      expect(status).toMatchObject({ kind: "individual", keyId: individualId });
    });

    it("refuses more than 16 KiB on stdin and an empty stdin", async () => {
      const big = key.pem + "#".repeat(16 * 1024);
      expectFailure(
        await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", "-"], { input: big }),
        2,
        /16 KB/,
      );
      expectFailure(await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", "-"]), 2, /stdin/);
      expect((await cli(["status"])).status).toBe(1);
    });

    it("refuses bad input with exit 2 and leaves the saved key unchanged", async () => {
      expect((await registerTeam()).status).toBe(0);
      const before = await savedStatus();

      const other = makeKey();
      const otherId = makeKeyId();
      const otherFile = path.join(tmp, `AuthKey_${otherId}.p8`);
      writeFileSync(otherFile, other.pem);
      apple.register({ keyId: otherId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey });
      const rsa = path.join(tmp, "rsa.p8");
      writeFileSync(
        rsa,
        generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
      );
      const p384 = path.join(tmp, "p384.p8");
      writeFileSync(p384, makeKey("P-384").pem);

      const refused: Array<[string[], RegExp?]> = [
        [["--key-id", otherId, "--p8", otherFile], /needs --issuer-id/],
        [["--individual", "--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", otherFile], /--individual/],
        [["--issuer-id", "not-an-issuer", "--key-id", otherId, "--p8", otherFile], /Issuer ID/],
        [["--issuer-id", ISSUER_ID, "--p8", otherFile], /--key-id/],
        [["--issuer-id", ISSUER_ID, "--key-id", "HAS SPACE", "--p8", otherFile], /Key ID/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId], /--p8/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", path.join(tmp, "missing.p8")], /no file/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", tmp], /folder/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", rsa], /RSA/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", p384], /P-256/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", "-", "--trash"], /--trash/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", otherFile, "--bogus"], /--bogus/],
      ];
      for (const [args, pattern] of refused) {
        const run = await cli(["register", ...args], { input: other.pem });
        expectFailure(run, 2, pattern);
        // The test Issuer ID is Apple's documented example, which the Issuer ID hint quotes.
        expectNoSecrets(run.stderr, other, false);
      }
      expect(await savedStatus()).toEqual(before);
      expect(existsSync(otherFile)).toBe(true);
    });

    it("exits 3 and saves nothing when Apple rejects the key", async () => {
      expect((await registerTeam()).status).toBe(0);
      const before = await savedStatus();
      apple.requests.length = 0;
      const revoked = makeKey();
      const revokedId = makeKeyId();
      const file = path.join(tmp, `AuthKey_${revokedId}.p8`);
      writeFileSync(file, revoked.pem);
      apple.register({ keyId: revokedId, kind: "team", issuerId: ISSUER_ID, publicKey: revoked.publicKey }, "revoked");
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", revokedId, "--p8", file, "--trash"]);
      expectFailure(run, 3, /Apple rejected key .* Nothing was saved\.$/m);
      // Asked once more as an individual key, then what the 401 can mean, most likely first.
      expect(run.stderr).toMatch(
        /\(HTTP 401, asked as an individual key \(no Issuer ID\) too\)\. What that can mean, most likely first: \(1\) It was revoked.*\(2\) The Issuer ID is another team's: it is at the top of the Team Keys page.*\(3\) It is not an App Store Connect key.*\(4\) The clock: this Mac's clock is within a second of Apple's/,
      );
      expect(apple.requests).toHaveLength(2);
      expect(await savedStatus()).toEqual(before);
      expect(existsSync(file)).toBe(true);
    });

    it("an individual key registered with an Issuer ID: says so, and the command it prints saves it as one", async () => {
      const individual = makeKey();
      const individualId = makeKeyId();
      const file = path.join(tmp, `AuthKey_${individualId}.p8`);
      writeFileSync(file, individual.pem);
      apple.register({ keyId: individualId, kind: "individual", publicKey: individual.publicKey });
      const run = await cli([
        "register",
        "--issuer-id",
        ISSUER_ID,
        "--key-id",
        individualId.toLowerCase(),
        "--p8",
        file,
        "--name",
        "Mine",
      ]);
      expectFailure(run, 3, /is an individual key: Apple accepted it without the Issuer ID/);
      expect(apple.requests).toHaveLength(2);
      const rerun = `asc-key register --individual --key-id ${individualId} --p8 ${file} --name Mine`;
      expect(run.stderr).toContain(`Save it as an individual key: ${rerun}`);
      expect((await cli(["status"])).status).toBe(1);
      const again = await cli(rerun.split(" ").slice(1));
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain(`Yes, individual key, Key ID ${individualId}`);
    });

    it("exits 5 and saves nothing when Apple is unreachable or has a server error, and points at --skip-verify", async () => {
      const closed = await closedPortUrl();
      expectFailure(await registerTeam([], { env: { LINGCODE_ASC_API_URL: closed } }), 5, /--skip-verify/);
      apple.setBehaviour(keyId, "server-error");
      expectFailure(await registerTeam(), 5, /server error.*--skip-verify/);
      expect((await cli(["status"])).status).toBe(1);
    });

    it("saves without asking Apple with --skip-verify", async () => {
      const run = await registerTeam(["--skip-verify"], { env: { LINGCODE_ASC_API_URL: await closedPortUrl() } });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/without checking/);
      expect(apple.requests).toHaveLength(0);
      expect((await savedStatus()).fingerprint).toBe(fingerprintOf(key.publicKey));
    });

    it("saves with a warning when the key works but its role is limited", async () => {
      apple.setBehaviour(keyId, "role-limited");
      const run = await registerTeam();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Key ID ${keyId}`);
      expect(run.stderr).toMatch(/^asc-key: warning: .*role/m);
    });

    it("warns when the file is named for another Key ID", async () => {
      const renamed = path.join(path.dirname(p8), "AuthKey_ZZZZZZZZZZ.p8");
      writeFileSync(renamed, key.pem);
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", renamed]);
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(/^asc-key: warning: The file is named for Key ID ZZZZZZZZZZ/m);
    });

    it.skipIf(!HAS_GIO)("moves the .p8 to the Trash with --trash (gio on Linux), under a free name", async () => {
      const run = await registerTeam(["--trash"]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/moved AuthKey_\w+\.p8 to the Trash/);
      expect(existsSync(p8)).toBe(false);
      const name = path.basename(p8);
      const trashed = path.join(dataHome, "Trash", "files", name);
      expect(readFileSync(trashed, "utf8")).toBe(key.pem);
      const info = readFileSync(path.join(dataHome, "Trash", "info", `${name}.trashinfo`), "utf8");
      expect(info).toMatch(/^\[Trash Info\]\nPath=\/\S+\nDeletionDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n$/);
      expect(decodeURIComponent(/Path=(.*)/.exec(info)![1])).toBe(p8);

      // The same name again: kept beside the first, never over it.
      writeFileSync(p8, key.pem);
      expect((await registerTeam(["--trash"])).status).toBe(0);
      expect(existsSync(p8)).toBe(false);
      const second = path.join(dataHome, "Trash", "files", `AuthKey_${keyId}.2.p8`);
      expect(readFileSync(second, "utf8")).toBe(key.pem);
      expect(readFileSync(trashed, "utf8")).toBe(key.pem);
      expect(existsSync(path.join(dataHome, "Trash", "info", `AuthKey_${keyId}.2.p8.trashinfo`))).toBe(true);
    });

    it.skipIf(!HAS_GIO)("--trash through a symbolic link trashes the file it points to, then the link", async () => {
      // The key kept elsewhere, Downloads holding only a link to it.
      const real = path.join(path.dirname(p8), "keys", path.basename(p8));
      mkdirSync(path.dirname(real));
      renameSync(p8, real);
      symlinkSync(real, p8);
      const run = await registerTeam(["--trash"]);
      expect(run.status, run.stderr).toBe(0);
      // It names the file it really moved, by its path, and says the link went too.
      expect(withoutPrivilegeNote(run.stderr)).toBe(
        `asc-key: moved ${real} (the file behind the link ${path.basename(p8)}) and the link to the Trash.\n`,
      );
      expect(existsSync(real)).toBe(false);
      expect(lstatSync(p8, { throwIfNoEntry: false })).toBeUndefined();
      const files = path.join(dataHome, "Trash", "files");
      expect(readFileSync(path.join(files, path.basename(p8)), "utf8")).toBe(key.pem);
      expect(lstatSync(path.join(files, `AuthKey_${keyId}.2.p8`)).isSymbolicLink()).toBe(true);
    });

    it("only warns when the file cannot go to the Trash: the key is saved, the file stays", async () => {
      // XDG_DATA_HOME is a file, so no Trash folder can be made in it.
      writeFileSync(dataHome, "in the way");
      const run = await registerTeam(["--trash"]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Key ID ${keyId}`);
      expect(run.stderr).toMatch(
        /^asc-key: warning: the key is saved, but AuthKey_\w+\.p8 was not moved to the Trash/m,
      );
      expect(existsSync(p8)).toBe(true);
      expect((await savedStatus()).keyId).toBe(keyId);
    });

    it.skipIf(process.platform !== "linux")(
      "without gio: the warning says what to install; the key is saved",
      async () => {
        const bin = path.join(path.dirname(p8), "bin");
        mkdirSync(bin);
        const secretTool = execFileSync("sh", ["-c", "command -v secret-tool"], { encoding: "utf8" }).trim();
        symlinkSync(secretTool, path.join(bin, "secret-tool"));
        const run = await registerTeam(["--trash"], { env: { PATH: bin } });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toContain(
          `asc-key: warning: the key is saved, but AuthKey_${keyId}.p8 was not moved to the Trash (Moving files to the Trash on Linux needs gio, GLib's command line tool (apt-get install libglib2.0-bin); it was not found); delete it yourself.`,
        );
        expect(existsSync(p8)).toBe(true);
        expect((await savedStatus()).keyId).toBe(keyId);
      },
    );

    it.skipIf(!HAS_GIO)(
      "--trash through a link named differently from its file: both names, the file's by its path",
      async () => {
        const real = path.join(path.dirname(p8), "vault", `AuthKey_${keyId}.p8`);
        mkdirSync(path.dirname(real));
        renameSync(p8, real);
        const link = path.join(path.dirname(p8), "current-key.p8");
        symlinkSync(real, link);
        const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", link, "--trash"]);
        expect(run.status, run.stderr).toBe(0);
        expect(withoutPrivilegeNote(run.stderr)).toBe(
          `asc-key: moved ${real} (the file behind the link current-key.p8) and the link to the Trash.\n`,
        );
        expect(existsSync(real)).toBe(false);
        expect(lstatSync(link, { throwIfNoEntry: false })).toBeUndefined();
      },
    );

    it.skipIf(!HAS_GIO)("shows terminal controls in file names and paths as escapes, never raw", async () => {
      const dir = path.dirname(p8);
      // (No line break: --p8 refuses one, as it may be the key itself pasted where the path belongs.)
      const hostile = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f";
      const shown = "\\x1b]0;pwned\\x07\\x1b[2J\\u009b31m\\u007f";
      const folder = path.join(dir, `keys${hostile}`);
      mkdirSync(folder);
      const large = path.join(dir, `big${hostile}.p8`);
      writeFileSync(large, "#".repeat(20 * 1024));
      const refused: Array<[string, RegExp]> = [
        [path.join(dir, `missing${hostile}.p8`), /There is no file at missing(.*)\.p8;/],
        [folder, /^asc-key: keys(.*) is a folder;/],
        [large, /^asc-key: big(.*)\.p8 is 20 KB;/],
      ];
      for (const [file, pattern] of refused) {
        const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", file]);
        expectFailure(run, 2, pattern);
        expect(run.stderr).not.toMatch(RAW_CONTROL);
        expect(pattern.exec(run.stderr)![1]).toBe(shown);
      }

      // Moved to the Trash under such a name, and the Trash at such a path failing.
      const named = path.join(dir, `AuthKey_${keyId}${hostile}.p8`);
      renameSync(p8, named);
      const args = ["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", named, "--trash"];
      const moved = await cli(args);
      expect(moved.status, moved.stderr).toBe(0);
      expect(withoutPrivilegeNote(moved.stderr)).toBe(`asc-key: moved AuthKey_${keyId}${shown}.p8 to the Trash.\n`);
      writeFileSync(named, key.pem);
      const blocked = path.join(dir, `data${hostile}`);
      writeFileSync(blocked, "in the way");
      const failed = await cli(args, { env: { XDG_DATA_HOME: blocked } });
      expect(failed.status).toBe(0);
      expect(failed.stderr).toContain(`but AuthKey_${keyId}${shown}.p8 was not moved to the Trash`);
      expect(failed.stderr).toContain(`Unable to create trash directory ${dir}/data${shown}/Trash: Not a directory`);
      expect(moved.stderr + failed.stderr + failed.stdout).not.toMatch(RAW_CONTROL);
    });

    it("says when LingCode switches to a new key of the same team, and that the old one stays saved", async () => {
      expect((await registerTeam()).status).toBe(0);
      const next = makeKey();
      const nextId = makeKeyId();
      const file = path.join(tmp, `AuthKey_${nextId}.p8`);
      writeFileSync(file, next.pem);
      apple.register({ keyId: nextId, kind: "team", issuerId: ISSUER_ID, publicKey: next.publicKey });
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", nextId, "--p8", file]);
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(
        `LingCode now uses this key, saved as "Team ...b6c, key ${nextId}"; "Team ...b6c, key ${keyId}" stays saved (asc-key use ${keyId} switches back).`,
      );
      expect(run.stderr).not.toContain("replaced");
      expect((await savedStatus()).keyId).toBe(nextId);
    });
  });

  describe("verify", () => {
    it("exits 1 when no key is configured", async () => {
      expectFailure(await cli(["verify"]), 1, /No, no ASC key configured/);
      expectFailure(await cli(["verify", "--json"]), 1);
    });

    it("prints the sentence for a valid key, and JSON with the documented fields and nothing secret", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["verify"]);
      expect(run).toEqual({
        status: 0,
        stdout: `Key ${keyId} works: App Store Connect accepted it; nothing to do.\n`,
        stderr: "",
      });
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(0);
      expect(json.stdout.trimEnd().split("\n")).toHaveLength(1);
      const value = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(["outcome", "message", "rateLimitRemaining", "clockOffsetSeconds"]);
      expect(value.outcome).toBe("valid");
      expect(typeof value.rateLimitRemaining).toBe("number");
      expect(Math.abs(value.clockOffsetSeconds as number)).toBeLessThanOrEqual(2);
      expectNoSecrets(json.stdout + json.stderr + run.stdout, key);
    });

    it("exits 0 with a warning on stderr for role-limited, agreement-required and rate-limited", async () => {
      expect((await registerTeam()).status).toBe(0);
      const cases = [
        ["role-limited", "role-limited"],
        ["agreement", "agreement-required"],
        ["rate-limited", "rate-limited"],
      ] as const;
      for (const [behaviour, outcome] of cases) {
        apple.setBehaviour(keyId, behaviour);
        const run = await cli(["verify"]);
        expect(run.status, outcome).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`^Key ${keyId} .*\\n$`));
        expect(run.stderr).toMatch(/^asc-key: warning: the key is valid, but .*\n$/);
        const json = await cli(["verify", "--json"]);
        expect(json.status).toBe(0);
        expect(JSON.parse(json.stdout)).toMatchObject({ outcome });
        expect(json.stderr).toMatch(/^asc-key: warning: /);
      }
    });

    it("exits 3 when Apple rejects the key", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "revoked");
      expectFailure(await cli(["verify"]), 3, /Apple rejected key/);
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(3);
      const value = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(value.outcome).toBe("rejected");
      expect(Object.keys(value)).toEqual(["outcome", "message", "clockOffsetSeconds"]);
      expectNoSecrets(json.stdout, key);
    });

    it("exits 5 on a server error or when Apple is unreachable", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "server-error");
      expectFailure(await cli(["verify"]), 5, /server error/);
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(5);
      expect(JSON.parse(json.stdout)).toMatchObject({ outcome: "server-error" });

      const closed = { env: { LINGCODE_ASC_API_URL: await closedPortUrl() } };
      expectFailure(await cli(["verify"], closed), 5, /Could not reach App Store Connect/);
      const unreachable = await cli(["verify", "--json"], closed);
      expect(unreachable.status).toBe(5);
      const value = JSON.parse(unreachable.stdout) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(["outcome", "message"]);
      expect(value.outcome).toBe("unreachable");
    });
  });

  describe("hostile answers from Apple's address", () => {
    /** `asc-key <args>` with its peak resident set size in MiB (undefined when it died before reporting). */
    async function measured(args: string[]): Promise<Run & { peakMiB?: number }> {
      const file = path.join(mkdtempSync(path.join(tmp, "rss-")), "peak");
      const run = await cli(args, { nodeArgs: ["--import", PEAK_RSS], env: { PEAK_RSS_FILE: file } });
      return existsSync(file) ? { ...run, peakMiB: Number(readFileSync(file, "utf8")) / 1024 } : run;
    }

    it.each([
      { behaviour: "endless", what: "a body that never ends" },
      { behaviour: "gzip-bomb", what: "a gzip bomb inflating to 3 GiB" },
    ] as const)(
      "$behaviour ($what): server-error, exit 5 with one line, under 200 MB, nothing saved",
      async ({ behaviour }) => {
        expect((await registerTeam()).status).toBe(0);
        const before = await savedStatus();
        apple.setBehaviour(keyId, behaviour);

        const verify = await measured(["verify"]);
        expectFailure(verify, 5, /was over 1 MB/);
        // It hung up rather than read on (a gzip bomb may be all sent already: it is only 3 MB on the wire).
        const request = apple.requests.at(-1)!;
        if (behaviour === "endless") await vi.waitFor(() => expect(request.hungUp).toBe(true));
        expect(verify.peakMiB, `peak RSS not reported; exit ${verify.status}`).toBeDefined();
        expect(verify.peakMiB!).toBeLessThan(200);

        const json = await measured(["verify", "--json"]);
        expect(json.status).toBe(5);
        expect(JSON.parse(json.stdout)).toMatchObject({ outcome: "server-error" });
        expect(json.peakMiB!).toBeLessThan(200);

        const other = makeKey();
        const otherId = makeKeyId();
        const file = path.join(path.dirname(p8), `AuthKey_${otherId}.p8`);
        writeFileSync(file, other.pem);
        apple.register({ keyId: otherId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey }, behaviour);
        const register = await measured(["register", "--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", file]);
        expectFailure(register, 5, /over 1 MB.*Nothing was saved; --skip-verify/);
        expect(register.peakMiB!).toBeLessThan(200);
        expect(await savedStatus()).toEqual(before);
      },
      60_000,
    );

    it("a 401 with an HTML page is rejected (exit 3), a 429 with one rate-limited (exit 0)", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "html-401");
      expectFailure(await cli(["verify"]), 3, /^asc-key: Apple rejected key /);
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({ outcome: "rejected" });
      apple.setBehaviour(keyId, "html-429");
      const limited = await cli(["verify"]);
      expect(limited.status).toBe(0);
      expect(limited.stderr).toMatch(/^asc-key: warning: the key is valid, but it has used up this hour's requests/);

      // Registering: rejected, nothing saved.
      const before = await savedStatus();
      const other = makeKey();
      const otherId = makeKeyId();
      const file = path.join(path.dirname(p8), `AuthKey_${otherId}.p8`);
      writeFileSync(file, other.pem);
      apple.register({ keyId: otherId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey }, "html-401");
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", file]);
      expectFailure(run, 3, /Apple rejected key .* Nothing was saved\.$/m);
      expect(await savedStatus()).toEqual(before);
    });

    it("Apple's title with terminal controls reaches stderr and JSON escaped, never raw", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "hostile-words");
      const run = await cli(["verify"]);
      expectFailure(run, 5);
      expect(run.stderr).toContain('HTTP 403 "Evil\\x1b[2J\\x1b]0;pwned\\x07 title \\u009b31mred\\u007f"');
      expect(run.stderr).not.toMatch(RAW_CONTROL);
      expect(HOSTILE_TITLE).toMatch(RAW_CONTROL);

      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(5);
      expect(json.stdout + json.stderr).not.toMatch(RAW_CONTROL);
      const value = JSON.parse(json.stdout) as { message: string };
      expect(value.message).toContain('"Evil\\x1b[2J');
      expect(value.message).not.toMatch(RAW_CONTROL);
    });
  });

  describe("verify --capabilities", () => {
    const AREA_LINES = ["Apps", "Builds", "TestFlight", "Provisioning", "Users and Access"];
    async function saveWithRole(behaviour: Behaviour, individual = false): Promise<string> {
      let id = keyId;
      if (individual) {
        id = makeKeyId();
        apple.register({ keyId: id, kind: "individual", publicKey: key.publicKey }, behaviour);
        expect((await cli(["register", "--individual", "--key-id", id, "--p8", p8, "--skip-verify"])).status).toBe(0);
      } else {
        apple.setBehaviour(keyId, behaviour);
        expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      }
      apple.requests.length = 0;
      return id;
    }

    it.each(ROLE_CASES)("$name: each area's answer, the conclusions, exit 0", async (role) => {
      const id = await saveWithRole(role.behaviour, role.kind === "individual");
      const answers = Object.values(role.areas);
      const run = await cli(["verify", "--capabilities"]);
      expect(run.status, run.stderr).toBe(0);
      expect(apple.requests).toHaveLength(6);
      const out = run.stdout.split("\n");
      expect(out[0]).toBe(`What key ${id} can do (6 requests):`);
      AREA_LINES.forEach((title, i) => {
        expect(out[i + 1]).toMatch(new RegExp(`^  ${title} +${answers[i]} +GET /v1/`));
      });

      const json = await cli(["verify", "--capabilities", "--json"]);
      expect(json.status).toBe(0);
      expect(json.stdout.trimEnd().split("\n")).toHaveLength(1);
      const value = JSON.parse(json.stdout) as {
        outcome: string;
        areas: Record<string, { answer: string }>;
        conclusions: { id: string; level: string; text: string; sources: string[] }[];
        requests: number;
      };
      expect(Object.keys(value)).toEqual([
        "outcome",
        "message",
        "keyId",
        "areas",
        "conclusions",
        "requests",
        "rateLimitRemaining",
        "clockOffsetSeconds",
        "checkedAt",
      ]);
      expect(value.outcome).toBe("valid");
      expect(Object.values(value.areas).map((a) => a.answer)).toEqual(answers);
      expect(value.conclusions.map((c) => c.id)).toEqual(role.conclusions);
      expect(value.requests).toBe(6);

      // Informative conclusions on stdout, warnings on stderr, one line each.
      for (const conclusion of value.conclusions) {
        if (conclusion.level === "info") expect(run.stdout).toContain(`${conclusion.text}\n`);
        else expect(run.stderr).toContain(`asc-key: warning: ${conclusion.text}\n`);
      }
      expectNoSecrets(run.stdout + run.stderr + json.stdout + json.stderr, key);
    });

    it("the Admin warning in the CLI says how to switch with the CLI", async () => {
      await saveWithRole({ role: "admin" });
      expect((await cli(["role", keyId, "admin"])).status).toBe(0);
      const run = await cli(["verify", "--capabilities"]);
      expect(run.stdout).toContain("  Role: Admin (recorded from Team Keys)\n");
      expect(run.stderr).toContain(`asc-key: warning: ${KEY_ROLE.admin.advice!(keyId, CLI_SWITCH_HINT)}\n`);
    });

    it("a role recorded from Team Keys: App Manager says nothing anywhere, Admin gets the advice to rotate", async () => {
      await saveWithRole({ role: "app-manager" });
      const recorded = await cli(["role", keyId, "App Manager"]);
      expect(recorded.status, recorded.stderr).toBe(0);
      expect(recorded.stdout).toMatch(
        new RegExp(`^Key ${keyId} \\(".*"\\) recorded as App Manager \\(from Team Keys\\)\\.\n$`),
      );
      expect(recorded.stderr).toBe("");
      const capabilities = await cli(["verify", "--capabilities"]);
      expect(capabilities.stdout).toContain("  Role: App Manager (recorded from Team Keys)\n");
      expect(capabilities.stdout + capabilities.stderr).not.toMatch(
        /Users and Access, so it is|warning:.*Users and Access/,
      );
      // Registered again (the same .p8, so the line keeps its role): the privilege probe finds nothing to say.
      const again = await registerTeam();
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toBe("");
      const admin = await cli(["role", keyId, "admin"]);
      expect(admin.stderr).toBe(`asc-key: warning: ${KEY_ROLE.admin.advice!(keyId, CLI_SWITCH_HINT)}\n`);
      expectFailure(await cli(["role", keyId, "developer"]), 2, /The role is one of app-manager, admin, none/);
      expect((await cli(["role", keyId, "none"])).stdout).toMatch(/no role recorded/);
    });

    it("rate limited: every area unknown with the reason, never no; exit 0 with the warning", async () => {
      await saveWithRole({ role: "admin", answer: "rate-limited" });
      const run = await cli(["verify", "--capabilities"]);
      expect(run.status).toBe(0);
      for (const title of AREA_LINES) {
        expect(run.stdout).toMatch(new RegExp(`^  ${title} +unknown +GET .*\\(rate limited: .*\\)$`, "m"));
      }
      expect(run.stdout).not.toMatch(/ no +GET/);
      expect(run.stderr).toMatch(/warning: the key is valid, but it has used up this hour's requests/);
      const json = JSON.parse((await cli(["verify", "--capabilities", "--json"])).stdout) as {
        areas: Record<string, { answer: string; cause: string }>;
      };
      for (const area of Object.values(json.areas))
        expect(area).toMatchObject({ answer: "unknown", cause: "rate-limited" });
    });

    it("offline: exit 5, the reason on stderr; JSON says unknown (offline) for every area", async () => {
      await saveWithRole({ role: "admin" });
      const closed = { env: { LINGCODE_ASC_API_URL: await closedPortUrl() } };
      expectFailure(await cli(["verify", "--capabilities"], closed), 5, /Could not reach App Store Connect/);
      const json = await cli(["verify", "--capabilities", "--json"], closed);
      expect(json.status).toBe(5);
      const value = JSON.parse(json.stdout) as {
        outcome: string;
        areas: Record<string, { answer: string; reason: string }>;
      };
      expect(value.outcome).toBe("unreachable");
      for (const area of Object.values(value.areas)) {
        expect(area).toMatchObject({ answer: "unknown", reason: "offline: connection refused" });
      }
    });

    it("a rejected key exits 3; no key exits 1", async () => {
      await saveWithRole({ role: "admin", answer: "revoked" });
      expectFailure(await cli(["verify", "--capabilities"]), 3, /Apple rejected key/);
      clearDirectly(service, ACCOUNT);
      expectFailure(await cli(["verify", "--capabilities"]), 1, /No, no ASC key configured/);
    });

    it("an agreement waiting: exit 0, every area unknown (agreement missing)", async () => {
      await saveWithRole({ role: "admin", answer: "agreement" });
      const run = await cli(["verify", "--capabilities"]);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^ {2}Users and Access +unknown +GET \/v1\/users \(agreement missing: /m);
      expect(run.stderr).toMatch(/Account Holder to accept an agreement/);
    });
  });

  describe("doctor", () => {
    let home: string;
    /** A home of its own, with none of the other tools' variables. */
    const doctorEnv = () => ({
      HOME: home,
      ASC_KEY_ID: undefined,
      ASC_ISSUER_ID: undefined,
      ASC_PRIVATE_KEY: undefined,
      ASC_PRIVATE_KEY_PATH: undefined,
      ASC_PRIVATE_KEY_B64: undefined,
      APP_STORE_CONNECT_API_KEY_KEY_ID: undefined,
      APP_STORE_CONNECT_API_KEY_ISSUER_ID: undefined,
      APP_STORE_CONNECT_API_KEY_KEY: undefined,
      APP_STORE_CONNECT_API_KEY_KEY_FILEPATH: undefined,
      APP_STORE_CONNECT_API_KEY_PATH: undefined,
      APP_STORE_CONNECT_KEY_IDENTIFIER: undefined,
      APP_STORE_CONNECT_ISSUER_ID: undefined,
      APP_STORE_CONNECT_PRIVATE_KEY: undefined,
      SSH_CONNECTION: undefined,
      SSH_TTY: undefined,
      SSH_CLIENT: undefined,
    });
    const doctor = (args: string[] = [], env: Record<string, string | undefined> = {}) =>
      cli(["doctor", ...args], { env: { ...doctorEnv(), ...env } });
    type Lines = { ok: boolean; lines: { check: string; level: string; text: string; fix?: string }[] };
    const levels = (value: Lines) => Object.fromEntries(value.lines.map((line) => [line.check, line.level]));

    beforeEach(() => {
      home = mkdtempSync(path.join(tmp, "home-"));
      apple.setClockSkew(0);
    });
    afterEach(() => apple.setClockSkew(0));

    it("all well: every line passes, exit 0; one request to Apple", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      const run = await doctor();
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(
        run.stdout
          .trimEnd()
          .split("\n")
          .map((line) => line.split(/\s+/)[0]),
      ).toEqual(["pass", "pass", "pass", "pass", "pass", "pass"]);
      expect(run.stdout).toMatch(/^pass {2}keychain: The Keychain answers and holds key \w+\.$/m);
      expect(apple.requests.map((r) => r.path)).toEqual(["/v1/apps?limit=1"]);
      const json = await doctor(["--json"]);
      expect(json.status).toBe(0);
      const value = JSON.parse(json.stdout) as Lines;
      expect(value.ok).toBe(true);
      expect(value.lines.map((line) => line.check)).toEqual([
        "keychain",
        "leftover-files",
        "environment",
        "apple",
        "clock",
        "key-age",
      ]);
      expectNoSecrets(run.stdout + run.stderr + json.stdout, key);
    });

    it("no key saved: the keychain line fails, exit 6", async () => {
      const run = await doctor(["--json"]);
      expect(run.status).toBe(6);
      const value = JSON.parse(run.stdout) as Lines;
      expect(value.ok).toBe(false);
      expect(value.lines[0]).toMatchObject({ check: "keychain", level: "fail" });
      expect(apple.requests).toHaveLength(0);
    });

    it.skipIf(!HAS_GIO)(
      "the .p8 left in ~/Downloads: a warning with the command; --trash-leftovers moves it",
      async () => {
        expect((await registerTeam(["--skip-verify"])).status).toBe(0);
        mkdirSync(path.join(home, "Downloads"));
        const leftover = path.join(home, "Downloads", `AuthKey_${keyId}.p8`);
        writeFileSync(leftover, key.pem);
        const run = await doctor();
        expect(run.status).toBe(0);
        expect(run.stdout).toContain(
          `warn  leftover-files: The saved key's .p8 is still on disk: ~/Downloads/AuthKey_${keyId}.p8; the Keychain has it, so the copy is only a risk. Fix: move it to the Trash: asc-key doctor --trash-leftovers.`,
        );
        const trashed = await doctor(["--trash-leftovers"]);
        expect(trashed.status).toBe(0);
        expect(trashed.stderr).toBe(`asc-key: moved ~/Downloads/AuthKey_${keyId}.p8 to the Trash.\n`);
        expect(trashed.stdout).toMatch(/^pass {2}leftover-files: /m);
        expect(existsSync(leftover)).toBe(false);
        expect(existsSync(path.join(dataHome, "Trash", "files", `AuthKey_${keyId}.p8`))).toBe(true);
      },
    );

    it("an environment variable naming another key: a warning naming the tool", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      const run = await doctor([], { ASC_KEY_ID: "OTHER00001" });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(
        `warn  environment: ASC_KEY_ID names key OTHER00001, not the saved ${keyId} (the asc CLI uses it first). Fix: unset ASC_KEY_ID (or point it at the saved key).`,
      );
    });

    it("an agreement waiting for the Account Holder fails, exit 6", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      apple.setBehaviour(keyId, "agreement");
      const run = await doctor();
      expect(run.status).toBe(6);
      expect(run.stdout).toMatch(
        /^fail {2}apple: An agreement is waiting for the Account Holder.* Fix: the Account Holder accepts it/m,
      );
    });

    it("a clock two minutes fast fails the clock line (and Apple refuses the key)", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      apple.setClockSkew(-120);
      const run = await doctor(["--json"]);
      expect(run.status).toBe(6);
      const value = JSON.parse(run.stdout) as Lines;
      expect(levels(value)).toMatchObject({ apple: "fail", clock: "fail" });
      expect(value.lines.find((line) => line.check === "clock")?.text).toMatch(/^The clock is 1\d\d s fast/);
    });

    it("offline: Apple and the clock warn, nothing fails, exit 0", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      const run = await doctor(["--json"], { LINGCODE_ASC_API_URL: await closedPortUrl() });
      expect(run.status).toBe(0);
      expect(levels(JSON.parse(run.stdout) as Lines)).toMatchObject({ apple: "warn", clock: "warn" });
    });

    it("the key's age against --rotate-after (default 180)", async () => {
      const old = makeRecord({ keyId, savedAt: new Date(Date.now() - 200 * 86_400_000).toISOString() }, key);
      storeDirectly(service, ACCOUNT, serializeRecord(old));
      const byDefault = await doctor();
      expect(byDefault.stdout).toMatch(
        new RegExp(`^warn  key-age: Key ${keyId} was saved 200 days ago, past the 180 days`, "m"),
      );
      expect((await doctor(["--rotate-after", "365"])).stdout).toMatch(/^pass {2}key-age: .*\(rotate after 365\)\.$/m);
      expect((await doctor(["--rotate-after", "0"])).stdout).toMatch(
        /^pass {2}key-age: .*rotation reminders are off\.$/m,
      );
      expectFailure(await doctor(["--rotate-after", "soon"]), 2, /--rotate-after takes whole days/);
    });
  });

  describe("token", () => {
    it("exits 1 when no key is configured", async () => {
      expectFailure(await cli(["token"]), 1, /No, no ASC key configured/);
    });

    it("prints only a JWT that verifies with the public key and carries the team claims", async () => {
      expect((await registerTeam()).status).toBe(0);
      const before = Math.floor(Date.now() / 1000);
      const run = await cli(["token"]);
      const after = Math.floor(Date.now() / 1000);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const { header, claims, signed, signature } = decodeJwt(run.stdout.trim());
      expect(verifySignature("sha256", signed, { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)).toBe(
        true,
      );
      expect(header).toEqual({ alg: "ES256", kid: keyId, typ: "JWT" });
      expect(claims.iss).toBe(ISSUER_ID);
      expect(claims.sub).toBeUndefined();
      expect(claims.aud).toBe("appstoreconnect-v1");
      expect(claims.scope).toBeUndefined();
      const iat = claims.iat as number;
      expect((claims.exp as number) - iat).toBe(600);
      expect(iat).toBeGreaterThanOrEqual(before - 61);
      expect(iat).toBeLessThanOrEqual(after - 59);

      // It works as the curl example in docs/cli.md uses it.
      const answer = await fetch(`${apple.url}/v1/apps`, { headers: { Authorization: `Bearer ${run.stdout.trim()}` } });
      expect(answer.status).toBe(200);
    });

    it("takes --ttl and repeated --scope", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["token", "--ttl", "1200", "--scope", "GET /v1/apps", "--scope", "GET /v1/builds?limit=1"]);
      expect(run.status, run.stderr).toBe(0);
      const { claims } = decodeJwt(run.stdout.trim());
      expect((claims.exp as number) - (claims.iat as number)).toBe(1200);
      expect(claims.scope).toEqual(["GET /v1/apps", "GET /v1/builds?limit=1"]);
      expectFailure(await cli(["token", "--ttl", "1201"]), 2, /1200/);
      expectFailure(await cli(["token", "--scope", "apps please"]), 2, /scope/);
    });

    it("signs individual-key tokens with sub and without iss", async () => {
      const individualId = makeKeyId();
      apple.register({ keyId: individualId, kind: "individual", publicKey: key.publicKey });
      const register = await cli(["register", "--individual", "--key-id", individualId, "--p8", "-"], {
        input: key.pem,
      });
      expect(register.status, register.stderr).toBe(0);
      const run = await cli(["token", "--ttl", "300"]);
      expect(run.status).toBe(0);
      const { header, claims, signed, signature } = decodeJwt(run.stdout.trim());
      expect(
        verifySignature("sha256", signed, { key: createPublicKey(key.pem), dsaEncoding: "ieee-p1363" }, signature),
      ).toBe(true);
      expect(header.kid).toBe(individualId);
      expect(claims.sub).toBe("user");
      expect(claims).not.toHaveProperty("iss");
      expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    });
  });

  describe("remove", () => {
    it("deletes the entry with one line, then exits 1 when there is nothing left", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["remove"]);
      expect(run).toEqual({
        status: 0,
        stdout: `Removed "Team ...b6c, key ${keyId}", key ${keyId} (Issuer ID ends in ...b6c), from the Keychain.\n`,
        stderr: "",
      });
      expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
      expect((await cli(["status"])).status).toBe(1);
      expectFailure(await cli(["remove"]), 1, /nothing to remove/);
    });

    it("a key removed by someone else after it was found is a removal, not a failure", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      // A secret-tool whose every clear comes second: another removal got there first.
      const bin = mkdtempSync(path.join(tmp, "bin-"));
      writeFileSync(
        path.join(bin, "secret-tool"),
        `#!/bin/sh\nif [ "$1" = clear ]; then ${JSON.stringify(realSecretTool())} "$@"; fi\nexec ${JSON.stringify(realSecretTool())} "$@"\n`,
        { mode: 0o755 },
      );
      const run = await cli(["remove"], { env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(
        new RegExp(`^Removed "[^"]+", key ${keyId} \\(Issuer ID ends in \\.\\.\\.b6c\\), from the Keychain\\.\\n`),
      );
      expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
    });

    it("removes an unreadable entry", async () => {
      storeDirectly(service, ACCOUNT, "{broken");
      const run = await cli(["remove"]);
      expect(run).toEqual({ status: 0, stdout: "Removed the unreadable key entry from the Keychain.\n", stderr: "" });
      expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
    });
  });
});

// On macOS `open` always works (it would start a browser), so the no-opener cases are Linux-only.
describe.skipIf(process.platform === "darwin")("open", () => {
  it("prints the Team Keys URL where nothing can open it (no xdg-open on PATH)", async () => {
    const run = await cli(["open"], { env: { PATH: nodeOnlyPath(tmp), DISPLAY: ":99" } });
    expect(run).toEqual({ status: 0, stdout: `${TEAM_KEYS_URL}\n`, stderr: "" });
  });

  it("hands the URL to xdg-open in a graphical session, and prints it", async () => {
    const bin = mkdtempSync(path.join(tmp, "xdg-"));
    const out = path.join(bin, "opened.txt");
    const opener = path.join(bin, "xdg-open");
    writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`);
    chmodSync(opener, 0o755);
    const run = await cli(["open"], { env: { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ":99" } });
    expect(run).toEqual({ status: 0, stdout: `${TEAM_KEYS_URL}\n`, stderr: "" });
    for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readFileSync(out, "utf8")).toBe(TEAM_KEYS_URL);
  });

  it("does not start xdg-open without a display", async () => {
    const bin = mkdtempSync(path.join(tmp, "xdg-"));
    const out = path.join(bin, "opened.txt");
    writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\ntouch "${out}"\n`, { mode: 0o755 });
    const run = await cli(["open"], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${TEAM_KEYS_URL}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(out)).toBe(false);
  });
});
