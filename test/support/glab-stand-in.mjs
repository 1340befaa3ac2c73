#!/usr/bin/env node
// A stand-in for GitLab's command line, glab, as its source says it behaves (gitlab-org/cli
// internal/commands/variable/set/set.go, update/update.go, variableutils/value.go): only what asc-key ci uses.
//
//   glab variable set NAME [--masked] [--protected] [--scope S] [-R group/project | -g group]
//     the value from stdin when stdin is not a terminal, trimmed (strings.TrimSpace); on a terminal it refuses
//     ("no value specified but nothing on STDIN"). It only creates: an existing NAME is GitLab's 400
//     "has already been taken".
//   glab variable update NAME [same flags]   changes an existing one (404 when there is none); --scope with -g is
//     refused ("scope is not required for group variables.").
//   A masked value must be one line of at least 8 characters from [a-zA-Z0-9_+=/@:.~-] (GitLab answers 400).
//   Failures exit 1 with GitLab's answer, e.g. `POST https://gitlab.com/api/v4/projects/g%2Fp/variables: 403 {...}`.
//
// The world it sees comes from $CI_STAND_IN_STATE (JSON, written by the test, updated here):
//   { "token": "the valid GITLAB_TOKEN", "projects": { "group/project": "maintainer" | "developer" },
//     "groups": ["acme"], "remote": "group/project", "refuse": ["NAME"], "failOn": "NAME" (a server error),
//     "variables": { "<project or group:G>": { "NAME": { sha256, decodedSha256, length, lines, masked, protected, scope } } } }
// Each run appends one JSON line to $CI_STAND_IN_LOG: argv, environment, whether stdin was a terminal, and the
// value's SHA-256 (and of its base64 decoding), never the value.
import { argv, log as logRun, saveState, sha, state } from "./ci-stand-in-world.mjs";

const log = (extra) => logRun("glab", extra);

function fail(text) {
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function main() {
  const [noun, verb, name, ...rest] = argv;
  if (noun !== "variable" || (verb !== "set" && verb !== "update")) fail(`Unknown command "${noun} ${verb ?? ""}"`);
  if (!/^[a-zA-Z0-9_]{1,255}$/.test(name ?? "")) {
    fail(
      "invalid key provided.\nA valid key must have no more than 255 characters; only A-Z, a-z, 0-9, and _ are allowed.",
    );
  }
  const options = { masked: false, protected: false, scope: "*" };
  let scopeGiven = false;
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i];
    if (flag === "--masked" || flag === "-m") options.masked = true;
    else if (flag === "--protected" || flag === "-p") options.protected = true;
    else if (flag === "--scope" || flag === "-s") {
      options.scope = rest[(i += 1)];
      scopeGiven = true;
    } else if (flag === "-R" || flag === "--repo") options.repo = rest[(i += 1)];
    else if (flag === "-g" || flag === "--group") options.group = rest[(i += 1)];
    else if (flag === "--value" || flag === "-v") fail("asc-key must never pass a value on the command line");
    else fail(`unknown flag: ${flag}`);
  }
  if (verb === "update" && scopeGiven && options.group) fail("scope is not required for group variables.");
  if (process.stdin.isTTY) fail("no value specified but nothing on STDIN");
  const value = (await readStdin()).trim();
  const facts = {
    sha256: sha(value),
    decodedSha256: sha(Buffer.from(value, "base64")),
    length: value.length,
    lines: value.split("\n").length,
    masked: options.masked,
    protected: options.protected,
    scope: options.scope,
  };
  log({ verb, name, options, received: facts });

  const host = "https://gitlab.com/api/v4";
  const project = options.group ? undefined : (options.repo ?? state.remote);
  if (!options.group && !project) {
    fail(
      "none of the git remotes configured for this repository points to a known GitLab host. Please use `--repo OWNER/REPO` flag",
    );
  }
  const owner = options.group
    ? `groups/${encodeURIComponent(options.group)}`
    : `projects/${encodeURIComponent(project)}`;
  const url = verb === "set" ? `POST ${host}/${owner}/variables` : `PUT ${host}/${owner}/variables/${name}`;
  if (!process.env.GITLAB_TOKEN || (state.token && process.env.GITLAB_TOKEN !== state.token)) {
    fail(`${url}: 401 {message: 401 Unauthorized}`);
  }
  if (options.group) {
    if (!(state.groups ?? []).includes(options.group)) fail(`${url}: 404 {message: 404 Group Not Found}`);
  } else {
    const access = (state.projects ?? {})[project];
    if (access === undefined) fail(`${url}: 404 {message: 404 Project Not Found}`);
    if (access !== "maintainer") fail(`${url}: 403 {message: 403 Forbidden}`);
  }
  if ((state.refuse ?? []).includes(name)) fail(`${url}: 400 {message: {key: [is invalid]}}`);
  if (state.failOn === name) fail(`${url}: 500 {message: 500 Internal Server Error}`);
  if (options.masked && !/^[a-zA-Z0-9_+=/@:.~-]{8,}$/.test(value)) fail(`${url}: 400 {message: {value: [is invalid]}}`);
  const where = options.group ? `group:${options.group}` : project;
  state.variables ??= {};
  state.variables[where] ??= {};
  const exists = state.variables[where][name] !== undefined;
  if (verb === "set" && exists) fail(`${url}: 400 {message: {key: [(${name}) has already been taken]}}`);
  if (verb === "update" && !exists) fail(`${url}: 404 {message: 404 Variable Not Found}`);
  state.variables[where][name] = facts;
  saveState();
  process.stdout.write(`✓ ${verb === "set" ? "Created" : "Updated"} variable ${name} for ${where}.\n`);
}

await main();
