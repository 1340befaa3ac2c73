#!/usr/bin/env node
// Stands in for /usr/bin/xcrun in the notary-profile tests (LINGCODE_XCRUN). For
// `notarytool store-credentials <profile> --key <path> --key-id <id> --issuer <uuid>` it writes to $XCRUN_REPORT
// what it was given: its argv, whether --key names an existing file, that file's mode and the SHA-256 of its
// contents. It never prints the key. It exits with $XCRUN_EXIT (default 0).
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run as an executable */
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");

const args = process.argv.slice(2);
const keyPath = args.includes("--key") ? args[args.indexOf("--key") + 1] : undefined;
const report = { argv: args };
if (keyPath !== undefined && fs.existsSync(keyPath)) {
  const stat = fs.statSync(keyPath);
  report.keyFile = {
    isFile: stat.isFile(),
    mode: (stat.mode & 0o777).toString(8),
    folderMode: (fs.statSync(require("node:path").dirname(keyPath)).mode & 0o777).toString(8),
    sha256: createHash("sha256").update(fs.readFileSync(keyPath)).digest("hex"),
  };
}
fs.writeFileSync(process.env.XCRUN_REPORT, JSON.stringify(report));
process.exit(Number(process.env.XCRUN_EXIT ?? "0"));
