#!/usr/bin/env node
// A stand-in for GitHub's command line, gh, as its source says it behaves (cli/cli 2.23,
// pkg/cmd/secret/set/set.go and http.go; pkg/cmd/auth/status): only what asc-key ci uses.
//
//   gh secret set -f - [-R [host/]owner/name] [--env E | --org O [--visibility V]]
//     reads a dotenv document from stdin (godotenv: NAME=value, NAME='literal', NAME="with \n escapes", # comments),
//     fetches the target's public key, then sets each name on its own; prints nothing when stdout is not a terminal.
//     Exit 4 when authentication is needed (no GH_TOKEN and no hosts.yml in GH_CONFIG_DIR); 1 for any other failure,
//     with each failed name as `failed to set secret "NAME": HTTP 422: ...` (hashicorp multierror's layout).
//   gh auth status   exit 1 when not logged in.
//
// The world it sees comes from the JSON file $CI_STAND_IN_STATE (written by the test, updated here):
//   { "token": "the valid GH_TOKEN", "repos": { "owner/name": "admin" | "read" }, "environments": ["owner/name:E"],
//     "orgs": ["acme"], "remote": "owner/name" (what git's remote says; absent: not a clone), "refuse": ["NAME"],
//     "secrets": { "<target>": { "NAME": { sha256, decodedSha256, length, lines } } } }
// What it was given is appended to $CI_STAND_IN_LOG as one JSON line: its argv, its environment, whether stdin was
// a terminal, and per secret only the SHA-256 of the value and of the value base64-decoded, never the value.
import { existsSync } from "node:fs";
import path from "node:path";
import { argv, log as logRun, saveState, sha, state } from "./ci-stand-in-world.mjs";

const log = (extra) => logRun("gh", extra);

function fail(text, status = 1) {
  process.stderr.write(`${text}\n`);
  process.exit(status);
}

function loggedIn() {
  if (process.env.GH_TOKEN || process.env.GITHUB_TOKEN) return true;
  const dir = process.env.GH_CONFIG_DIR;
  return Boolean(dir && existsSync(path.join(dir, "hosts.yml")));
}

const NEED_AUTH =
  "To get started with GitHub CLI, please run:  gh auth login\n" +
  "Alternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.";

/** godotenv.Parse, as far as a dotenv document of names and values goes. */
function parseDotenv(text) {
  const out = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) throw new Error(`unexpected character in line: ${line.slice(0, 20)}`);
    let value = match[2];
    if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1);
    else if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\([\\"$nr])/g, (_, c) => ({ n: "\n", r: "\r" })[c] ?? c);
    } else value = value.replace(/\s+#.*$/, "").trim();
    out[match[1]] = value;
  }
  return out;
}

function apiUrl(pathname) {
  const host = process.env.GH_HOST || "github.com";
  return host === "github.com" ? `https://api.github.com/${pathname}` : `https://${host}/api/v3/${pathname}`;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

async function main() {
  if (argv[0] === "auth" && argv[1] === "status") {
    log({});
    if (!loggedIn()) fail("You are not logged into any GitHub hosts. Run gh auth login to authenticate.", 1);
    process.stderr.write("github.com\n  ✓ Logged in to github.com\n");
    return;
  }
  if (argv[0] !== "secret" || argv[1] !== "set") fail(`unknown command "${argv[0]}" for "gh"`, 1);
  const options = {};
  for (let i = 2; i < argv.length; i += 1) {
    const flag = argv[i];
    const takes = {
      "-f": "file",
      "--env-file": "file",
      "-R": "repo",
      "--repo": "repo",
      "--env": "env",
      "-e": "env",
      "--org": "org",
      "-o": "org",
      "--visibility": "visibility",
      "-v": "visibility",
      "--body": "body",
      "-b": "body",
    }[flag];
    if (!takes) fail(`unknown flag: ${flag}`, 1);
    options[takes] = argv[(i += 1)];
  }
  if (options.body !== undefined) fail("asc-key must never pass a value on the command line", 1);
  if (options.file !== "-") fail("this stand-in reads only -f -", 1);
  if ([options.org, options.env].filter(Boolean).length > 1)
    fail("specify only one of `--org`, `--env`, or `--user`", 1);
  if (options.visibility !== undefined && !options.org) fail("`--visibility` is only supported with `--org`", 1);

  const text = await readStdin();
  let secrets;
  try {
    secrets = parseDotenv(text);
  } catch (error) {
    fail(`error parsing env file: ${error.message}`);
  }
  if (Object.keys(secrets).length === 0) fail("no secrets found in file");
  const received = Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [
      name,
      {
        sha256: sha(value),
        decodedSha256: sha(Buffer.from(value, "base64")),
        length: value.length,
        lines: value.split("\n").length,
      },
    ]),
  );
  log({ options, received });

  if (!loggedIn()) fail(NEED_AUTH, 4);
  const badToken = process.env.GH_TOKEN && state.token && process.env.GH_TOKEN !== state.token;

  let target;
  let keyPath;
  if (options.org) {
    if (!(state.orgs ?? []).includes(options.org)) {
      fail(
        `failed to fetch public key: HTTP 404: Not Found (${apiUrl(`orgs/${options.org}/actions/secrets/public-key`)})`,
      );
    }
    target = `org:${options.org}`;
  } else {
    let repo = options.repo ?? state.remote;
    if (!repo) {
      fail(
        "none of the git remotes configured for this repository point to a known GitHub host. To tell gh about a new GitHub host, please use `gh auth login`",
      );
    }
    repo = repo.split("/").slice(-2).join("/");
    keyPath = options.env
      ? `repos/${repo}/environments/${options.env}/secrets/public-key`
      : `repos/${repo}/actions/secrets/public-key`;
    if (badToken) fail(`failed to fetch public key: HTTP 401: Bad credentials (${apiUrl(keyPath)})`);
    const access = (state.repos ?? {})[repo];
    if (access === undefined) fail(`failed to fetch public key: HTTP 404: Not Found (${apiUrl(keyPath)})`);
    if (access !== "admin")
      fail(`failed to fetch public key: HTTP 403: Must have admin rights to Repository. (${apiUrl(keyPath)})`);
    if (options.env && !(state.environments ?? []).includes(`${repo}:${options.env}`)) {
      fail(`failed to fetch public key: HTTP 404: Not Found (${apiUrl(keyPath)})`);
    }
    target = options.env ? `${repo}:${options.env}` : repo;
  }

  const errors = [];
  state.secrets ??= {};
  state.secrets[target] ??= {};
  for (const [name, facts] of Object.entries(received)) {
    if ((state.refuse ?? []).includes(name) || /^GITHUB_/i.test(name) || /^[0-9]/.test(name)) {
      errors.push(
        `failed to set secret "${name}": HTTP 422: Secret names must not start with GITHUB_ or a number, and may contain only alphanumeric characters or underscores. (${apiUrl(`${target}/secrets/${name}`)})`,
      );
      continue;
    }
    state.secrets[target][name] = facts;
  }
  saveState();
  if (errors.length > 0) {
    fail(
      `${errors.length} error${errors.length === 1 ? "" : "s"} occurred:\n${errors.map((e) => `\t* ${e}`).join("\n")}\n`,
    );
  }
  if (process.stdout.isTTY)
    for (const name of Object.keys(received)) process.stdout.write(`✓ Set Actions secret ${name} for ${target}\n`);
}

await main();
