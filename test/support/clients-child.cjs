// A command for `asc-key exec` (or run on its own beside an exported file) that feeds the key, exactly as it finds it
// in its environment and files, to the App Store Connect clients people use, each signing its own token and sending
// `GET /v1/apps` to the Apple stand-in:
//   - @expo/apple-utils (what eas-cli signs with), whose base URL is fixed: it reaches the stand-in through the
//     caller's HTTPS_PROXY, which must be the stand-in's http://127.0.0.1:PORT;
//   - appstore-connect-sdk, given the stand-in's address ($LINGCODE_ASC_API_URL) as its baseUrl.
// Its one argument is a JSON list of shapes, names only (never a key): for each,
//   { tag, keyId: <variable>, issuerId?: <variable>, text?: <variable holding the PEM>, file?: <variable naming a .p8>,
//     json?: <variable naming fastlane's API key JSON> }
// Every request carries `filter[sku]=<tag>.<client>` so the test can tell, at the stand-in, which shape and client sent
// it. It prints nothing about the key; a client's failure is one line on stderr and exit status 1.
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node directly */
"use strict";
const fs = require("node:fs");

async function main() {
  const shapes = JSON.parse(process.argv[2] ?? "[]");
  const baseUrl = process.env.LINGCODE_ASC_API_URL;
  if (!baseUrl || !process.env.HTTPS_PROXY) throw new Error("needs LINGCODE_ASC_API_URL and HTTPS_PROXY");
  const appleUtils = require("@expo/apple-utils");
  const sdk = require("appstore-connect-sdk");
  let failed = 0;
  for (const shape of shapes) {
    let key;
    try {
      key = keyOf(shape);
    } catch (error) {
      failed += 1;
      process.stderr.write(`${shape.tag}: ${error.message}\n`);
      continue;
    }
    const clients = {
      // As eas-cli does: a Token from the key's text, the Key ID and (team keys) the Issuer ID.
      "apple-utils": async () => {
        const token = new appleUtils.Token({ key: key.pem, keyId: key.keyId, issuerId: key.issuerId });
        await appleUtils.App.getAsync({ token }, { query: { filter: { sku: `${shape.tag}.apple-utils` } } });
      },
      sdk: async () => {
        const client = sdk.createClient({
          privateKeyId: key.keyId,
          privateKey: key.pem,
          issuerId: key.issuerId,
          baseUrl,
        });
        const answer = await sdk.appsGetCollection({
          client,
          query: { "filter[sku]": [`${shape.tag}.sdk`], limit: 1 },
        });
        if (answer.error || !answer.response?.ok) throw new Error(`status ${answer.response?.status}`);
      },
    };
    for (const [name, run] of Object.entries(clients)) {
      try {
        await run();
      } catch (error) {
        failed += 1;
        const status = error?.response?.status ?? error?.status;
        process.stderr.write(
          `${shape.tag}.${name}: failed${status ? ` (${status})` : ""}: ${String(error?.message).split("\n")[0]}\n`,
        );
      }
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

/** The key a shape names: from the variables and files as the tool of that group reads them. */
function keyOf(shape) {
  const env = (name) => {
    const value = process.env[name];
    if (value === undefined || value === "") throw new Error(`$${name} is not set`);
    return value;
  };
  if (shape.json) {
    // fastlane's API key JSON: key_id, issuer_id (team keys), key.
    const json = JSON.parse(fs.readFileSync(env(shape.json), "utf8"));
    return { keyId: json.key_id, issuerId: json.issuer_id, pem: json.key };
  }
  const pem = shape.file ? fs.readFileSync(env(shape.file), "utf8") : env(shape.text);
  const issuerId = shape.issuerId ? process.env[shape.issuerId] || undefined : undefined;
  return { keyId: env(shape.keyId), issuerId, pem };
}

main().catch((error) => {
  process.stderr.write(`clients-child: ${String(error?.message).split("\n")[0]}\n`);
  process.exit(1);
});
