/**
 * `asc-key export` writes only a regular file it may replace: never through a symbolic link (even to a regular file),
 * nor into a FIFO, a socket or a device, with or without --force. Run from the bundle against the private Secret
 * Service. The device is made with mknod inside the case's folder when running as root, so that a broken check could
 * never replace the machine's /dev/null; as another user /dev/null itself is named (nobody else may replace it).
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT } from "../../src/lib/keychain";
import { serializeRecord, type KeyRecord } from "../../src/lib/record";
import { expectCleanOutput } from "../support/asc-key";
import { runNode, type Run } from "../support/cli";
import { clearDirectly, HAS_KEYRING, storeDirectly, testService } from "../support/keyring";
import { makeKey, makeRecord, type TestKey } from "../support/keys";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
const IS_ROOT = process.getuid?.() === 0;

let tmp: string;
let caseTmp: string;
let service: string;
let key: TestKey;
let record: KeyRecord;
let server: Server | undefined;

const exportTo = (out: string, force: boolean): Promise<Run> =>
  runNode([BUNDLE, "export", "--format", "fastlane-json", "--out", out, ...(force ? ["--force"] : [])], {
    cwd: tmp,
    env: { ...process.env, NODE_OPTIONS: undefined, LINGCODE_KEYCHAIN_SERVICE: service, TMPDIR: caseTmp },
  });

/** Both ways (with and without --force): exit 2, the one-line reason, nothing written, no key in the output. */
async function expectRefused(out: string, what: RegExp, unchanged: () => void): Promise<void> {
  for (const force of [false, true]) {
    const before = readdirSync(path.dirname(out)).sort();
    const run = await exportTo(out, force);
    expect(run.status, `${force ? "--force: " : ""}${run.stderr}`).toBe(2);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(what);
    expect(run.stderr).toContain("export writes only a regular file");
    expect(run.stdout).toBe("");
    expectCleanOutput(run, `export --out ${out}${force ? " --force" : ""}`);
    // No temporary file left next to it either.
    expect(readdirSync(path.dirname(out)).sort()).toEqual(before);
    unchanged();
  }
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-export-"));
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!HAS_KEYRING)("export writes only what it may replace", () => {
  beforeEach(() => {
    service = testService("export");
    caseTmp = mkdtempSync(path.join(tmp, "case-"));
    key = makeKey();
    record = makeRecord({ kind: "team" }, key);
    storeDirectly(service, ACCOUNT, serializeRecord(record));
  });
  afterEach(async () => {
    clearDirectly(service, ACCOUNT);
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  it("refuses a FIFO", async () => {
    const fifo = path.join(caseTmp, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    await expectRefused(fifo, /pipe\.json is a FIFO;/, () => expect(lstatSync(fifo).isFIFO()).toBe(true));
  });

  it("refuses a symbolic link to /dev/null", async () => {
    const link = path.join(caseTmp, "null.json");
    symlinkSync("/dev/null", link);
    await expectRefused(link, /null\.json is a symbolic link;/, () => expect(readlinkSync(link)).toBe("/dev/null"));
  });

  // The reported case, through a link of the test's own to /dev/stdout: a broken check would replace only this link,
  // never the machine's /dev/stdout (the tests run as root in CI), so it runs everywhere.
  it("refuses a link to /dev/stdout, a link to the output, with --force", async () => {
    const out = path.join(caseTmp, "stdout");
    symlinkSync("/dev/stdout", out);
    const run = await exportTo(out, true);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/stdout is a symbolic link; export writes only a regular file/);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
  });

  it("refuses a device", async () => {
    let device = "/dev/null";
    if (IS_ROOT) {
      device = path.join(caseTmp, "device.json");
      execFileSync("mknod", [device, "c", "1", "3"]);
    }
    await expectRefused(device, /is a device;/, () => expect(lstatSync(device).isCharacterDevice()).toBe(true));
  });

  it("refuses a socket", async () => {
    const socket = path.join(caseTmp, "socket.json");
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    await expectRefused(socket, /socket\.json is a socket;/, () => expect(lstatSync(socket).isSocket()).toBe(true));
  });

  it("refuses a symbolic link even to a regular file, which stays as it was", async () => {
    const real = path.join(caseTmp, "real.json");
    writeFileSync(real, "keep me");
    const link = path.join(caseTmp, "link.json");
    symlinkSync(real, link);
    await expectRefused(link, /link\.json is a symbolic link;/, () => {
      expect(readlinkSync(link)).toBe(real);
      expect(readFileSync(real, "utf8")).toBe("keep me");
    });
    // A link that points nowhere yet is refused too: writing would create its target.
    const dangling = path.join(caseTmp, "dangling.json");
    symlinkSync(path.join(caseTmp, "not-yet.json"), dangling);
    await expectRefused(dangling, /dangling\.json is a symbolic link;/, () =>
      expect(existsSync(path.join(caseTmp, "not-yet.json"))).toBe(false),
    );
  });

  it("still replaces a regular file with --force", async () => {
    const out = path.join(caseTmp, "plain.json");
    writeFileSync(out, "old");
    const run = await exportTo(out, true);
    expect(run.status, run.stderr).toBe(0);
    expect(lstatSync(out).isFile()).toBe(true);
    expect((JSON.parse(readFileSync(out, "utf8")) as { key_id: string }).key_id).toBe(record.keyId);
  });
});
