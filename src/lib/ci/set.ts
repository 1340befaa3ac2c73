/**
 * Setting the planned secrets through the vendor's own tool, each value on the child's stdin only:
 *
 * - gh (cli/cli pkg/cmd/secret/set/set.go): `gh secret set -f - [-R owner/name] [--env E | --org O --visibility V]`
 *   reads a dotenv document (godotenv) from stdin and sets every name in it, each in its own request; it never prompts
 *   with --env-file. Exit 4: authentication needed. Failures name the secret: `failed to set secret "NAME": HTTP 422:
 *   ...`; a repository gh cannot see fails when its public key is fetched (`failed to fetch public key: HTTP 404`).
 * - glab (internal/commands/variable/set/set.go, update/update.go): `glab variable set NAME [flags]` reads the value
 *   from stdin (trimmed) when stdin is not a terminal and only creates; `glab variable update NAME` changes an
 *   existing one, also from stdin, and refuses --scope for a group. One call per variable.
 *
 * What the tools print is outside text: it is made printable and cut to one short line before it is shown.
 */
import { AscKeyError, type ErrorCode } from "../errors";
import { durationWords, oneLine, printableCut, WIDTH } from "../text";
import { CI_VENDOR, whereWords, type CiSecret, type CiTarget } from "./plan";
import { TIMEOUT_MS, type ToolRun, type ToolRunner } from "./run";

export interface CiSetOptions {
  target: CiTarget;
  secrets: readonly CiSecret[];
  /** The tool's path (findTool). */
  tool: string;
  /** The tool's whole environment (the caller's: GH_TOKEN, GH_HOST, GITLAB_TOKEN ... are honoured). */
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  run: ToolRunner;
}

export interface CiSetResult {
  /** Names set, in plan order. */
  set: string[];
  /** GitLab: which of them existed and were updated. */
  updated: string[];
}

/** What the tools are told besides the caller's environment: no colour, no prompt, no update check. */
const QUIET: Readonly<Record<string, string>> = {
  NO_COLOR: "1",
  GH_PROMPT_DISABLED: "1",
  GH_NO_UPDATE_NOTIFIER: "1",
  GLAB_CHECK_UPDATE: "false",
};

export async function setCiSecrets(options: CiSetOptions): Promise<CiSetResult> {
  return options.target.vendor === "github" ? setWithGh(options) : setWithGlab(options);
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub

/** gh's arguments: the secrets come from stdin (`-f -`), never from the command line. */
export function ghArgs(target: CiTarget): string[] {
  const args = ["secret", "set", "-f", "-"];
  if (target.repo !== undefined) args.push("-R", target.repo);
  if (target.environment !== undefined) args.push("--env", target.environment);
  if (target.org !== undefined) args.push("--org", target.org, "--visibility", target.visibility ?? "private");
  return args;
}

/**
 * The dotenv document gh reads: one line per secret. A one-line value in single quotes (godotenv takes it as it is);
 * the PEM in double quotes with its line breaks written `\n` (godotenv turns them back), so the document is one line
 * per secret whatever the value.
 */
export function dotenvDocument(secrets: readonly CiSecret[]): string {
  return secrets
    .map(({ name, value }) => {
      if (!/[\n\r'\\"$]/.test(value)) return `${name}='${value}'\n`;
      const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n").replace(/\$/g, "\\$");
      return `${name}="${escaped}"\n`;
    })
    .join("");
}

async function setWithGh(options: CiSetOptions): Promise<CiSetResult> {
  const { target, secrets } = options;
  const names = secrets.map((secret) => secret.name);
  const run = await options.run({
    file: options.tool,
    args: ghArgs(target),
    env: { ...options.env, ...QUIET },
    stdin: dotenvDocument(secrets),
    cwd: options.cwd,
  });
  if (run.status === 0 && run.failure === undefined) return { set: names, updated: [] };
  const where = whereWords(target);
  if (run.failure !== undefined) throw startFailure(run, "github");
  const said = `${run.stderr}\n${run.stdout}`;
  if (run.status === 4) throw notLoggedIn("github", "gh needs you to log in");
  // gh names each secret it could not set; the others were set.
  const failed = new Map<string, string>();
  for (const match of said.matchAll(/failed to set secret "([A-Za-z0-9_]+)": *([^\n]*)/g)) {
    if (names.includes(match[1])) failed.set(match[1], match[2]);
  }
  if (failed.size > 0) {
    const set = names.filter((name) => !failed.has(name));
    const reasons = [...failed].map(([name, why]) => `${name} (${shortened(why)})`).join(", ");
    if (set.length === 0 && [...failed.values()].every((why) => /HTTP 422/.test(why))) {
      throw new AscKeyError("ci-name-refused", `GitHub refused ${reasons} in ${where}; nothing was set.`);
    }
    if (set.length === 0 && [...failed.values()].every((why) => /HTTP 401/.test(why))) {
      throw notLoggedIn("github", "GitHub refused gh's token (HTTP 401)");
    }
    if (set.length === 0)
      throw new AscKeyError("ci-failed", `gh could not set ${reasons} in ${where}; nothing was set.`);
    throw partial("github", set, reasons, where);
  }
  throw classified(said, run, "github", where);
}

// ---------------------------------------------------------------------------------------------------------------
// GitLab

/** glab's flags after the name; `update` takes no --scope for a group (glab refuses it). */
export function glabArgs(verb: "set" | "update", secret: CiSecret, target: CiTarget): string[] {
  const args = ["variable", verb, secret.name];
  if (secret.maskable) args.push("--masked");
  if (target.protected) args.push("--protected");
  if (target.scope !== undefined && !(verb === "update" && target.group !== undefined))
    args.push("--scope", target.scope);
  if (target.group !== undefined) args.push("-g", target.group);
  else if (target.repo !== undefined) args.push("-R", target.repo);
  return args;
}

/** GitLab's answer to creating a variable that exists ("(NAME) has already been taken"). */
const EXISTS = /already been taken|already exists/i;

async function setWithGlab(options: CiSetOptions): Promise<CiSetResult> {
  const { target, secrets } = options;
  const where = whereWords(target);
  const done: CiSetResult = { set: [], updated: [] };
  const call = (verb: "set" | "update", secret: CiSecret) =>
    options.run({
      file: options.tool,
      args: glabArgs(verb, secret, target),
      env: { ...options.env, ...QUIET },
      stdin: secret.value,
      cwd: options.cwd,
    });
  for (const secret of secrets) {
    let run = await call("set", secret);
    let updated = false;
    if (run.status !== 0 && run.failure === undefined && EXISTS.test(`${run.stderr}\n${run.stdout}`)) {
      run = await call("update", secret);
      updated = true;
    }
    if (run.status === 0 && run.failure === undefined) {
      done.set.push(secret.name);
      if (updated) done.updated.push(secret.name);
      continue;
    }
    // glab that could not start or was stopped after some names were set is a partial failure like any other.
    const error =
      run.failure !== undefined
        ? startFailure(run, "gitlab")
        : classified(`${run.stderr}\n${run.stdout}`, run, "gitlab", where, secret.name);
    if (done.set.length === 0) throw error;
    const why = run.failure !== undefined ? stopped(run, "gitlab") : withoutNothingSet(error.message);
    const untried = secrets.slice(secrets.indexOf(secret) + 1).map((other) => `${other.name} (not tried)`);
    const failed = [`${secret.name} (${why})`, ...untried].join(", ");
    throw partial("gitlab", done.set, failed, where);
  }
  return done;
}

// ---------------------------------------------------------------------------------------------------------------
// what the tools said, in one line

/** Why a run that did not finish failed, in words: it was stopped after TIMEOUT_MS, or could not be started. */
function stopped(run: ToolRun, vendor: CiTarget["vendor"]): string {
  const { tool } = CI_VENDOR[vendor];
  return run.failure === "timeout"
    ? `${tool} did not finish within ${durationWords(TIMEOUT_MS)} and was stopped`
    : `${tool} could not be run (${run.failure})`;
}

/** The error of a run that did not finish (run.failure set), when it is the whole story. */
function startFailure(run: ToolRun, vendor: CiTarget["vendor"]): AscKeyError {
  if (run.failure === "timeout") {
    return new AscKeyError("ci-failed", `${stopped(run, vendor)}; check the network, then run it again.`);
  }
  if (run.failure === "ENOENT") return toolMissing(vendor);
  return new AscKeyError("ci-failed", `${stopped(run, vendor)}; nothing was set.`);
}

export function toolMissing(vendor: CiTarget["vendor"]): AscKeyError {
  const { tool, label, install } = CI_VENDOR[vendor];
  return new AscKeyError(
    "ci-tool-missing",
    `${tool}, ${label}'s command line, is not installed: ${install}; nothing was set.`,
  );
}

function notLoggedIn(vendor: CiTarget["vendor"], why: string): AscKeyError {
  return new AscKeyError(
    "ci-not-logged-in",
    `${why}: run ${CI_VENDOR[vendor].login}, then try again; nothing was set.`,
  );
}

/** One failure that set nothing, from what the tool said. */
function classified(said: string, run: ToolRun, vendor: CiTarget["vendor"], where: string, name?: string): AscKeyError {
  const { tool, label } = CI_VENDOR[vendor];
  const status = run.status ?? "a signal";
  const line = (code: ErrorCode, text: string) => new AscKeyError(code, `${text}; nothing was set.`);
  if (
    /not a git repository|no git remotes|none of the git remotes|could not determine (base )?repo|unable to determine|failed to get current project|no remote/i.test(
      said,
    )
  ) {
    return line("ci-repo-missing", `${tool} could not tell the repository from this folder: pass --repo`);
  }
  if (/not logged in|auth login|authentication|\b401\b|unauthori[sz]ed|bad credentials|no token/i.test(said)) {
    return notLoggedIn(vendor, `${tool} is not logged in to ${label}, or its token was refused`);
  }
  if (/environments\/[^\s/]+\/secrets[^\n]*HTTP 404|HTTP 404[^\n]*environments\//.test(said)) {
    return line(
      "ci-repo-missing",
      `${where} has no such environment, or ${tool}'s account cannot see it: create it under Settings → Environments`,
    );
  }
  if (/\b404\b|not found/i.test(said)) {
    return line(
      "ci-repo-missing",
      `${label} has no ${where.replace(/^(GitHub|GitLab) /, "")} that ${tool}'s account can see: check the name`,
    );
  }
  if (/\b403\b|forbidden|must have admin|not accessible|insufficient/i.test(said)) {
    const role = vendor === "github" ? "admin access (or a token with the repo scope)" : "the Maintainer role";
    return line("ci-no-access", `${tool}'s account may not manage secrets of ${where}: it needs ${role}`);
  }
  if (name !== undefined && /\b400\b|invalid key|is invalid|key[^\n]*invalid|refused/i.test(said)) {
    return line("ci-name-refused", `${label} refused ${name} (${shortened(firstLine(said))})`);
  }
  return new AscKeyError(
    "ci-failed",
    `${tool} failed (exit ${status}): ${shortened(firstLine(said)) || "no reason given"}; check ${where}, then run it again.`,
  );
}

/** Some names were set: which, which not (each with why), and how to finish. */
function partial(vendor: CiTarget["vendor"], set: string[], notSet: string, where: string): AscKeyError {
  const again =
    vendor === "github"
      ? "run the same command again: gh replaces what was set"
      : "run the same command again: existing variables are updated";
  return new AscKeyError(
    "ci-partial",
    `Only part was set in ${where}: set ${set.join(", ")}; not set ${notSet}; ${again}.`,
  );
}

function withoutNothingSet(message: string): string {
  return message.replace(/[;.]?\s*nothing was set\.?$/, "");
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.replace(/^\s*([*-]|error:|glab:|gh:)\s*/i, "").trim())
      .find((line) => line !== "" && !/^\d+ errors? occurred:?$/.test(line)) ?? ""
  );
}

/** Outside text on one short printable line. */
function shortened(text: string): string {
  return printableCut(oneLine(text), WIDTH.toolAnswer);
}
