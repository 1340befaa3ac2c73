// A floor for `asc-key exec -- true` (npm run bench, part 6b): the least a node process can do for it. Reads the
// LingCode entry with secret-tool, then runs `true` and exits with its status. No folder, no checks, no messages.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, like the CLI bundle it is the floor of */
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");

const service = process.env.LINGCODE_KEYCHAIN_SERVICE;
execFileSync("secret-tool", ["lookup", "service", service, "account", "asc-api-key"], { encoding: "utf8" });
process.exitCode = spawnSync("true", [], { stdio: "inherit" }).status ?? 1;
