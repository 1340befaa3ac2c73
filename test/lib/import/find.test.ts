/**
 * Reading keys from where they already are: fastlane's JSON, the environment in each tool's names (including what
 * `asc-key exec` hands out), and the private_keys folders. Keys are made at run time; every reason is checked for key
 * text.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnvironment, EXPORT_TABLE, fastlaneApiKeyJson } from "../../../src/lib/exports/table";
import {
  classifyCandidates,
  EAS_JSON_AFTER_IMPORT,
  findInEasJson,
  findInEnvironment,
  findInFastlaneJson,
  findInFolders,
  keyFolders,
  readKeyJsonIfAny,
  stateWords,
  withIssuerId,
  type Found,
  type ImportCandidate,
  type KeyCandidate,
} from "../../../src/lib/import/find";
import { normalizePrivateKey } from "../../../src/lib/key";
import type { ListedKey } from "../../../src/lib/keys";
import { ISSUER_ID, makeKey, makeKeyId, makeRecord } from "../../support/keys";

let tmp: string;
let home: string;
let cwd: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "asc-import-"));
  home = path.join(tmp, "home");
  cwd = path.join(tmp, "work");
  mkdirSync(home);
  mkdirSync(cwd);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileCounter = 0;
function write(name: string, text: string | Buffer): string {
  fileCounter += 1;
  const dir = path.join(tmp, `f${fileCounter}`);
  mkdirSync(dir);
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const bodyOf = (pem: string) => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");

/** No 12-character run of the key's base64 (nor of its base64-of-PEM form) in the text. */
function expectNoKeyText(text: string, pem: string) {
  const bodies = [bodyOf(pem), Buffer.from(pem).toString("base64")];
  for (const body of bodies) {
    for (let i = 0; i + 12 <= body.length; i += 6) expect(text).not.toContain(body.slice(i, i + 12));
  }
}

function ok(found: Found) {
  if (!found.ok || !("prepared" in found)) throw new Error(`expected a key, got ${JSON.stringify(found)}`);
  return found.prepared;
}

function broken(found: Found, pem?: string): string {
  if (found.ok) throw new Error("expected a broken candidate");
  expect(found.reason).not.toMatch(/\n/);
  if (pem) expectNoKeyText(found.reason, pem);
  return found.reason;
}

describe("fastlane's API key JSON", () => {
  it("reads a team key from key, whatever the file is called", async () => {
    const record = makeRecord();
    const file = write("ci-settings.json", fastlaneApiKeyJson(record));
    const prepared = ok(await findInFastlaneJson(file, { home }));
    expect(prepared.record).toMatchObject({ kind: "team", keyId: record.keyId, issuerId: ISSUER_ID });
    expect(prepared.fingerprint).toBe(normalizePrivateKey(record.privateKey).fingerprint);
  });

  it("takes no issuer_id for an individual key, and key_content as the key", async () => {
    const key = makeKey();
    const keyId = makeKeyId();
    const file = write("asc.json", JSON.stringify({ key_id: keyId, key_content: key.pem, duration: 1200 }));
    const prepared = ok(await findInFastlaneJson(file, { home }));
    expect(prepared.record.kind).toBe("individual");
    expect(prepared.record.issuerId).toBeUndefined();
  });

  it("reads key_filepath relative to the JSON's folder, and ~ as the home folder", async () => {
    const key = makeKey();
    const keyId = makeKeyId();
    const file = write(
      "asc.json",
      JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key_filepath: `AuthKey_${keyId}.p8` }),
    );
    writeFileSync(path.join(path.dirname(file), `AuthKey_${keyId}.p8`), key.pem);
    expect(ok(await findInFastlaneJson(file, { home })).record.keyId).toBe(keyId);

    writeFileSync(path.join(home, `AuthKey_${keyId}.p8`), key.pem);
    const tilde = write(
      "asc.json",
      JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key_filepath: `~/AuthKey_${keyId}.p8` }),
    );
    expect(ok(await findInFastlaneJson(tilde, { home })).fingerprint).toBe(normalizePrivateKey(key.pem).fingerprint);
  });

  it("decodes the key when is_key_content_base64 is true, and refuses base64 that is not", async () => {
    const key = makeKey();
    const keyId = makeKeyId();
    const good = write(
      "a.json",
      JSON.stringify({
        key_id: keyId,
        issuer_id: ISSUER_ID,
        key: Buffer.from(key.pem).toString("base64"),
        is_key_content_base64: true,
      }),
    );
    expect(ok(await findInFastlaneJson(good, { home })).record.keyId).toBe(keyId);
    const bad = write(
      "b.json",
      JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key: key.pem, is_key_content_base64: true }),
    );
    expect(broken(await findInFastlaneJson(bad, { home }), key.pem)).toBe(
      "b.json's key is said to be base64 but is not valid base64.",
    );
  });

  it("refuses, in one line naming the file and never quoting it, what is not a usable fastlane key", async () => {
    const key = makeKey();
    const keyId = makeKeyId();
    const rsa = execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], {
      stdio: ["ignore", "pipe", "ignore"],
    }).toString();
    const p384 = makeKey("P-384");
    const cases: Array<[string, string, RegExp]> = [
      ["not-json.json", `key_id: ${keyId}\nkey: ${key.pem}`, /^not-json\.json is not JSON; fastlane's API key file is/],
      ["array.json", JSON.stringify([key.pem]), /^array\.json is JSON but not an object/],
      [
        "rsa.json",
        JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key: rsa }),
        /^rsa\.json: This is an RSA key; App Store Connect keys are EC keys on P-256/,
      ],
      [
        "p384.json",
        JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key: p384.pem }),
        /^p384\.json: This EC key is on P-384/,
      ],
      ["nokey.json", JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID }), /^nokey\.json holds no key/],
      ["noid.json", JSON.stringify({ issuer_id: ISSUER_ID, key: key.pem }), /^noid\.json has no key_id\.$/],
      [
        "badissuer.json",
        JSON.stringify({ key_id: keyId, issuer_id: "nope", key: key.pem }),
        /^badissuer\.json: The Issuer ID should look like/,
      ],
      [
        "house.json",
        JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key: key.pem, in_house: true }),
        /^house\.json: in_house is true, an Enterprise/,
      ],
      ["typed.json", JSON.stringify({ key_id: 12, key: key.pem }), /^typed\.json: key_id is not a string\.$/],
      [
        "other.json",
        JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key_filepath: "AuthKey_ZZZZZZZZZZ.p8" }),
        new RegExp(
          `^other\\.json's key_filepath names AuthKey_ZZZZZZZZZZ\\.p8, the file of Key ID ZZZZZZZZZZ, not of ${keyId}\\.$`,
        ),
      ],
      [
        "gone.json",
        JSON.stringify({ key_id: keyId, issuer_id: ISSUER_ID, key_filepath: "nowhere/key.p8" }),
        /^gone\.json's key_filepath: There is no file at key\.p8/,
      ],
      ["empty.json", "", /^empty\.json is empty; it should hold key_id, issuer_id and key\.$/],
    ];
    for (const [name, text, reason] of cases) {
      const found = await findInFastlaneJson(write(name, text), { home });
      expect(broken(found, key.pem), name).toMatch(reason);
    }
  });

  it("refuses a 50 MB file by its size before reading it, and a FIFO without blocking on it", async () => {
    const big = write("big.json", "");
    truncateSync(big, 50 * 1024 * 1024);
    expect(broken(await findInFastlaneJson(big, { home }))).toMatch(
      /^big\.json is 50\.0 MB; fastlane's API key JSON is well under 1 KB/,
    );

    const fifo = path.join(tmp, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    // Nobody ever writes to it: reading it would hang the test until its timeout.
    expect(broken(await findInFastlaneJson(fifo, { home }))).toBe("pipe.json is not a regular file.");
  });

  it("tells the register form a fastlane JSON from a .p8", async () => {
    const record = makeRecord();
    const json = write("asc.json", fastlaneApiKeyJson(record));
    expect(await readKeyJsonIfAny(json, { home, env: {} })).toMatchObject({
      source: "fastlane-json",
      holder: json,
      input: { kind: "team", issuerId: ISSUER_ID, keyId: record.keyId, p8Text: record.privateKey },
    });
    expect(
      await readKeyJsonIfAny(write(`AuthKey_${record.keyId}.p8`, record.privateKey), { home, env: {} }),
    ).toBeUndefined();
    await expect(
      readKeyJsonIfAny(write("half.json", `{"key_id": "${record.keyId}", `), { home, env: {} }),
    ).rejects.toThrow("half.json starts like JSON but is not valid JSON.");
    // Picked as the form's .p8: an empty file is refused with a .p8's reason, not a fastlane JSON's.
    await expect(readKeyJsonIfAny(write(`AuthKey_${record.keyId}.p8`, ""), { home, env: {} })).rejects.toThrow(
      `AuthKey_${record.keyId}.p8 is empty; download the key again if Apple still offers it.`,
    );
  });
});

describe("Expo's eas.json", () => {
  /** A project folder with eas.json (its submit profiles as given) and the files given beside it. */
  function project(submit: unknown, files: Record<string, string> = {}): string {
    const dir = mkdtempSync(path.join(tmp, "expo-"));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const file = path.join(dir, "eas.json");
    writeFileSync(file, JSON.stringify({ cli: { version: ">= 16.0.0" }, build: { production: {} }, submit }, null, 2));
    return file;
  }

  it("reads every submit profile's key: extends, $VAR in the three fields, a path from the project's folder", async () => {
    const team = makeRecord({ kind: "team" });
    const individual = makeRecord({ kind: "individual" });
    const outside = write(`AuthKey_${individual.keyId}.p8`, individual.privateKey);
    const easJson = project(
      {
        production: {
          ios: {
            ascApiKeyPath: `./keys/AuthKey_${team.keyId}.p8`,
            ascApiKeyId: team.keyId,
            ascApiKeyIssuerId: "$TEAM_ISSUER",
            ascAppId: "1234567890",
          },
        },
        preview: { extends: "production", ios: { ascAppId: "$NOT_SET_AND_NOT_READ" } },
        individual: { ios: { ascApiKeyPath: "${INDIVIDUAL_P8}", ascApiKeyId: "$INDIVIDUAL_ID" } },
        android: { android: { track: "internal" } },
      },
      { [`keys/AuthKey_${team.keyId}.p8`]: team.privateKey },
    );
    const env = { TEAM_ISSUER: ISSUER_ID, INDIVIDUAL_P8: outside, INDIVIDUAL_ID: individual.keyId };
    const found = await findInEasJson(easJson, { env, home });
    expect(found.map((item) => item.origin)).toEqual([
      "eas.json profile production",
      "eas.json profile preview",
      "eas.json profile individual",
    ]);
    const candidates = classifyCandidates(found, []);
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toMatchObject({
      state: "new",
      keyId: team.keyId,
      kind: "team",
      issuerIdSuffix: "b6c",
      origins: ["eas.json profile production", "eas.json profile preview"],
      // The .p8 sits in the project: it is offered to the Trash, with what the profile can say instead.
      file: path.join(path.dirname(easJson), "keys", `AuthKey_${team.keyId}.p8`),
      afterImport: EAS_JSON_AFTER_IMPORT,
    });
    expect(candidates[1]).toMatchObject({ state: "new", keyId: individual.keyId, kind: "individual" });
    // Outside the project (a variable's path): not eas.json's to offer to the Trash.
    expect(candidates[1].file).toBeUndefined();
    expect(candidates[1].afterImport).toBeUndefined();
    expect(EAS_JSON_AFTER_IMPORT).toContain('"ascApiKeyPath": "$EXPO_ASC_API_KEY_PATH"');
  });

  it("gives back the key exec --only eas hands out when the profile points at its variables", async () => {
    const record = makeRecord({ kind: "team" });
    const folder = mkdtempSync(path.join(tmp, "exec-eas-"));
    const keyFile = path.join(folder, `AuthKey_${record.keyId}.p8`);
    writeFileSync(keyFile, record.privateKey);
    const env = childEnvironment(
      {},
      record,
      EXPORT_TABLE.filter((spec) => spec.group === "eas"),
      { folder, keyFile },
    );
    const easJson = project({
      production: {
        ios: {
          ascApiKeyPath: "$EXPO_ASC_API_KEY_PATH",
          ascApiKeyId: "$EXPO_ASC_KEY_ID",
          ascApiKeyIssuerId: "$EXPO_ASC_ISSUER_ID",
        },
      },
    });
    const [found] = await findInEasJson(easJson, { env, home });
    expect(ok(found).record).toMatchObject({ kind: "team", keyId: record.keyId, issuerId: ISSUER_ID });
  });

  it("names the profile and the field when a key cannot be read, and never echoes the key", async () => {
    const record = makeRecord();
    const easJson = project(
      {
        unset: { ios: { ascApiKeyPath: "$EXPO_ASC_API_KEY_PATH", ascApiKeyId: "$EXPO_ASC_KEY_ID" } },
        number: { ios: { ascApiKeyPath: "./k.p8", ascApiKeyId: 42 } },
        orphan: { extends: "nowhere", ios: { ascApiKeyId: record.keyId } },
        nopath: { ios: { ascApiKeyId: record.keyId, ascApiKeyIssuerId: ISSUER_ID } },
        other: { ios: { ascApiKeyPath: "./AuthKey_ZZZZZZZZZZ.p8", ascApiKeyId: record.keyId } },
        bad: { ios: { ascApiKeyPath: "./bad.p8", ascApiKeyId: record.keyId } },
      },
      { "bad.p8": Buffer.from(record.privateKey).toString("hex") },
    );
    const reasons = (await findInEasJson(easJson, { env: {}, home })).map((item) => broken(item, record.privateKey));
    expect(reasons).toEqual([
      "eas.json profile unset: ios.ascApiKeyPath and ios.ascApiKeyId need $EXPO_ASC_API_KEY_PATH and $EXPO_ASC_KEY_ID, which are not set.",
      "eas.json profile number: ios.ascApiKeyId is not a string.",
      "eas.json profile orphan: it extends nowhere, which eas.json does not have.",
      "eas.json profile nopath: ios.ascApiKeyPath is not set: it names the .p8.",
      `eas.json profile other: ios.ascApiKeyPath names AuthKey_ZZZZZZZZZZ.p8, the file of Key ID ZZZZZZZZZZ, not of ${record.keyId}.`,
      expect.stringMatching(/^eas\.json profile bad: /),
    ]);
    expect(await findInEasJson(project(undefined), { env: {}, home })).toEqual([]);
    expect(broken((await findInEasJson(write("eas.json", "{ submit"), { env: {}, home }))[0])).toBe(
      "eas.json is not JSON.",
    );
  });

  it("fills the register form from an eas.json with one key, and refuses one whose profiles hold different keys", async () => {
    const record = makeRecord({ kind: "individual" });
    const easJson = project(
      { production: { ios: { ascApiKeyPath: `AuthKey_${record.keyId}.p8`, ascApiKeyId: record.keyId } } },
      { [`AuthKey_${record.keyId}.p8`]: record.privateKey },
    );
    expect(await readKeyJsonIfAny(easJson, { home, env: {} })).toEqual({
      source: "eas-json",
      input: {
        kind: "individual",
        issuerId: undefined,
        keyId: record.keyId,
        p8Text: normalizePrivateKey(record.privateKey).pem,
      },
      holder: path.join(path.dirname(easJson), `AuthKey_${record.keyId}.p8`),
      afterImport: EAS_JSON_AFTER_IMPORT,
    });
    const other = makeRecord();
    const two = project(
      {
        production: { ios: { ascApiKeyPath: "a.p8", ascApiKeyId: record.keyId } },
        staging: { ios: { ascApiKeyPath: "b.p8", ascApiKeyId: other.keyId, ascApiKeyIssuerId: ISSUER_ID } },
      },
      { "a.p8": record.privateKey, "b.p8": other.privateKey },
    );
    await expect(readKeyJsonIfAny(two, { home, env: {} })).rejects.toThrow(
      `eas.json's submit profiles hold different keys (${record.keyId}, ${other.keyId}); Import Keys lists each with its profile.`,
    );
    await expect(
      readKeyJsonIfAny(project({ production: { ios: { ascAppId: "1" } } }), { home, env: {} }),
    ).rejects.toThrow("eas.json holds no App Store Connect key in its submit profiles.");
  });
});

describe("the environment", () => {
  const context = (env: Record<string, string | undefined>) => ({ env, home, cwd });

  it("reads fastlane's, the asc CLI's and codemagic's own names", async () => {
    const key = makeKey();
    const keyId = makeKeyId();
    const file = path.join(cwd, `AuthKey_${keyId}.p8`);
    writeFileSync(file, key.pem);
    const fingerprint = normalizePrivateKey(key.pem).fingerprint;
    const envs: Record<string, Record<string, string>> = {
      fastlane: {
        APP_STORE_CONNECT_API_KEY_KEY_ID: keyId,
        APP_STORE_CONNECT_API_KEY_ISSUER_ID: ISSUER_ID,
        APP_STORE_CONNECT_API_KEY_KEY: Buffer.from(key.pem).toString("base64"),
        APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64: "true",
      },
      "fastlane with a file": {
        APP_STORE_CONNECT_API_KEY_KEY_ID: keyId,
        APP_STORE_CONNECT_API_KEY_ISSUER_ID: ISSUER_ID,
        APP_STORE_CONNECT_API_KEY_KEY_FILEPATH: `AuthKey_${keyId}.p8`,
      },
      asc: { ASC_KEY_ID: keyId, ASC_ISSUER_ID: ISSUER_ID, ASC_PRIVATE_KEY: key.pem.replace(/\n/g, "\\n") },
      "asc base64": {
        ASC_KEY_ID: keyId,
        ASC_ISSUER_ID: ISSUER_ID,
        ASC_PRIVATE_KEY_B64: Buffer.from(key.pem).toString("base64"),
      },
      "asc path": { ASC_KEY_ID: keyId, ASC_ISSUER_ID: ISSUER_ID, ASC_PRIVATE_KEY_PATH: file },
      codemagic: {
        APP_STORE_CONNECT_KEY_IDENTIFIER: keyId,
        APP_STORE_CONNECT_ISSUER_ID: ISSUER_ID,
        APP_STORE_CONNECT_PRIVATE_KEY: key.pem,
      },
    };
    for (const [tool, env] of Object.entries(envs)) {
      const found = await findInEnvironment(context(env));
      const candidates = classifyCandidates(found, []);
      expect(candidates, tool).toHaveLength(1);
      expect(candidates[0], tool).toMatchObject({
        state: "new",
        keyId,
        fingerprint,
        kind: "team",
        issuerIdSuffix: "b6c",
      });
    }
  });

  it("gives back, as one key, what asc-key exec hands out (team and individual)", async () => {
    for (const kind of ["team", "individual"] as const) {
      const record = makeRecord({ kind });
      const folder = mkdtempSync(path.join(tmp, "exec-"));
      const keyFile = path.join(folder, `AuthKey_${record.keyId}.p8`);
      const fastlaneJson = path.join(folder, "fastlane-api-key.json");
      writeFileSync(keyFile, record.privateKey);
      writeFileSync(fastlaneJson, fastlaneApiKeyJson(record));
      const env = childEnvironment({ PATH: "/bin" }, record, EXPORT_TABLE, { folder, keyFile, fastlaneJson });
      const candidates = classifyCandidates(await findInEnvironment(context(env)), []);
      expect(candidates, kind).toHaveLength(1);
      const candidate = candidates[0] as KeyCandidate;
      expect(candidate).toMatchObject({ state: "new", keyId: record.keyId, kind });
      expect(candidate.prepared?.record.privateKey).toBe(normalizePrivateKey(record.privateKey).pem);
      expect(candidate.origins).toEqual(
        expect.arrayContaining([
          "$APP_STORE_CONNECT_API_KEY_KEY",
          "$APP_STORE_CONNECT_API_KEY_PATH",
          "$ASC_PRIVATE_KEY_PATH",
          "$APP_STORE_CONNECT_PRIVATE_KEY",
          "$ASC_KEY_PATH",
          "$EXPO_ASC_API_KEY_PATH",
        ]),
      );
    }
  });

  it("names the variable when it is wrong, and never echoes the key", async () => {
    const key = makeKey();
    const keyId = makeKeyId();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { ASC_KEY_ID: keyId, ASC_ISSUER_ID: ISSUER_ID, ASC_PRIVATE_KEY_PATH: "/no/such/AuthKey.p8" },
        /^\$ASC_PRIVATE_KEY_PATH: There is no file at AuthKey\.p8/,
      ],
      [
        { ASC_KEY_ID: keyId, ASC_ISSUER_ID: ISSUER_ID, ASC_PRIVATE_KEY_B64: key.pem },
        /^\$ASC_PRIVATE_KEY_B64 is said to be base64 but is not valid base64\.$/,
      ],
      [
        { ASC_ISSUER_ID: ISSUER_ID, ASC_PRIVATE_KEY: key.pem },
        /^\$ASC_PRIVATE_KEY holds a key but \$ASC_KEY_ID is not set\.$/,
      ],
      [
        {
          APP_STORE_CONNECT_KEY_IDENTIFIER: keyId,
          APP_STORE_CONNECT_ISSUER_ID: ISSUER_ID,
          APP_STORE_CONNECT_PRIVATE_KEY: "hello",
        },
        /^\$APP_STORE_CONNECT_PRIVATE_KEY: This is not a private key/,
      ],
      [
        { APP_STORE_CONNECT_API_KEY_KEY_ID: keyId, APP_STORE_CONNECT_API_KEY_KEY_FILEPATH: "AuthKey_ZZZZZZZZZZ.p8" },
        new RegExp(
          `^\\$APP_STORE_CONNECT_API_KEY_KEY_FILEPATH names AuthKey_ZZZZZZZZZZ\\.p8, the file of Key ID ZZZZZZZZZZ, not of ${keyId}\\.$`,
        ),
      ],
      [
        { ASC_KEY_ID: keyId, ASC_KEY_TYPE: "team", ASC_PRIVATE_KEY: key.pem },
        /^\$ASC_PRIVATE_KEY: The key type is team but \$ASC_ISSUER_ID is not set\.$/,
      ],
    ];
    for (const [env, reason] of cases) {
      const found = await findInEnvironment(context(env));
      expect(found).toHaveLength(1);
      expect(broken(found[0], key.pem)).toMatch(reason);
    }
  });

  it("reads Expo's EXPO_ASC_* names: a team key, and an individual key without EXPO_ASC_ISSUER_ID", async () => {
    for (const kind of ["team", "individual"] as const) {
      const record = makeRecord({ kind });
      const file = write(`AuthKey_${record.keyId}.p8`, record.privateKey);
      const env: Record<string, string> = { EXPO_ASC_API_KEY_PATH: file, EXPO_ASC_KEY_ID: record.keyId };
      if (kind === "team") env.EXPO_ASC_ISSUER_ID = ISSUER_ID;
      const candidates = classifyCandidates(await findInEnvironment(context(env)), []);
      expect(candidates, kind).toEqual([
        expect.objectContaining({ state: "new", keyId: record.keyId, kind, origins: ["$EXPO_ASC_API_KEY_PATH"] }),
      ]);
    }
    const missing = await findInEnvironment(context({ EXPO_ASC_API_KEY_PATH: "/no/such.p8" }));
    expect(broken(missing[0])).toBe("$EXPO_ASC_API_KEY_PATH holds a key but $EXPO_ASC_KEY_ID is not set.");
  });

  it("finds nothing where no tool's variable holds a key", async () => {
    expect(await findInEnvironment(context({ PATH: "/bin", HOME: home, ASC_KEY_ID: "ABCDEFGHIJ" }))).toEqual([]);
  });
});

describe("the private_keys folders", () => {
  it("searches ./private_keys, the home folders and API_PRIVATE_KEYS_DIR", () => {
    const folders = keyFolders({ env: { API_PRIVATE_KEYS_DIR: "~/ci-keys" }, home, cwd });
    expect(folders).toEqual([
      path.join(cwd, "private_keys"),
      path.join(home, "private_keys"),
      path.join(home, ".private_keys"),
      path.join(home, ".appstoreconnect", "private_keys"),
      path.join(home, "ci-keys"),
    ]);
  });

  it("lists each AuthKey_<Key ID>.p8, needing an Issuer ID until one is given", async () => {
    const folderHome = mkdtempSync(path.join(tmp, "home-"));
    const folder = path.join(folderHome, ".appstoreconnect", "private_keys");
    mkdirSync(folder, { recursive: true });
    const key = makeKey();
    const keyId = makeKeyId();
    writeFileSync(path.join(folder, `AuthKey_${keyId}.p8`), key.pem);
    writeFileSync(path.join(folder, "notes.txt"), "not a key");
    writeFileSync(path.join(folder, "AuthKey_BROKEN0001.p8"), "");
    const context = { env: {}, home: folderHome, cwd };

    const [first, second] = classifyCandidates(await findInFolders(context), []);
    expect(first).toMatchObject({
      state: "broken",
      origins: ["~/.appstoreconnect/private_keys/AuthKey_BROKEN0001.p8"],
    });
    expect((first as { reason: string }).reason).toMatch(/is empty/);
    expect(second).toMatchObject({
      state: "new",
      keyId,
      origins: [`~/.appstoreconnect/private_keys/AuthKey_${keyId}.p8`],
    });
    expect((second as KeyCandidate).prepared).toBeUndefined();
    const prepared = await withIssuerId(second as KeyCandidate, ISSUER_ID);
    expect(prepared.record).toMatchObject({ kind: "team", issuerId: ISSUER_ID, keyId });

    const given = classifyCandidates(await findInFolders(context, ISSUER_ID), []);
    expect((given[1] as KeyCandidate).prepared?.record.issuerId).toBe(ISSUER_ID);
  });
});

describe("classifyCandidates", () => {
  it("says new, saved, or the same Key ID with other key material, and keeps a broken one's reason", async () => {
    const saved = makeRecord();
    const other = makeRecord({ keyId: saved.keyId });
    const fresh = makeRecord();
    const listed: ListedKey[] = [
      {
        state: "ok",
        configured: true,
        kind: "team",
        keyId: saved.keyId,
        issuerIdSuffix: "b6c",
        fingerprint: normalizePrivateKey(saved.privateKey).fingerprint,
        savedAt: saved.savedAt,
        name: "Acme",
        active: true,
        saved: true,
      },
    ];
    const found = await Promise.all(
      [saved, other, fresh, saved].map((record, i) =>
        findInFastlaneJson(write(`k${i}.json`, fastlaneApiKeyJson(record)), { home }),
      ),
    );
    found.push({ ok: false, origin: "x.json", reason: "x.json is not JSON." });
    const states = classifyCandidates(found, listed).map((c: ImportCandidate) => [
      c.state,
      c.origins,
      "savedAs" in c ? c.savedAs : undefined,
    ]);
    expect(states).toEqual([
      ["saved", ["k0.json", "k3.json"], "Acme"],
      ["other-material", ["k1.json"], "Acme"],
      ["new", ["k2.json"], undefined],
      ["broken", ["x.json"], undefined],
    ]);
  });

  it("a folder's .p8 saved already needs nothing: it carries the saved key's team, and stateWords asks for nothing", async () => {
    const folderHome = mkdtempSync(path.join(tmp, "home-"));
    const folder = path.join(folderHome, "private_keys");
    mkdirSync(folder, { recursive: true });
    const saved = makeRecord();
    const replaced = makeRecord();
    writeFileSync(path.join(folder, `AuthKey_${saved.keyId}.p8`), saved.privateKey);
    writeFileSync(path.join(folder, `AuthKey_${replaced.keyId}.p8`), makeKey().pem);
    const listedAs = (record: typeof saved, name: string): ListedKey => ({
      state: "ok",
      configured: true,
      kind: "team",
      keyId: record.keyId,
      issuerIdSuffix: "b6c",
      fingerprint: normalizePrivateKey(record.privateKey).fingerprint,
      savedAt: record.savedAt,
      name,
      active: false,
      saved: true,
    });
    const found = await findInFolders({ env: {}, home: folderHome, cwd });
    const candidates = classifyCandidates(found, [listedAs(saved, "Acme"), listedAs(replaced, "Old")]);
    const byId = (keyId: string) => candidates.find((c) => c.keyId === keyId) as KeyCandidate;
    expect(byId(saved.keyId)).toMatchObject({ state: "saved", kind: "team", issuerIdSuffix: "b6c" });
    expect(stateWords(byId(saved.keyId))).toBe('already saved as "Acme"; nothing to do');
    // Other key material under a saved Key ID: importing it still needs its team's Issuer ID.
    expect(byId(replaced.keyId)).toMatchObject({ state: "other-material" });
    expect(byId(replaced.keyId).kind).toBeUndefined();
    expect(byId(replaced.keyId).issuerIdSuffix).toBeUndefined();
  });
});
