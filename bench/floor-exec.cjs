// The floor of `asc-key exec -- true` (npm run bench, part 6): a bare node script doing the same work, and nothing
// more. It reads LingCode's entry with secret-tool, writes the key's two files (AuthKey_<Key ID>.p8 and fastlane's API
// key JSON, each created new with mode 0600) into a private folder made by mkdtemp, runs `true` with the variables
// `exec` sets when no --only is given, removes the folder and exits with the command's status. No checks of the
// entry beyond JSON.parse, no signal handling, no sweep of folders left by a killed run, no messages.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, like the CLI bundle it is the floor of */
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const service = process.env.LINGCODE_KEYCHAIN_SERVICE;
const text = execFileSync("secret-tool", ["lookup", "service", service, "account", "asc-api-key"], {
  encoding: "utf8",
});
const record = JSON.parse(text);
const folder = fs.mkdtempSync(path.join(os.tmpdir(), "floor-exec-"));
try {
  const keyFile = path.join(folder, `AuthKey_${record.keyId}.p8`);
  fs.writeFileSync(keyFile, record.privateKey, { flag: "wx", mode: 0o600 });
  const jsonFile = path.join(folder, "fastlane-api-key.json");
  const json = { key_id: record.keyId, issuer_id: record.issuerId, key: record.privateKey, in_house: false };
  fs.writeFileSync(jsonFile, `${JSON.stringify(json, null, 2)}\n`, { flag: "wx", mode: 0o600 });
  const env = {
    ...process.env,
    APP_STORE_CONNECT_API_KEY_KEY_ID: record.keyId,
    APP_STORE_CONNECT_API_KEY_ISSUER_ID: record.issuerId,
    APP_STORE_CONNECT_API_KEY_KEY: record.privateKey,
    APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64: "false",
    APP_STORE_CONNECT_API_KEY_IN_HOUSE: "false",
    APP_STORE_CONNECT_API_KEY_PATH: jsonFile,
    ASC_KEY_ID: record.keyId,
    ASC_ISSUER_ID: record.issuerId,
    ASC_KEY_TYPE: record.kind,
    ASC_PRIVATE_KEY_PATH: keyFile,
    APP_STORE_CONNECT_KEY_IDENTIFIER: record.keyId,
    APP_STORE_CONNECT_ISSUER_ID: record.issuerId,
    APP_STORE_CONNECT_PRIVATE_KEY: record.privateKey,
    ASC_KEY_PATH: keyFile,
    API_PRIVATE_KEYS_DIR: folder,
  };
  process.exitCode = spawnSync("true", [], { stdio: "inherit", env }).status ?? 1;
} finally {
  fs.rmSync(folder, { recursive: true, force: true });
}
