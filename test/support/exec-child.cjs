// The command `asc-key exec` runs in the tests: it reports what it received without ever printing the key. One line
// of JSON on stdout: the names of the pipeline variables it sees, the SHA-256 of each value, and for each variable
// naming a file or folder, its mode and the SHA-256 of the file's contents (a JSON file: its field names and the
// SHA-256 of each field). Then, as told by its arguments:
//   --exit <n>            exit with status n
//   --wait <marker>       write its pid to <marker>, wait to be ended; a forwarded signal is written to <marker>.signal
//   --kill-self <SIGNAL>  end itself with that signal
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node directly */
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const sha = (text) => createHash("sha256").update(text).digest("hex");
const PATTERN = /^(APP_STORE_CONNECT_|ASC_|API_PRIVATE_KEYS_DIR$|SPACESHIP_CONNECT_API_|EXPO_)/;
const FILE_VARIABLES = [
  "ASC_KEY_PATH",
  "ASC_PRIVATE_KEY_PATH",
  "APP_STORE_CONNECT_API_KEY_PATH",
  "API_PRIVATE_KEYS_DIR",
  "EXPO_ASC_API_KEY_PATH",
];

const env = {};
for (const [name, value] of Object.entries(process.env)) if (PATTERN.test(name)) env[name] = sha(value);
const files = {};
for (const name of FILE_VARIABLES) {
  const where = process.env[name];
  if (!where) continue;
  const stat = fs.statSync(where);
  const entry = { path: where, mode: (stat.mode & 0o777).toString(8), directory: stat.isDirectory() };
  if (stat.isDirectory()) {
    entry.entries = fs.readdirSync(where).sort();
  } else {
    const text = fs.readFileSync(where, "utf8");
    entry.sha256 = sha(text);
    if (where.endsWith(".json")) {
      const json = JSON.parse(text);
      entry.json = Object.fromEntries(Object.entries(json).map(([key, value]) => [key, sha(JSON.stringify(value))]));
    }
  }
  files[name] = entry;
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, env, files })}\n`);

const args = process.argv.slice(2);
const option = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
if (option("--exit") !== undefined) process.exit(Number(option("--exit")));
if (option("--kill-self") !== undefined) process.kill(process.pid, option("--kill-self"));
const marker = option("--wait");
if (marker !== undefined) {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      fs.writeFileSync(`${marker}.signal`, signal);
      // Leave as a signal would, so asc-key sees an ended command.
      process.exit(0);
    });
  }
  fs.writeFileSync(path.resolve(marker), String(process.pid));
  setInterval(() => undefined, 1000);
}
