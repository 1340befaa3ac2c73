/**
 * asc-key import, run in this process against an in-memory Keychain (the exec round trip as child processes of the
 * bundle against the private Secret Service `npm test` starts), with a private HOME: the round trips (export then import, exec then import --from env, a .p8 in
 * ~/.appstoreconnect/private_keys), the states --list shows, and bad input refused in one line that names the source
 * and never quotes the key.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAppleStandIn, type AppleStandIn } from "../support/apple-stand-in";
import { cli as inProcess, expectCleanOutput, realKeyring, useCliMemoryKeychain } from "../support/asc-key";
import { runNode, type Run } from "../support/cli";
import { HAS_KEYRING, testService } from "../support/keyring";
import { makeKey, makeKeyFile, type KeyFile } from "../support/keys";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");
const TEAM = "3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c";

let tmp: string;
let home: string;
let env: Record<string, string>;
let apple: AppleStandIn;

/** `asc-key <args>` as a child process of the built bundle: for exec, whose command writes to the real stdout. */
function cliChild(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return runNode([BUNDLE, ...args], { cwd: tmp, env: { ...env, ...extraEnv } });
}

/** `asc-key <args>` in this process (test/support/asc-key.ts), with exactly the test's environment. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return inProcess(args, { exactEnv: { ...env, ...extraEnv } });
}

const pems: string[] = [];

function expectRefused(run: Run, status: number, pattern: RegExp) {
  expect(run.status, run.stderr).toBe(status);
  expect(run.stdout).toBe("");
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr.trimEnd()).toMatch(pattern);
  expectCleanOutput(run);
}

const made = (): KeyFile => makeKeyFile(tmp, pems);

async function fingerprintOf(service?: string): Promise<string | undefined> {
  const run = await cli(["status", "--json"], service ? { LINGCODE_KEYCHAIN_SERVICE: service } : {});
  return (JSON.parse(run.stdout) as { fingerprint?: string }).fingerprint;
}

async function savedCount(service?: string): Promise<number> {
  const run = await cli(["list", "--json"], service ? { LINGCODE_KEYCHAIN_SERVICE: service } : {});
  return (JSON.parse(run.stdout) as { keys: unknown[] }).keys.length;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-import-"));
  apple = await startAppleStandIn();
}, 60_000);
afterAll(async () => {
  await apple?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!HAS_KEYRING)("asc-key import", () => {
  useCliMemoryKeychain();
  beforeEach(() => {
    home = mkdtempSync(path.join(tmp, "home-"));
    env = {};
    for (const [name, value] of Object.entries(process.env)) {
      // Nothing from the caller's own tools may slip into --from env.
      if (value !== undefined && !/^(ASC_|APP_STORE_CONNECT_|API_PRIVATE_KEYS_DIR|EXPO_|NODE_OPTIONS)/.test(name)) {
        env[name] = value;
      }
    }
    env.HOME = home;
    env.LINGCODE_KEYCHAIN_SERVICE = testService("import");
    env.LINGCODE_ASC_API_URL = apple.url;
  });

  const register = (k: KeyFile) =>
    cli(["register", "--issuer-id", TEAM, "--key-id", k.keyId, "--p8", k.file, "--skip-verify"]);

  it("export --format fastlane-json, then import --from fastlane-json: the same key, nothing new when saved", async () => {
    const k = made();
    expect((await register(k)).status).toBe(0);
    const original = await fingerprintOf();
    const json = path.join(tmp, `exported-${k.keyId}.json`);
    expect((await cli(["export", "--format", "fastlane-json", "--out", json])).status).toBe(0);

    const again = await cli(["import", "--from", "fastlane-json", json]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(`"Unnamed key" (Key ID ${k.keyId}) is already saved; nothing to do.\n`);
    expect(await savedCount()).toBe(1);
    expectCleanOutput(again);

    // Into an empty Keychain service, checked with Apple (the stand-in) like a registration.
    const other = testService("import-other");
    apple.registerRecord({ kind: "team", issuerId: TEAM, keyId: k.keyId, privateKey: k.key.pem }, "ok");
    const listed = await cli(["import", "--from", "fastlane-json", json, "--list"], {
      LINGCODE_KEYCHAIN_SERVICE: other,
    });
    expect(listed.stdout).toMatch(new RegExp(`^new {5}Key ID ${k.keyId} \\(Issuer ID ends in \\.\\.\\.b6c, SHA256:`));
    expect(await savedCount(other)).toBe(0);
    const imported = await cli(["import", "--from", "fastlane-json", json, "--name", "CI"], {
      LINGCODE_KEYCHAIN_SERVICE: other,
    });
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toBe(`Yes, Issuer ID ends in ...b6c, Key ID ${k.keyId}\nFingerprint: ${original}\n`);
    expect(imported.stderr).toContain(`exported-${k.keyId}.json still holds the private key in clear`);
    expect(await fingerprintOf(other)).toBe(original);
    expectCleanOutput(imported);
  });

  it("asc-key exec, then import --from env inside it: the key exec handed out", async () => {
    // The import runs in a child process of the bundle, which reaches the real keyring.
    await realKeyring();
    const k = made();
    expect((await register(k)).status).toBe(0);
    const original = await fingerprintOf();

    const listed = await cliChild(["exec", "--", process.execPath, BUNDLE, "import", "--from", "env", "--list"]);
    expect(listed.status, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`saved   Key ID ${k.keyId} (Issuer ID ends in ...b6c, ${original}) from `);
    expect(lines[0]).toContain("$APP_STORE_CONNECT_API_KEY_KEY");
    expect(lines[0]).toContain("$ASC_PRIVATE_KEY_PATH");
    expect(lines[0]).toContain("$EXPO_ASC_API_KEY_PATH");
    expect(lines[0]).toMatch(/already saved as "[^"]+"; nothing to do$/);

    // The child saves into another service: the same key arrives there.
    const other = testService("import-env");
    const imported = await cliChild([
      "exec",
      "--",
      "/usr/bin/env",
      `LINGCODE_KEYCHAIN_SERVICE=${other}`,
      process.execPath,
      BUNDLE,
      "import",
      "--from",
      "env",
      "--skip-verify",
    ]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(await fingerprintOf(other)).toBe(original);
    expectCleanOutput(imported);
  });

  it("--from eas-json: each key with its profiles in --list, --key-id picks one, then what to do with the .p8", async () => {
    const team = made();
    const individual = made();
    const projectDir = mkdtempSync(path.join(tmp, "expo-"));
    writeFileSync(path.join(projectDir, `AuthKey_${team.keyId}.p8`), team.key.pem);
    const easJson = path.join(projectDir, "eas.json");
    writeFileSync(
      easJson,
      JSON.stringify({
        build: { production: {} },
        submit: {
          production: {
            ios: { ascApiKeyPath: `AuthKey_${team.keyId}.p8`, ascApiKeyId: team.keyId, ascApiKeyIssuerId: "$TEAM_ID" },
          },
          preview: { extends: "production" },
          personal: { ios: { ascApiKeyPath: "$PERSONAL_P8", ascApiKeyId: individual.keyId } },
        },
      }),
    );
    const vars = { TEAM_ID: TEAM, PERSONAL_P8: individual.file };
    const listed = await cli(["import", "--from", "eas-json", easJson, "--list"], vars);
    expect(listed.status, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^new {5}Key ID ${team.keyId} \\(Issuer ID ends in \\.\\.\\.b6c, SHA256:\\S+\\) from eas\\.json profile production, eas\\.json profile preview: new$`,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^new {5}Key ID ${individual.keyId} \\(individual key, SHA256:\\S+\\) from eas\\.json profile personal: new$`,
      ),
    );
    expectCleanOutput(listed);

    // Two keys: --key-id chooses.
    expectRefused(
      await cli(["import", "--from", "eas-json", easJson, "--skip-verify"], vars),
      2,
      new RegExp(`eas\\.json holds 2 keys \\(${team.keyId}, ${individual.keyId}\\); choose one with --key-id`),
    );
    const imported = await cli(
      ["import", "--from", "eas-json", easJson, "--key-id", team.keyId, "--skip-verify"],
      vars,
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`AuthKey_${team.keyId}.p8 still holds the private key in clear`);
    expect(imported.stderr).toContain(
      'asc-key: note: Then point the profile at the saved key: "ascApiKeyPath": "$EXPO_ASC_API_KEY_PATH"',
    );
    expect(await savedCount()).toBe(1);
    expectCleanOutput(imported);

    // A variable the profile needs but the environment lacks: the profile and the variable, in one line.
    const partly = await cli(["import", "--from", "eas-json", easJson, "--list"], { TEAM_ID: TEAM });
    expect(partly.status, partly.stderr).toBe(0);
    expect(partly.stdout.trimEnd().split("\n")[1]).toBe(
      "broken  eas.json profile personal: ios.ascApiKeyPath needs $PERSONAL_P8, which is not set.",
    );
    expectRefused(await cli(["import", "--from", "eas-json"]), 2, /import needs <file>/);
  });

  it("a .p8 in ~/.appstoreconnect/private_keys, with the Issuer ID given", async () => {
    const k = made();
    const folder = path.join(home, ".appstoreconnect", "private_keys");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `AuthKey_${k.keyId}.p8`), k.key.pem, { mode: 0o600 });

    const listed = await cli(["import", "--from", "folders", "--list"]);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^new {5}Key ID ${k.keyId} \\(Issuer ID not known, SHA256:\\S+\\) from ~/\\.appstoreconnect/private_keys/AuthKey_${k.keyId}\\.p8: new; needs the Issuer ID of its team\\n$`,
      ),
    );
    expectRefused(
      await cli(["import", "--from", "folders"]),
      2,
      /is a \.p8 without its Issuer ID: add --issuer-id <id>\.$/,
    );
    expect(await savedCount()).toBe(0);

    const imported = await cli(["import", "--from", "folders", "--issuer-id", TEAM, "--skip-verify"]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout.split("\n")[0]).toBe(`Yes, Issuer ID ends in ...b6c, Key ID ${k.keyId}`);
    const expected = await cli(["register", "--issuer-id", TEAM, "--key-id", k.keyId, "--p8", k.file, "--skip-verify"]);
    expect(expected.stdout.split("\n")[1]).toBe(`Fingerprint: ${await fingerprintOf()}`);
    const listedAgain = await cli(["import", "--from", "folders", "--issuer-id", TEAM, "--list"]);
    expect(listedAgain.stdout).toMatch(/: already saved as "[^"]+"; nothing to do\n$/);
    // Without --issuer-id too: saved with its Issuer ID, the .p8 needs none, and its line says the saved key's team.
    const listedBare = await cli(["import", "--from", "folders", "--list"]);
    expect(listedBare.stdout).toMatch(
      new RegExp(
        `^saved {3}Key ID ${k.keyId} \\(Issuer ID ends in \\.\\.\\.b6c, SHA256:\\S+\\) from .*: already saved as "[^"]+"; nothing to do\\n$`,
      ),
    );
  });

  it("goes through Apple's check as register does: a rejected key is not saved (exit 3)", async () => {
    const k = made();
    const json = path.join(tmp, "rejected.json");
    writeFileSync(json, JSON.stringify({ key_id: k.keyId, issuer_id: TEAM, key: k.key.pem }));
    const run = await cli(["import", "--from", "fastlane-json", json]);
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/Nothing was saved\.\n$/);
    expect(await savedCount()).toBe(0);
  });

  it("refuses bad input in one line naming the source, saving nothing and quoting no key", async () => {
    const k = made();
    const notJson = path.join(tmp, "notjson.json");
    writeFileSync(notJson, `key_id=${k.keyId}\n${k.key.pem}`);
    expectRefused(await cli(["import", "--from", "fastlane-json", notJson]), 2, /^asc-key: notjson\.json is not JSON;/);

    const rsaish = path.join(tmp, "curve.json");
    const p384 = makeKey("P-384");
    pems.push(p384.pem);
    writeFileSync(rsaish, JSON.stringify({ key_id: k.keyId, issuer_id: TEAM, key: p384.pem }));
    expectRefused(
      await cli(["import", "--from", "fastlane-json", rsaish]),
      2,
      /^asc-key: curve\.json: This EC key is on P-384/,
    );

    expectRefused(
      await cli(["import", "--from", "env"], {
        ASC_KEY_ID: k.keyId,
        ASC_ISSUER_ID: TEAM,
        ASC_PRIVATE_KEY_PATH: "/nowhere/k.p8",
      }),
      2,
      /^asc-key: \$ASC_PRIVATE_KEY_PATH: There is no file at k\.p8/,
    );
    expectRefused(
      await cli(["import", "--from", "env"], { ASC_KEY_ID: k.keyId, ASC_PRIVATE_KEY_B64: k.key.pem }),
      2,
      /^asc-key: \$ASC_PRIVATE_KEY_B64 is said to be base64 but is not valid base64\.$/,
    );
    expectRefused(
      await cli(["import", "--from", "fastlane-json", k.key.pem]),
      2,
      /unknown option was given for import/,
    );
    expectRefused(
      await cli(["import", "--from", "fastlane-json", Buffer.from(k.key.pem).toString("base64")]),
      2,
      /takes the path of the JSON file, never its contents/,
    );
    expectRefused(await cli(["import", "--from", "env", "--issuer-id", TEAM]), 2, /--issuer-id is for --from folders/);
    expectRefused(await cli(["import"]), 2, /import needs --from/);
    expectRefused(
      await cli(["import", "--from", "keychain"]),
      2,
      /--from takes fastlane-json, eas-json, env, folders\./,
    );
    expectRefused(await cli(["import", "--from", "env"]), 1, /Found no key in the environment\./);

    // --list of a source whose every key is broken: each listed with its reason, and exit 2 as importing it would.
    const brokenList = await cli(["import", "--from", "fastlane-json", notJson, "--list"]);
    expect(brokenList.status, brokenList.stderr).toBe(2);
    expect(brokenList.stdout).toMatch(/^broken {2}notjson\.json is not JSON;[^\n]*\n$/);
    expectCleanOutput(brokenList);

    // Two keys in one source: which one is for --key-id to say.
    const second = made();
    const two = { ASC_KEY_ID: k.keyId, ASC_ISSUER_ID: TEAM, ASC_PRIVATE_KEY_PATH: k.file };
    const both = {
      ...two,
      APP_STORE_CONNECT_KEY_IDENTIFIER: second.keyId,
      APP_STORE_CONNECT_ISSUER_ID: TEAM,
      APP_STORE_CONNECT_PRIVATE_KEY_PATH: "unused",
    };
    writeFileSync(path.join(tmp, "second.pem"), second.key.pem);
    const withSecond = { ...both, APP_STORE_CONNECT_PRIVATE_KEY: second.key.pem };
    expectRefused(
      await cli(["import", "--from", "env"], withSecond),
      2,
      /holds 2 keys \(.*\); choose one with --key-id <id>/,
    );
    const chosen = await cli(["import", "--from", "env", "--key-id", second.keyId, "--skip-verify"], withSecond);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(chosen.stdout.split("\n")[0]).toBe(`Yes, Issuer ID ends in ...b6c, Key ID ${second.keyId}`);
    expectCleanOutput(chosen);
    expect(await savedCount()).toBe(1);
  });
});
