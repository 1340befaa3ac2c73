/**
 * Several keys through asc-key, run in this process through `main(argv, io)` (test/support/asc-key.ts) against an
 * in-memory Keychain, or the private Secret Service `npm test` starts where the keyring is the point; changes started
 * at once are real processes of the built bundle, since their race is the point: register three keys, list, switch,
 * rotate one, remove the one LingCode uses; after each step LingCode's entry holds exactly the key LingCode uses (in
 * the first flow, as keytar and a plain `secret-tool lookup` read it under its service). Names and Key IDs that mean no
 * key, two keys with one name, a damaged saved item, an install from before there were several keys, and --key on
 * the commands that work with a key.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, aroundEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, indexAccount, itemAccount, savedKeysService } from "../../src/lib/keychain";
import { parsePage } from "../../src/lib/keychain/saved";
import { serializeRecord, type KeyRecord } from "../../src/lib/record";
import { HAS_KEYRING, HAS_KEYTAR, loadKeytar, testService } from "../support/keyring";
import {
  cli as inProcess,
  expectCleanOutput,
  realKeyring,
  storeSecret,
  storedAccounts,
  storedSecret,
  useCliMemoryKeychain,
  usesRealKeyring,
} from "../support/asc-key";
import { runNode, type Run } from "../support/cli";
import { makeKey, makeKeyFile, makeKeyId, makeRecord, type KeyFile } from "../support/keys";
import { watchIssuerId } from "../support/leaks";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
const TEAM_A = "3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c"; // ...b6c
const TEAM_B = watchIssuerId("69a6de70-03db-47e3-e053-5b8c7c11a4d1"); // ...4d1

let tmp: string;
let env: Record<string, string>;
/**
 * The environment of the test a run belongs to (set around each test below): a test that times out and keeps running
 * still reaches its own service, never the next test's.
 */
const testEnv = new AsyncLocalStorage<Record<string, string>>();

/** `asc-key <args>` in this process (test/support/asc-key.ts), with exactly the test's environment. */
function cli(args: string[], input = ""): Promise<Run> {
  return inProcess(args, { exactEnv: testEnv.getStore() ?? env, input });
}

/** `asc-key <args>` as a child process of the built bundle (built once per run by test/support/build-cli.ts). */
function cliProcess(args: string[], input = ""): Promise<Run> {
  return runNode([BUNDLE, ...args], { cwd: tmp, env: testEnv.getStore() ?? env, input });
}

/** A failure: the status, nothing on stdout, one line on stderr. */
function expectFailure(run: Run, status: number, pattern?: RegExp) {
  expect(run.status, run.stderr).toBe(status);
  expect(run.stdout).toBe("");
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  if (pattern) expect(run.stderr).toMatch(pattern);
}

const pems: string[] = [];

const made = (): KeyFile => makeKeyFile(tmp, pems);

const registerTeam = (k: KeyFile, issuerId: string, extra: string[] = [], run = cli) =>
  run(["register", "--issuer-id", issuerId, "--key-id", k.keyId, "--p8", k.file, "--skip-verify", ...extra]);
const registerIndividual = (k: KeyFile, extra: string[] = [], run = cli) =>
  run(["register", "--individual", "--key-id", k.keyId, "--p8", k.file, "--skip-verify", ...extra]);

/** What the saved keys' item of a key holds, as the record LingCode's entry would hold it. */
async function savedRecord(service: string, keyId: string): Promise<string> {
  const text = await storedSecret(savedKeysService(service), itemAccount(keyId));
  expect(text, `no saved item for ${keyId}`).toBeDefined();
  const record = JSON.parse(text!) as KeyRecord & { name?: string };
  delete record.name;
  return serializeRecord(record);
}

async function listJson(): Promise<{ keys: Record<string, unknown>[]; lingcode: string; problems: string[] }> {
  const run = await cli(["list", "--json"]);
  expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(run.stdout) as { keys: Record<string, unknown>[]; lingcode: string; problems: string[] };
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-several-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("help", () => {
  beforeEach(() => {
    env = { PATH: process.env.PATH ?? "" };
  });

  it("names list, use and rename, and --key on the commands that work with a key", async () => {
    const tool = await cli(["--help"]);
    for (const command of ["list", "use", "rename"]) expect(tool.stdout).toContain(`  ${command} `);
    for (const command of ["status", "verify", "token", "remove", "doctor", "exec", "export", "notary-profile"]) {
      expect((await cli(["help", command])).stdout, command).toContain("--key <name or Key ID>");
    }
    expect((await cli(["help", "register"])).stdout).toMatch(/--name <name>[\s\S]*--use[\s\S]*--no-use[\s\S]*--rotate/);
    expect((await cli(["help", "remove"])).stdout).toContain("--next <name or Key ID>");
  });

  it("use and rename want their arguments; a pasted key is never repeated", async () => {
    expectFailure(await cli(["use"]), 2, /use needs <name or Key ID>/);
    expectFailure(await cli(["use", "a", "b"]), 2, /use takes one argument/);
    expectFailure(await cli(["rename", "a"]), 2, /rename needs <new name>/);
    const key = makeKey();
    pems.push(key.pem);
    for (const args of [
      ["use", key.pem],
      ["token", "--key", key.pem],
      ["rename", "Acme", key.pem],
      ["register", "--key-id", "X", "--issuer-id", TEAM_A, "--p8", "x.p8", "--name", key.pem],
    ]) {
      const run = await cli(args);
      expectFailure(run, 2);
      expectCleanOutput(run);
    }
    expectFailure(await cli(["register", "--individual", "--key-id", "X", "--p8", "x", "--use", "--no-use"]), 2);
  });
});

// Each test runs the built CLI a dozen times or more: on a loaded machine that takes more than the default 30 s.
describe.skipIf(!HAS_KEYRING)("several keys", { timeout: 120_000 }, () => {
  useCliMemoryKeychain();
  let service: string;

  aroundEach(async (runTest) => {
    service = testService("several");
    env = { ...(process.env as Record<string, string>), LINGCODE_KEYCHAIN_SERVICE: service };
    delete env.NODE_OPTIONS;
    // Nothing here talks to Apple (--skip-verify): a closed address makes sure of it.
    env.LINGCODE_ASC_API_URL = "http://127.0.0.1:9";
    await testEnv.run(env, runTest);
  });

  /**
   * LingCode's entry, and nothing else under its service; with the real keyring, as keytar and a plain `secret-tool
   * lookup` read it.
   */
  async function expectLingCodeReads(expected: string | undefined) {
    expect(await storedSecret(service, ACCOUNT)).toBe(expected);
    if (usesRealKeyring() && HAS_KEYTAR) {
      expect((await loadKeytar().getPassword(service, ACCOUNT)) ?? undefined).toBe(expected);
    }
    expect(await storedAccounts(service)).toEqual(expected === undefined ? [] : [ACCOUNT]);
  }

  it("three keys, switch, rotate one, remove the one in use: LingCode's entry is exactly the key in use each time", async () => {
    // The one flow checked through keytar and a bare lookup too: what a native app reads after each step.
    await realKeyring();
    const acme = made();
    const globex = made();
    const mine = made();

    const first = await registerTeam(acme, TEAM_A, ["--name", "Acme"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      `Yes, Issuer ID ends in ...b6c, Key ID ${acme.keyId}\nFingerprint: ${first.stdout.split("Fingerprint: ")[1]}`,
    );
    await expectLingCodeReads(await savedRecord(service, acme.keyId));

    // Another team: only saved, and said so.
    const second = await registerTeam(globex, TEAM_B, ["--name", "Globex"]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.split("\n")[0]).toBe(
      `Saved "Globex" (Issuer ID ends in ...4d1, Key ID ${globex.keyId}); LingCode keeps using "Acme".`,
    );
    expect(second.stderr).toContain(`asc-key use ${globex.keyId} makes LingCode use it.`);
    await expectLingCodeReads(await savedRecord(service, acme.keyId));

    const third = await registerIndividual(mine);
    expect(third.status, third.stderr).toBe(0);
    await expectLingCodeReads(await savedRecord(service, acme.keyId));

    const list = await cli(["list"]);
    expect(list).toEqual({
      status: 0,
      stdout: [
        `* "Acme" (Issuer ID ends in ...b6c, Key ID ${acme.keyId}) - LingCode uses this key`,
        `  "Globex" (Issuer ID ends in ...4d1, Key ID ${globex.keyId})`,
        `  "Unnamed key" (individual key, Key ID ${mine.keyId})`,
        "",
      ].join("\n"),
      stderr: "",
    });
    const json = await listJson();
    expect(json.lingcode).toBe("key");
    expect(json.keys.map((k) => [k.name, k.keyId, k.active, k.saved, k.state])).toEqual([
      ["Acme", acme.keyId, true, true, "ok"],
      ["Globex", globex.keyId, false, true, "ok"],
      ["Unnamed key", mine.keyId, false, true, "ok"],
    ]);
    expect(Object.keys(json.keys[0])).toEqual([
      "name",
      "keyId",
      "state",
      "kind",
      "issuerIdSuffix",
      "fingerprint",
      "savedAt",
      "active",
      "saved",
    ]);
    expectCleanOutput(JSON.stringify(json), "list --json");

    // Switch, by name in any case.
    const use = await cli(["use", "globex"]);
    expect(use).toEqual({
      status: 0,
      stdout: `LingCode now uses "Globex" (Issuer ID ends in ...4d1, Key ID ${globex.keyId}); "Acme" stays saved.\n`,
      stderr: "",
    });
    await expectLingCodeReads(await savedRecord(service, globex.keyId));
    expect((await cli(["use", globex.keyId.toLowerCase()])).stdout).toMatch(/^LingCode already uses "Globex"/);
    const status = await cli(["status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ keyId: globex.keyId, issuerIdSuffix: "4d1" });

    // Rotate the key in use: the new key takes its name and place, LingCode uses it, the old one is gone.
    const fresh = made();
    const rotated = await registerTeam(fresh, TEAM_B, ["--rotate", "Globex"]);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout.split("\n")[0]).toBe(`Yes, Issuer ID ends in ...4d1, Key ID ${fresh.keyId}`);
    expect(rotated.stderr).toContain(`replaced the saved key "Globex" (Key ID ${globex.keyId}`);
    expect(rotated.stdout).toContain(
      `Revoke key ${globex.keyId} on Team Keys.\nKey ${globex.keyId} not proven revoked yet: once it is revoked on Team Keys`,
    );
    expect(rotated.stderr).toContain("Team Keys: https://appstoreconnect.apple.com/access/integrations/api");
    await expectLingCodeReads(await savedRecord(service, fresh.keyId));
    expect((await listJson()).keys.map((k) => [k.name, k.keyId])).toEqual([
      ["Acme", acme.keyId],
      ["Globex", fresh.keyId],
      ["Unnamed key", mine.keyId],
    ]);
    expect(await storedSecret(savedKeysService(service), itemAccount(globex.keyId))).toBeUndefined();

    // Remove the key in use: what next is asked for, listing the keys there are; nothing changes until it is given.
    const asked = await cli(["remove"]);
    expectFailure(asked, 2, /"Globex" is the key LingCode uses: say which key LingCode should use next/);
    expect(asked.stderr).toContain(`"Acme" (Key ID ${acme.keyId})`);
    expect(asked.stderr).toContain("--next none");
    await expectLingCodeReads(await savedRecord(service, fresh.keyId));
    const removed = await cli(["remove", "--next", "Acme"]);
    expect(removed).toEqual({
      status: 0,
      stdout: [
        `Removed "Globex" (Issuer ID ends in ...4d1, Key ID ${fresh.keyId}) from the Keychain.`,
        `LingCode now uses "Acme" (Issuer ID ends in ...b6c, Key ID ${acme.keyId}).`,
        "",
      ].join("\n"),
      stderr: "",
    });
    await expectLingCodeReads(await savedRecord(service, acme.keyId));

    // A key LingCode does not use goes without a question; the last one with --next none.
    expect((await cli(["remove", "--key", mine.keyId])).status).toBe(0);
    expectFailure(await cli(["remove", "--key", "Acme", "--next", "Acme"]), 2);
    const last = await cli(["remove", "--next", "none"]);
    expect(last.status).toBe(0);
    expect(last.stdout).toContain("LingCode has no key now");
    await expectLingCodeReads(undefined);
    // Only the rotated key is left, retired until Apple proves it revoked; forgotten without proof, nothing is.
    expect(await storedAccounts(savedKeysService(service))).toEqual(["retired", `retired-${globex.keyId}`]);
    expect((await cli(["forget-retired", globex.keyId, "--yes"])).status).toBe(0);
    expect(await storedAccounts(savedKeysService(service))).toEqual([]);
    const empty = await cli(["list"]);
    expect(empty).toEqual({ status: 1, stdout: "No, no ASC key configured.\n", stderr: "" });
  });

  it("a key LingCode does not use, rotated or replaced by a key of LingCode's own team: LingCode keeps its key", async () => {
    const [acme, globex] = [made(), made()];
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    expect((await registerTeam(globex, TEAM_A, ["--name", "Globex", "--no-use"])).status).toBe(0);
    await expectLingCodeReads(await savedRecord(service, acme.keyId));

    // --rotate without --use: the new key takes Globex's place, which LingCode does not use.
    const fresh = made();
    const rotated = await registerTeam(fresh, TEAM_A, ["--rotate", "Globex"]);
    expect(rotated.status, rotated.stderr).toBe(0);
    await expectLingCodeReads(await savedRecord(service, acme.keyId));
    expect((await listJson()).keys.map((k) => [k.name, k.keyId, k.active])).toEqual([
      ["Acme", acme.keyId, true],
      ["Globex", fresh.keyId, false],
    ]);

    // The same Key ID with other key material replaces that saved key in place, still not LingCode's.
    const material = made();
    const replacement = { ...material, keyId: fresh.keyId };
    writeFileSync(path.join(path.dirname(material.file), `AuthKey_${fresh.keyId}.p8`), material.key.pem);
    replacement.file = path.join(path.dirname(material.file), `AuthKey_${fresh.keyId}.p8`);
    const replaced = await registerTeam(replacement, TEAM_A);
    expect(replaced.status, replaced.stderr).toBe(0);
    await expectLingCodeReads(await savedRecord(service, acme.keyId));
    expect(JSON.parse((await storedSecret(savedKeysService(service), itemAccount(fresh.keyId)))!)).toMatchObject({
      name: "Globex",
      privateKey: material.key.pem,
    });

    // Asked for, LingCode uses the rotated-in key.
    const chosen = made();
    expect((await registerTeam(chosen, TEAM_A, ["--rotate", "Globex", "--use"])).status).toBe(0);
    await expectLingCodeReads(await savedRecord(service, chosen.keyId));
  });

  it("an unknown or ambiguous name or Key ID exits 2 with the names that exist, on every command that takes one", async () => {
    const acme = made();
    const globex = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    expect((await registerTeam(globex, TEAM_A, ["--name", "Globex", "--no-use"])).status).toBe(0);
    const outFile = path.join(tmp, `never-${service}.json`);
    for (const args of [
      ["use", "Initech"],
      ["status", "--key", "Initech"],
      ["verify", "--key", "Initech"],
      ["verify", "--capabilities", "--key", "Initech"],
      ["token", "--key", "Initech"],
      ["remove", "--key", "Initech"],
      ["rename", "Initech", "Umbrella"],
      ["doctor", "--key", "Initech"],
      ["exec", "--key", "Initech", "--", "true"],
      ["export", "--format", "fastlane-json", "--out", outFile, "--key", "Initech"],
      [
        "register",
        "--issuer-id",
        TEAM_A,
        "--key-id",
        makeKeyId(),
        "--p8",
        acme.file,
        "--skip-verify",
        "--rotate",
        "Initech",
      ],
    ]) {
      const run = await cli(args);
      expectFailure(run, 2, /No saved key is named "Initech" or has that Key ID; the saved keys are/);
      expect(run.stderr, args.join(" ")).toContain(`"Acme" (Key ID ${acme.keyId}), "Globex" (Key ID ${globex.keyId})`);
    }
    await expectLingCodeReads(await savedRecord(service, acme.keyId));
  });

  it("two keys with the same name: refused with the reason, whatever the case, before anything is saved", async () => {
    const acme = made();
    const other = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    const run = await registerTeam(other, TEAM_B, ["--name", "ACME"]);
    expectFailure(
      run,
      2,
      new RegExp(`Another saved key has that name: "Acme" \\(Key ID ${acme.keyId}\\); choose another name`),
    );
    expect(await storedSecret(savedKeysService(service), itemAccount(other.keyId))).toBeUndefined();
    expect((await listJson()).keys).toHaveLength(1);
    expectFailure(await registerTeam(other, TEAM_B, ["--name", "   "]), 2, /Give the key a name/);
    expectFailure(await registerTeam(other, TEAM_B, ["--name", "x".repeat(41)]), 2, /at most 40/);

    expect((await registerTeam(other, TEAM_B, ["--name", "Other"])).status).toBe(0);
    expectFailure(await cli(["rename", "Other", "acme"]), 2, /has that name: "Acme"/);
    const renamed = await cli(["rename", "Other", "Umbrella Corp"]);
    expect(renamed).toEqual({
      status: 0,
      stdout: `Renamed "Other" to "Umbrella Corp" (Key ID ${other.keyId}).\n`,
      stderr: "",
    });
    expect((await listJson()).keys.map((k) => k.name)).toEqual(["Acme", "Umbrella Corp"]);
  });

  it("--key hands out that key: status, token, export and exec; LingCode's entry is not touched", async () => {
    await realKeyring();
    const acme = made();
    const globex = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    expect((await registerIndividual(globex, ["--name", "Globex"])).status).toBe(0);
    const before = await storedSecret(service, ACCOUNT);

    const status = await cli(["status", "--key", "globex"]);
    expect(status).toEqual({
      status: 0,
      stdout: `Yes, individual key, Key ID ${globex.keyId}\nName: Globex\n`,
      stderr: "",
    });
    const json = JSON.parse((await cli(["status", "--key", globex.keyId, "--json"])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ configured: true, kind: "individual", keyId: globex.keyId, name: "Globex" });
    expect(Object.keys(json).at(-1)).toBe("name");

    const token = await cli(["token", "--key", "Globex"]);
    expect(token.status, token.stderr).toBe(0);
    const header = JSON.parse(Buffer.from(token.stdout.split(".")[0], "base64url").toString("utf8")) as {
      kid: string;
    };
    expect(header.kid).toBe(globex.keyId);
    const own = await cli(["token"]);
    expect(JSON.parse(Buffer.from(own.stdout.split(".")[0], "base64url").toString("utf8"))).toMatchObject({
      kid: acme.keyId,
    });

    const out = path.join(mkdtempSync(path.join(tmp, "export-")), "key.json");
    const exported = await cli(["export", "--format", "fastlane-json", "--out", out, "--key", "Globex"]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`for Key ID ${globex.keyId}`);

    const exec = await cliProcess([
      "exec",
      "--only",
      "asc",
      "--key",
      "Globex",
      "--",
      process.execPath,
      "-e",
      "console.log(process.env.ASC_KEY_ID)",
    ]);
    expect(exec).toMatchObject({ status: 0, stdout: `${globex.keyId}\n` });

    expect(await storedSecret(service, ACCOUNT)).toBe(before);
  });

  it("a damaged saved item is listed as damaged, with how to remove it, and never hides the others", async () => {
    const acme = made();
    const globex = made();
    const mine = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    expect((await registerTeam(globex, TEAM_A, ["--name", "Globex", "--no-use"])).status).toBe(0);
    expect((await registerIndividual(mine, ["--name", "Mine"])).status).toBe(0);
    await storeSecret(savedKeysService(service), itemAccount(globex.keyId), '{"version":1,"kind":"team"}');

    const list = await cli(["list"]);
    expect(list.status).toBe(0);
    expect(list.stdout.split("\n")).toEqual([
      `* "Acme" (Issuer ID ends in ...b6c, Key ID ${acme.keyId}) - LingCode uses this key`,
      `! "Globex" (Key ID ${globex.keyId}): damaged, its saved item is damaged (it is not a usable key record); remove it: asc-key remove --key ${globex.keyId}`,
      `  "Mine" (individual key, Key ID ${mine.keyId})`,
      "",
    ]);
    const json = await listJson();
    expect(json.keys[1]).toEqual({
      name: "Globex",
      keyId: globex.keyId,
      state: "damaged",
      reason: "its saved item is damaged (it is not a usable key record)",
      active: false,
      saved: true,
    });
    // --quick reads no saved key's item: the damage shows when the key is used.
    expect((await cli(["list", "--quick"])).stdout).toContain(`  "Globex" (Issuer ID ends in ...b6c`);
    expectFailure(await cli(["use", "Globex"]), 4, /"Globex" .* cannot be used: .*remove it/);
    expectFailure(await cli(["token", "--key", "Globex"]), 4);

    expect((await cli(["remove", "--key", globex.keyId])).status).toBe(0);
    expect((await listJson()).keys.map((k) => [k.name, k.state])).toEqual([
      ["Acme", "ok"],
      ["Mine", "ok"],
    ]);
    await expectLingCodeReads(await savedRecord(service, acme.keyId));
  });

  it("a damaged index page: every key whose item is intact is listed under its name, and the list is rebuilt", async () => {
    const acme = made();
    const globex = made();
    const mine = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    expect((await registerTeam(globex, TEAM_A, ["--name", "Globex", "--no-use"])).status).toBe(0);
    expect((await registerIndividual(mine, ["--name", "Mine", "--no-use"])).status).toBe(0);
    const rebuilt =
      "asc-key: warning: The list of saved keys was damaged; it was rebuilt from the saved keys themselves.\n";
    for (const damage of [(page: string) => page.slice(0, -10), () => "garbage, not a page"]) {
      const page = (await storedSecret(savedKeysService(service), indexAccount(1)))!;
      await storeSecret(savedKeysService(service), indexAccount(1), damage(page));
      const list = await cli(["list", "--json"]);
      expect(list.status).toBe(0);
      expect(list.stderr).toBe(rebuilt);
      const json = JSON.parse(list.stdout) as { keys: { name: string; state: string; active: boolean }[] };
      expect(json.keys.map((k) => [k.name, k.state, k.active])).toEqual([
        ["Acme", "ok", true],
        ["Globex", "ok", false],
        ["Mine", "ok", false],
      ]);
      // Repaired: the next listing has nothing to say, and a registration keeps every key.
      expect((await cli(["list"])).stderr).toBe("");
    }
    await storeSecret(savedKeysService(service), indexAccount(1), "garbage again");
    const next = made();
    expect((await registerIndividual(next, ["--name", "Next", "--no-use"])).status).toBe(0);
    expect((await listJson()).keys.map((k) => k.name)).toEqual(["Acme", "Globex", "Mine", "Next"]);
    expect((await cli(["use", "Globex"])).status).toBe(0);
  });

  it("an install from before there were several keys: listed, kept when a second key is saved, switched back to", async () => {
    const old = makeKey();
    pems.push(old.pem);
    const record = makeRecord({ issuerId: TEAM_A }, old);
    await storeSecret(service, ACCOUNT, serializeRecord(record));
    const list = await cli(["list"]);
    expect(list.stdout).toBe(
      `* "Unnamed key" (Issuer ID ends in ...b6c, Key ID ${record.keyId}) - LingCode uses this key (not yet saved apart)\n`,
    );
    // Listing writes nothing.
    expect(await storedAccounts(savedKeysService(service))).toEqual([]);

    const next = made();
    const registered = await registerTeam(next, TEAM_A, ["--name", "Next"]);
    expect(registered.status, registered.stderr).toBe(0);
    expect(registered.stderr).toContain(`"Unnamed key" stays saved`);
    await expectLingCodeReads(await savedRecord(service, next.keyId));
    expect((await cli(["use", record.keyId])).status).toBe(0);
    await expectLingCodeReads(serializeRecord(record));
  });

  it("a name with U+202E planted in the list is shown escaped by asc-key list, so it cannot disguise a Key ID", async () => {
    const acme = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    const page = (await storedSecret(savedKeysService(service), indexAccount(1)))!;
    await storeSecret(savedKeysService(service), indexAccount(1), page.replace('"Acme"', '"Ac\\u202eme\\u2066"'));
    const list = await cli(["list", "--quick"]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toBe(
      `* "Ac\\u202eme\\u2066" (Issuer ID ends in ...b6c, Key ID ${acme.keyId}) - LingCode uses this key\n`,
    );
    expect(list.stdout).not.toMatch(/[\u202e\u2066]/);
    expect((await listJson()).keys[0].name).toBe("Ac\\u202eme\\u2066");
  });

  /** The saved keys' index as stored (every page page 1 counts): Key ID → name. */
  async function storedIndex(): Promise<Map<string, string | undefined>> {
    const names = new Map<string, string | undefined>();
    const first = parsePage((await storedSecret(savedKeysService(service), indexAccount(1))) ?? "", 1);
    const pages = [first.page];
    for (let number = 2; number <= (first.count ?? 1); number += 1) {
      pages.push(parsePage((await storedSecret(savedKeysService(service), indexAccount(number))) ?? "", number).page);
    }
    for (const page of pages) {
      expect(page.damage).toBeUndefined();
      for (const line of page.lines) names.set(line.keyId, line.name);
    }
    return names;
  }

  it("changes started at once lose nothing: use, register --use, rename and register, four processes a round", async () => {
    await realKeyring();
    const acme = made();
    const globex = made();
    expect((await registerTeam(acme, TEAM_A, ["--name", "Acme"])).status).toBe(0);
    expect((await registerTeam(globex, TEAM_B, ["--name", "Globex", "--no-use"])).status).toBe(0);
    const expected = new Map([
      [acme.keyId, "Acme"],
      [globex.keyId, "Globex"],
    ]);
    for (let round = 1; round <= 3; round += 1) {
      const c = made();
      const d = made();
      const runs = await Promise.all([
        cliProcess(["use", round % 2 === 1 ? "Globex" : "Acme"]),
        registerTeam(c, TEAM_A, ["--name", `C${round}`, "--use"], cliProcess),
        cliProcess(["rename", acme.keyId, `Acme ${round}`]),
        registerIndividual(d, ["--name", `D${round}`, "--no-use"], cliProcess),
      ]);
      // Each either worked or said in one line why not (then it changed nothing).
      const ok = runs.map((run) => {
        if (run.status !== 0) expect(run.stderr.trimEnd().split("\n"), run.stderr).toHaveLength(1);
        return run.status === 0;
      });
      if (ok[1]) expected.set(c.keyId, `C${round}`);
      if (ok[2]) expected.set(acme.keyId, `Acme ${round}`);
      if (ok[3]) expected.set(d.keyId, `D${round}`);
      expect(ok.filter(Boolean).length, runs.map((run) => run.stderr).join("")).toBeGreaterThanOrEqual(3);
      // The index itself (not a listing, which would repair it) holds every key under its latest name.
      expect(await storedIndex(), `round ${round}`).toEqual(expected);
      expect((await storedAccounts(savedKeysService(service))).filter((a) => a.startsWith("key-")).sort()).toEqual(
        [...expected.keys()].map(itemAccount).sort(),
      );
    }
    const json = await listJson();
    expect(json.problems).toEqual([]);
    expect(json.keys.map((key) => key.name).sort()).toEqual([...expected.values()].sort());
  }, 120_000);
});
