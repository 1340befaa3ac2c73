/**
 * asc-key exec, export and notary-profile, run as child processes from the bundle against the private Secret Service
 * `npm test` starts. The command exec runs is test/support/exec-child.cjs, which reports what it received (names,
 * modes, SHA-256 of values and file contents) and never the key; notary-profile runs test/support/xcrun-stand-in.cjs
 * in place of xcrun. Each case gets its own TMPDIR, so "the private folder is gone" means that TMPDIR is empty again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  EXPORT_GROUPS,
  EXPORT_TABLE,
  selectGroups,
  type ExportGroup,
  type ValueSource,
} from "../../src/lib/exports/table";
import { ACCOUNT } from "../../src/lib/keychain";
import { serializeRecord, type KeyRecord } from "../../src/lib/record";
import { clearDirectly, HAS_KEYRING, storeDirectly, testService } from "../support/keyring";
import { expectCleanOutput } from "../support/asc-key";
import { nodeOnlyPath } from "../support/cli";
import { ISSUER_ID, makeKey, makeRecord, type TestKey } from "../support/keys";
import { expectNoSecret } from "../support/leaks";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
const CHILD = path.join(ROOT, "test", "support", "exec-child.cjs");
const XCRUN = path.join(ROOT, "test", "support", "xcrun-stand-in.cjs");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface Report {
  pid: number;
  env: Record<string, string>;
  files: Record<
    string,
    {
      path: string;
      mode: string;
      directory: boolean;
      entries?: string[];
      sha256?: string;
      json?: Record<string, string>;
    }
  >;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

let tmp: string;
/** The environment each run starts from. */
let baseEnv: Record<string, string | undefined>;

function start(
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; done: Promise<Run> } {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...baseEnv, ...env })) if (value !== undefined) merged[name] = value;
  const child = spawn(process.execPath, [BUNDLE, ...args], { cwd: tmp, env: merged, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin!.on("error", () => undefined);
  child.stdin!.end();
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  return { child, done };
}

const cli = (args: string[], env: Record<string, string | undefined> = {}) => start(args, env).done;

function reportOf(run: Run): Report {
  const line = run.stdout.split("\n").find((text) => text.startsWith("{"));
  if (!line) throw new Error(`the command reported nothing; stderr: ${run.stderr}`);
  return JSON.parse(line) as Report;
}

/**
 * No piece of the key (in any encoding, test/support/leaks.ts) on a command line: the Issuer ID may be there (it is
 * what notarytool's --issuer takes), and the machine's other command lines are none of this test's.
 */
function expectNoKeyOnArgv(argv: string, key: TestKey) {
  expectNoSecret({ pems: [key.pem] }, argv, "a command line");
}

async function waitFor(file: string, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      if (text !== "") return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} did not appear`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process's command line on this machine (Linux /proc), NUL separators as spaces. */
function allCommandLines(): string {
  const lines: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      lines.push(readFileSync(`/proc/${entry}/cmdline`, "latin1").replace(/\0/g, " "));
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return lines.join("\n");
}

/** A folder whose only program is node: no secret-tool. */

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-exec-"));
  baseEnv = { ...process.env, NODE_OPTIONS: undefined };
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("usage, before any Keychain access", () => {
  // No secret-tool on PATH: a Keychain access would exit 4, so exit 2 here proves nothing was read.
  const env = () => ({ PATH: nodeOnlyPath(tmp) });

  it("exits 2 when there is no command after --, or no -- at all", async () => {
    for (const args of [["exec"], ["exec", "--"], ["exec", "--only", "asc", "--"], ["exec", "node", "-v"]]) {
      const run = await cli(args, env());
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^asc-key: exec .*"--"/);
      expect(run.stdout).toBe("");
    }
  });

  it("exits 2 for an unknown --only group or option", async () => {
    const unknown = await cli(["exec", "--only", "fastlane,gradle", "--", process.execPath, "-v"], env());
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown group "gradle"');
    expect((await cli(["exec", "--only", "", "--", "true"], env())).status).toBe(2);
    expect((await cli(["exec", "--frobnicate", "ABC", "--", "true"], env())).status).toBe(2);
  });

  it("prints help that lists every variable of the table", async () => {
    const run = await cli(["exec", "--help"]);
    expect(run.status).toBe(0);
    for (const spec of EXPORT_TABLE) {
      expect(run.stdout).toContain(`  ${spec.group}: `);
      for (const variable of spec.variables) expect(run.stdout).toContain(variable.name);
    }
    for (const command of ["exec", "export", "notary-profile"]) {
      expect((await cli(["help", command])).stdout).toContain(`Usage: asc-key ${command}`);
    }
    const tool = await cli(["--help"]);
    expect(tool.stdout).toContain("127  exec: the command was not found");
  });

  it("export refuses a missing --format or --out, another format, and stdout", async () => {
    for (const args of [
      ["export", "--out", "x.json"],
      ["export", "--format", "fastlane-json"],
      ["export", "--format", "yaml", "--out", "x.json"],
      ["export", "--format", "fastlane-json", "--out", "-"],
    ]) {
      const run = await cli(args, env());
      expect(run.status, args.join(" ")).toBe(2);
    }
    expect(existsSync(path.join(tmp, "x.json"))).toBe(false);
    // The destination is checked before the Keychain is read.
    const noFolder = await cli(["export", "--format", "fastlane-json", "--out", path.join(tmp, "no", "x.json")], env());
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr).toContain("does not exist");
  });

  it("notary-profile refuses on a platform other than macOS when no xcrun is given, and bad names", async () => {
    const run = await cli(["notary-profile", "notary"], { ...env(), LINGCODE_XCRUN: undefined });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/needs macOS.*this is linux/);
    expect((await cli(["notary-profile"], env())).status).toBe(2);
    expect((await cli(["notary-profile", "a", "b"], env())).status).toBe(2);
    expect((await cli(["notary-profile", "--validate", "x"], env())).status).toBe(2);
  });
});

describe.skipIf(!HAS_KEYRING)("with a private Secret Service", () => {
  let service: string;
  let key: TestKey;
  let record: KeyRecord;
  let caseTmp: string;

  const seed = (kind: "team" | "individual" = "team") => {
    key = makeKey();
    record = makeRecord({ kind }, key);
    storeDirectly(service, ACCOUNT, serializeRecord(record));
  };

  beforeEach(() => {
    service = testService("exec");
    caseTmp = mkdtempSync(path.join(tmp, "tmpdir-"));
    seed();
    baseEnv = {
      ...process.env,
      NODE_OPTIONS: undefined,
      LINGCODE_KEYCHAIN_SERVICE: service,
      TMPDIR: caseTmp,
      // Left from elsewhere: must not reach the command mixed with this key.
      ASC_PRIVATE_KEY_B64: "c3RhbGU=",
      SPACESHIP_CONNECT_API_ISSUER_ID: "stale-issuer",
      APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64: "true",
    };
  });
  afterEach(() => clearDirectly(service, ACCOUNT));
  afterAll(() => {
    baseEnv = { ...process.env, NODE_OPTIONS: undefined };
  });

  /** What each value source should hash to for the seeded record. */
  function expectedHash(source: ValueSource, report: Report, name: string): string | undefined {
    switch (source) {
      case "key-id":
        return sha(record.keyId);
      case "issuer-id":
        return record.kind === "team" ? sha(ISSUER_ID) : undefined;
      case "key-kind":
        return sha(record.kind);
      case "private-key":
        return sha(record.privateKey);
      case "false":
        return sha("false");
      default:
        // A path: the report says what is there.
        return sha(report.files[name].path);
    }
  }

  function expectExposed(report: Report, groups: readonly ExportGroup[] | undefined) {
    const chosen = selectGroups(groups);
    const expected: Record<string, string> = {};
    for (const spec of chosen) {
      for (const variable of spec.variables) {
        const hash = expectedHash(variable.source, report, variable.name);
        if (hash !== undefined) expected[variable.name] = hash;
      }
    }
    // Inherited variables no chosen group touches pass through unchanged.
    const touched = new Set(chosen.flatMap((spec) => [...spec.variables, ...spec.clears].map((v) => v.name)));
    for (const [name, value] of Object.entries(baseEnv)) {
      if (value !== undefined && /^(APP_STORE_CONNECT_|ASC_|SPACESHIP_|EXPO_)/.test(name) && !touched.has(name)) {
        expected[name] = sha(value);
      }
    }
    expect(report.env).toEqual(expected);
  }

  function expectFiles(report: Report) {
    for (const [name, file] of Object.entries(report.files)) {
      if (file.directory) {
        expect(file.mode, name).toBe("700");
        expect(path.dirname(file.path)).toBe(caseTmp);
      } else {
        expect(file.mode, name).toBe("600");
        expect(statSync(caseTmp).isDirectory()).toBe(true);
        expect(path.dirname(path.dirname(file.path))).toBe(caseTmp);
      }
    }
    for (const name of ["ASC_KEY_PATH", "ASC_PRIVATE_KEY_PATH", "EXPO_ASC_API_KEY_PATH"]) {
      const file = report.files[name];
      if (!file) continue;
      expect(path.basename(file.path)).toBe(`AuthKey_${record.keyId}.p8`);
      expect(file.sha256).toBe(sha(record.privateKey));
    }
    const dir = report.files.API_PRIVATE_KEYS_DIR;
    if (dir) expect(dir.entries).toContain(`AuthKey_${record.keyId}.p8`);
    const json = report.files.APP_STORE_CONNECT_API_KEY_PATH;
    if (json) {
      const fields: Record<string, string> = {
        key_id: sha(JSON.stringify(record.keyId)),
        issuer_id: sha(JSON.stringify(ISSUER_ID)),
        key: sha(JSON.stringify(record.privateKey)),
        in_house: sha("false"),
      };
      if (record.kind === "individual") delete fields.issuer_id;
      expect(json.json).toEqual(fields);
      expect(Object.keys(json.json!)).toEqual(Object.keys(fields));
    }
  }

  const folderGone = () => expect(readdirSync(caseTmp)).toEqual([]);

  describe("exec", () => {
    const choices: Array<ExportGroup[] | undefined> = [
      undefined,
      ...EXPORT_GROUPS.map((group) => [group]),
      ["asc", "file"],
    ];
    for (const only of choices) {
      it(`exposes ${only ? only.join(",") : "every group"} and removes the folder after a normal exit`, async () => {
        const args = only
          ? ["exec", "--only", only.join(","), "--", process.execPath, CHILD]
          : ["exec", "--", process.execPath, CHILD];
        const run = await cli(args);
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toBe("");
        const report = reportOf(run);
        expectExposed(report, only);
        expectFiles(report);
        // A folder only where a chosen tool needs a file.
        const fileVariables = selectGroups(only).flatMap((spec) =>
          spec.variables.filter((v) => ["key-file", "key-folder", "fastlane-json"].includes(v.source)),
        );
        expect(Object.keys(report.files).length > 0).toBe(fileVariables.length > 0);
        expectCleanOutput(run);
        folderGone();
      });
    }

    it("leaves the Issuer ID out for an individual key, even one inherited from the caller", async () => {
      clearDirectly(service, ACCOUNT);
      seed("individual");
      const inherited = [
        "ASC_ISSUER_ID",
        "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
        "APP_STORE_CONNECT_ISSUER_ID",
        "EXPO_ASC_ISSUER_ID",
      ];
      const run = await cli(
        ["exec", "--", process.execPath, CHILD],
        Object.fromEntries(inherited.map((name) => [name, ISSUER_ID])),
      );
      expect(run.status, run.stderr).toBe(0);
      const report = reportOf(run);
      expect(report.env.EXPO_ASC_KEY_ID).toBe(sha(record.keyId));
      for (const name of inherited) {
        expect(report.env[name], name).toBeUndefined();
      }
      expect(report.env.ASC_KEY_TYPE).toBe(sha("individual"));
      expectFiles(report);
      folderGone();
    });

    it("removes EXPO_APPLE_APP_SPECIFIC_PASSWORD under eas, saying so on stderr, and leaves it to other groups", async () => {
      const password = "abcd-efgh-ijkl-mnop";
      const run = await cli(["exec", "--only", "eas", "--", process.execPath, CHILD], {
        EXPO_APPLE_APP_SPECIFIC_PASSWORD: password,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe(
        "asc-key: removed EXPO_APPLE_APP_SPECIFIC_PASSWORD from the command's environment: eas submit would use it instead of the key.\n",
      );
      expect(run.stderr).not.toContain(password);
      const report = reportOf(run);
      expect(report.env.EXPO_APPLE_APP_SPECIFIC_PASSWORD).toBeUndefined();
      expect(path.basename(report.files.EXPO_ASC_API_KEY_PATH.path)).toBe(`AuthKey_${record.keyId}.p8`);
      folderGone();
      const asc = await cli(["exec", "--only", "asc", "--", process.execPath, CHILD], {
        EXPO_APPLE_APP_SPECIFIC_PASSWORD: password,
      });
      expect(asc.status, asc.stderr).toBe(0);
      expect(asc.stderr).toBe("");
      expect(reportOf(asc).env.EXPO_APPLE_APP_SPECIFIC_PASSWORD).toBe(sha(password));
    });

    it("passes the command's exit status through and removes the folder when the command fails", async () => {
      const run = await cli(["exec", "--", process.execPath, CHILD, "--exit", "3"]);
      expect(run.status).toBe(3);
      expect(Object.keys(reportOf(run).files).length).toBeGreaterThan(0);
      folderGone();
      const killed = await cli(["exec", "--", process.execPath, CHILD, "--kill-self", "SIGKILL"]);
      expect(killed.status).toBe(128 + 9);
      folderGone();
    });

    for (const [signal, number] of [
      ["SIGTERM", 15],
      ["SIGINT", 2],
      ["SIGHUP", 1],
    ] as const) {
      it(`passes ${signal} on to the command, removes the folder and exits ${128 + number}`, async () => {
        const marker = path.join(tmp, `marker-${signal}-${process.pid}`);
        rmSync(marker, { force: true });
        rmSync(`${marker}.signal`, { force: true });
        const { child, done } = start(["exec", "--", process.execPath, CHILD, "--wait", marker]);
        let childPid: number | undefined;
        try {
          childPid = Number(await waitFor(marker));
          expect(readdirSync(caseTmp)).toHaveLength(1);
          // While it runs: no argv on the machine carries the key.
          expectNoKeyOnArgv(allCommandLines(), key);
          child.kill(signal);
          const run = await done;
          expect(run.status).toBe(128 + number);
          expect(readFileSync(`${marker}.signal`, "utf8")).toBe(signal);
          expect(isAlive(childPid)).toBe(false);
          folderGone();
          expectCleanOutput(run);
        } finally {
          // Whatever failed above, leave no process of this test behind.
          if (childPid && isAlive(childPid)) process.kill(childPid, "SIGKILL");
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }
      });
    }

    it("exits 127 for a command that is not found and 126 for one that cannot be run, removing the folder", async () => {
      const missing = await cli(["exec", "--", "no-such-command-lingcode"]);
      expect(missing.status).toBe(127);
      expect(missing.stderr).toBe("asc-key: no-such-command-lingcode: command not found.\n");
      folderGone();
      const plain = path.join(tmp, "not-executable.sh");
      writeFileSync(plain, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
      const denied = await cli(["exec", "--", plain]);
      expect(denied.status).toBe(126);
      expect(denied.stderr).toContain("permission denied");
      folderGone();
    });

    it("exits 70 and runs nothing when the private folder cannot be made", async () => {
      const marker = path.join(tmp, "ran-without-folder");
      const run = await cli(["exec", "--", process.execPath, CHILD, "--wait", marker], {
        TMPDIR: path.join(caseTmp, "missing"),
      });
      expect(run.status).toBe(70);
      expect(run.stderr).toMatch(/^asc-key: could not make the private folder .*ENOENT/);
      expect(existsSync(marker)).toBe(false);
      // Without a file to hold, no folder is needed: codemagic alone still runs.
      const codemagic = await cli(["exec", "--only", "codemagic", "--", process.execPath, CHILD], {
        TMPDIR: path.join(caseTmp, "missing"),
      });
      expect(codemagic.status, codemagic.stderr).toBe(0);
      folderGone();
    });

    it("exits 1 before running anything when no key is saved", async () => {
      clearDirectly(service, ACCOUNT);
      const marker = path.join(tmp, "ran-without-key");
      const run = await cli(["exec", "--", process.execPath, CHILD, "--wait", marker]);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^asc-key: No, no ASC key configured/);
      expect(run.stdout).toBe("");
      expect(existsSync(marker)).toBe(false);
      folderGone();
    });

    it("exits 4 and runs nothing when the Keychain fails", async () => {
      const marker = path.join(tmp, "ran-without-keychain");
      const run = await cli(["exec", "--", process.execPath, CHILD, "--wait", marker], { PATH: nodeOnlyPath(tmp) });
      expect(run.status).toBe(4);
      expect(run.stdout).toBe("");
      expect(existsSync(marker)).toBe(false);
      folderGone();
      storeDirectly(service, ACCOUNT, "not json");
      const corrupt = await cli(["exec", "--", process.execPath, CHILD, "--wait", marker]);
      expect(corrupt.status).toBe(4);
      expect(existsSync(marker)).toBe(false);
    });
  });

  describe("export --format fastlane-json", () => {
    it("writes fastlane's API key JSON with mode 0600 and a one-line warning", async () => {
      const out = path.join(caseTmp, "api_key.json");
      const run = await cli(["export", "--format", "fastlane-json", "--out", out]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^asc-key: warning: .*api_key\.json holds the private key/);
      expectCleanOutput(run);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const json = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
      expect(json).toEqual({ key_id: record.keyId, issuer_id: ISSUER_ID, key: record.privateKey, in_house: false });
      expect(Object.keys(json)).toEqual(["key_id", "issuer_id", "key", "in_house"]);
    });

    it("leaves out issuer_id for an individual key", async () => {
      clearDirectly(service, ACCOUNT);
      seed("individual");
      const out = path.join(caseTmp, "individual.json");
      expect((await cli(["export", "--format", "fastlane-json", "--out", out])).status).toBe(0);
      expect(Object.keys(JSON.parse(readFileSync(out, "utf8")) as object)).toEqual(["key_id", "key", "in_house"]);
    });

    it("never writes over an existing file without --force; with it, the new file is 0600", async () => {
      const out = path.join(caseTmp, "existing.json");
      writeFileSync(out, "keep me", { mode: 0o644 });
      chmodSync(out, 0o644);
      const refused = await cli(["export", "--format", "fastlane-json", "--out", out]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain("--force");
      expect(readFileSync(out, "utf8")).toBe("keep me");

      const forced = await cli(["export", "--format", "fastlane-json", "--out", out, "--force"]);
      expect(forced.status, forced.stderr).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect((JSON.parse(readFileSync(out, "utf8")) as { key_id: string }).key_id).toBe(record.keyId);
      expect(readdirSync(caseTmp)).toEqual(["existing.json"]);
    });

    it("exits 1 and writes nothing when no key is saved", async () => {
      clearDirectly(service, ACCOUNT);
      const out = path.join(caseTmp, "none.json");
      const run = await cli(["export", "--format", "fastlane-json", "--out", out]);
      expect(run.status).toBe(1);
      expect(existsSync(out)).toBe(false);
    });
  });

  describe("notary-profile (xcrun stand-in)", () => {
    let report: string;
    beforeEach(() => {
      report = path.join(tmp, `xcrun-report-${process.pid}.json`);
      rmSync(report, { force: true });
    });
    const xcrunEnv = (extra: Record<string, string> = {}) => ({
      LINGCODE_XCRUN: XCRUN,
      XCRUN_REPORT: report,
      ...extra,
    });

    it("hands notarytool a file path (never the key) on argv, and the file is gone afterwards", async () => {
      const run = await cli(["notary-profile", "lingcode-notary"], xcrunEnv());
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('Stored the notarytool profile "lingcode-notary"');
      const seen = JSON.parse(readFileSync(report, "utf8")) as {
        argv: string[];
        keyFile?: { isFile: boolean; mode: string; folderMode: string; sha256: string };
      };
      const keyPath = seen.argv[4];
      expect(seen.argv).toEqual([
        "notarytool",
        "store-credentials",
        "lingcode-notary",
        "--key",
        keyPath,
        "--key-id",
        record.keyId,
        "--issuer",
        ISSUER_ID,
      ]);
      expect(path.basename(keyPath)).toBe(`AuthKey_${record.keyId}.p8`);
      expect(seen.keyFile).toEqual({ isFile: true, mode: "600", folderMode: "700", sha256: sha(record.privateKey) });
      expectNoKeyOnArgv(seen.argv.join(" "), key);
      expect(existsSync(keyPath)).toBe(false);
      folderGone();
    });

    it("passes notarytool's failure through and still removes the file", async () => {
      const run = await cli(["notary-profile", "lingcode-notary"], xcrunEnv({ XCRUN_EXIT: "69" }));
      expect(run.status).toBe(69);
      expect(run.stderr).toContain("status 69");
      folderGone();
    });

    it("refuses an individual key with Apple's reason and runs nothing", async () => {
      clearDirectly(service, ACCOUNT);
      seed("individual");
      const run = await cli(["notary-profile", "lingcode-notary"], xcrunEnv());
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/individual key.*can't be used with notarytool/);
      expect(existsSync(report)).toBe(false);
      folderGone();
    });
  });
});
