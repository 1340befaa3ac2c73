// The floor for `asc-key token` and `asc-key status` (npm run bench, part 3): the least a process can do for
// either answer. Reads the LingCode entry with one secret-tool lookup; for a token (no argument) turns its PEM into
// a key and signs an App Store Connect token with node:crypto, prints it; with `status`, prints the Key ID it read.
// No checks, no messages.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, like the CLI bundle it is the floor of */
"use strict";
const { execFileSync } = require("node:child_process");
const { createPrivateKey, sign } = require("node:crypto");

const service = process.env.LINGCODE_KEYCHAIN_SERVICE;
const text = execFileSync("secret-tool", ["lookup", "service", service, "account", "asc-api-key"], {
  encoding: "utf8",
});
const record = JSON.parse(text);
if (process.argv[2] === "status") {
  process.stdout.write(`${record.keyId}\n`);
  process.exit(0);
}
const key = createPrivateKey(record.privateKey);
const base64url = (value) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
const iat = Math.floor(Date.now() / 1000) - 60;
const header = { alg: "ES256", kid: record.keyId, typ: "JWT" };
const input = `${base64url(header)}.${base64url({ iss: record.issuerId, aud: "appstoreconnect-v1", iat, exp: iat + 600 })}`;
const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
process.stdout.write(`${input}.${signature.toString("base64url")}\n`);
