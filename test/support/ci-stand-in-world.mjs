// What the stand-ins of gh and glab (gh-stand-in.mjs, glab-stand-in.mjs) share: the world they see, read from the
// JSON file $CI_STAND_IN_STATE (written by the test, saved back by saveState), and the log of what each run was
// given, one JSON line per run appended to $CI_STAND_IN_LOG: argv, environment, whether stdin was a terminal, and
// per value only its SHA-256 (`sha`), never the value.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export const argv = process.argv.slice(2);
const statePath = process.env.CI_STAND_IN_STATE;
export const state = statePath && existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
export const sha = (data) => createHash("sha256").update(data).digest("hex");

export function saveState() {
  if (statePath) writeFileSync(statePath, JSON.stringify(state));
}

export function log(tool, extra) {
  if (!process.env.CI_STAND_IN_LOG) return;
  const entry = { tool, argv, env: process.env, stdinIsTTY: Boolean(process.stdin.isTTY), ...extra };
  appendFileSync(process.env.CI_STAND_IN_LOG, `${JSON.stringify(entry)}\n`);
}
