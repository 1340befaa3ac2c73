/**
 * The six asc-key commands. Each parses its options, enters the shared pipeline (src/lib/pipeline.ts) where the
 * Raycast form and the AI tools enter it, and prints: the answer on stdout, warnings and notes on stderr. Failures
 * are thrown (AscKeyError from the core, UsageError from here) and turned into an exit status in one place
 * (exit-status.ts). Nothing here prints key material; `token` prints the token, which is its job.
 */
import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkKey, TEAM_KEYS_URL, type CheckResult, type Outcome } from "../lib/asc-client";
import {
  AREA_TITLES,
  AREAS,
  probePrivilege,
  PROBES,
  type CapabilityReport,
} from "../lib/capabilities";
import {
  appleLine,
  clockLine,
  DEFAULT_ROTATE_AFTER_DAYS,
  environmentLine,
  findLeftoverKeyFiles,
  homeRelative,
  keyAgeLine,
  keychainLine,
  leftoverFilesLine,
  overallHealth,
  type HealthLine,
  type KeychainRead,
} from "../lib/health";
import { createKeyStore } from "../lib/keychain";
import {
  AppleCheckError,
  checkSavedKeyCapabilities,
  mintSavedToken,
  prepareKey,
  readStatus,
  registerKey,
  removeSavedKey,
  verifySavedKey,
  type KeyInput,
} from "../lib/pipeline";
import { maskIssuerId } from "../lib/ids";
import { summarize, type KeyStatus, type KeySummary } from "../lib/status";
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from "../lib/token";
import { moveToTrash } from "../lib/trash";
import { parseCommandArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import { COMMAND_HELP, type CommandName } from "./help";
import { readKeyFromStdin, type CliIo } from "./io";

export type Command = (args: string[], io: CliIo) => Promise<ExitStatus>;

/** Told to the user when a command needs a saved key and there is none (exit 1). */
export const NO_KEY_SENTENCE =
  "No, no ASC key configured; register one with: asc-key register --issuer-id <id> --key-id <id> --p8 <file>";

export const COMMANDS: Readonly<Record<CommandName, Command>> = {
  register,
  status,
  verify,
  token,
  remove,
  open,
  doctor,
};

/** How the CLI says to switch to a smaller key. */
export const CLI_SWITCH_HINT = "create it on Team Keys and asc-key register it; that replaces this one";

/** The saved key's store: service from LINGCODE_KEYCHAIN_SERVICE (default `LingCode`), created when needed. */
const keyStore = () => createKeyStore();

function showHelp(command: CommandName, io: CliIo): ExitStatus {
  io.out(COMMAND_HELP[command]);
  return EXIT.ok;
}

async function register(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("register", args, {
    "issuer-id": { type: "string" },
    "key-id": { type: "string" },
    p8: { type: "string" },
    individual: { type: "boolean" },
    "skip-verify": { type: "boolean" },
    trash: { type: "boolean" },
  });
  if (values.help) return showHelp("register", io);

  const individual = values.individual === true;
  const p8 = values.p8;
  // Usage first, before reading anything: a refused call changes nothing.
  if (individual && values["issuer-id"] !== undefined) {
    throw new UsageError("--individual keys take no --issuer-id (Apple rejects a token that carries one); drop one.");
  }
  if (!individual && !values["issuer-id"]?.trim()) {
    throw new UsageError(
      "A team key needs --issuer-id <id> (shown at the top of the Team Keys page); for an individual key pass --individual.",
    );
  }
  if (!values["key-id"]?.trim()) throw new UsageError("register needs --key-id <id>, the key's Key ID.");
  if (p8 === undefined || p8.trim() === "") {
    throw new UsageError("register needs --p8 <file>, the AuthKey_<Key ID>.p8 file, or --p8 - to read it from stdin.");
  }
  if (looksLikeKeyText(p8)) {
    throw new UsageError(
      "--p8 takes the path of the .p8 file (or - for stdin), never the key itself: the command line is visible to other programs.",
    );
  }
  const fromStdin = p8 === "-";
  if (fromStdin && values.trash) throw new UsageError("--trash moves the .p8 file; with --p8 - there is no file.");

  const input: KeyInput = {
    kind: individual ? "individual" : "team",
    issuerId: values["issuer-id"],
    keyId: values["key-id"],
  };
  if (fromStdin) {
    if (io.stdin.isTTY) io.err("paste the key, then press Ctrl-D on an empty line.");
    input.p8Text = await readKeyFromStdin(io.stdin);
  } else {
    input.p8Path = p8;
  }
  const prepared = await prepareKey(input);

  const skipVerify = values["skip-verify"] === true;
  let registration;
  try {
    registration = await registerKey(prepared, { store: keyStore(), verify: !skipVerify });
  } catch (error) {
    if (error instanceof AppleCheckError) {
      const hint = error.code === "apple-unavailable" ? "; --skip-verify saves it without checking" : "";
      io.err(`${withoutFinalStop(error.check.message)}. Nothing was saved${hint}.`);
      return error.code === "apple-rejected" ? EXIT.rejected : EXIT.unavailable;
    }
    throw error;
  }

  io.out(registration.sentence);
  io.out(`Fingerprint: ${registration.fingerprint}`);
  for (const warning of registration.warnings) io.err(`warning: ${warning}`);
  if (registration.check && registration.check.outcome !== "valid") io.err(`warning: ${registration.check.message}`);
  if (registration.check?.outcome === "valid") {
    // The privilege probe (Users and Access): one more request, never a refusal; an unknown answer says nothing.
    const privilege = await probePrivilege(prepared.record, {
      rateLimitRemaining: registration.check.rateLimitRemaining,
      switchHint: CLI_SWITCH_HINT,
    });
    if (privilege.warning) io.err(`warning: ${privilege.warning}`);
  }
  if (skipVerify) io.err("saved without checking with Apple; run asc-key verify to check it.");
  if (registration.replaced) {
    io.err(
      `replaced the key saved before (Key ID ${registration.replaced.keyId}, ${registration.replaced.fingerprint}).`,
    );
  }
  if (values.trash && input.p8Path !== undefined) {
    const name = path.basename(input.p8Path);
    try {
      await moveToTrash(input.p8Path, { platform: io.platform, env: io.env });
      io.err(`moved ${name} to the Trash.`);
    } catch (error) {
      const reason = error instanceof Error ? withoutFinalStop(error.message) : "unknown error";
      io.err(`warning: the key is saved, but ${name} was not moved to the Trash (${reason}); delete it yourself.`);
    }
  }
  return EXIT.ok;
}

async function status(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("status", args, { json: { type: "boolean" } });
  if (values.help) return showHelp("status", io);
  const report = await readStatus(keyStore());
  io.out(values.json ? JSON.stringify(statusJson(report.status)) : report.sentence);
  return report.status.configured ? EXIT.ok : EXIT.noKey;
}

/** The documented `status --json` shape, fields in this order; never the private key or the whole Issuer ID. */
export function statusJson(status: KeyStatus): Record<string, unknown> {
  if (!status.configured) return { configured: false };
  const summary: KeySummary = status;
  const json: Record<string, unknown> = { configured: true, kind: summary.kind, keyId: summary.keyId };
  if (summary.kind === "team" && summary.issuerIdSuffix) json.issuerIdSuffix = summary.issuerIdSuffix;
  json.fingerprint = summary.fingerprint;
  json.savedAt = summary.savedAt;
  return json;
}

/** Outcomes where the key itself works: exit 0, with this warning on stderr. */
const WARNINGS: Partial<Record<Outcome, string>> = {
  "role-limited": "warning: the key is valid, but its role is too small to list apps.",
  "agreement-required":
    "warning: the key is valid, but App Store Connect needs the Account Holder to accept an agreement.",
  "rate-limited": "warning: the key is valid, but it has used up this hour's requests.",
};

const VERIFY_EXIT: Readonly<Record<Outcome, ExitStatus>> = {
  valid: EXIT.ok,
  "role-limited": EXIT.ok,
  "agreement-required": EXIT.ok,
  "rate-limited": EXIT.ok,
  rejected: EXIT.rejected,
  "server-error": EXIT.unavailable,
  unreachable: EXIT.unavailable,
};

async function verify(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("verify", args, { json: { type: "boolean" }, capabilities: { type: "boolean" } });
  if (values.help) return showHelp("verify", io);
  if (values.capabilities) return verifyCapabilities(values.json === true, io);
  const { check } = await verifySavedKey(keyStore());
  const exit = VERIFY_EXIT[check.outcome];
  if (values.json) io.out(JSON.stringify(verifyJson(check)));
  else if (exit === EXIT.ok) io.out(check.message);
  else io.err(check.message);
  const warning = WARNINGS[check.outcome];
  if (warning) io.err(warning);
  return exit;
}

/** The documented `verify --json` shape. */
export function verifyJson(check: CheckResult): Record<string, unknown> {
  const json: Record<string, unknown> = { outcome: check.outcome, message: check.message };
  if (check.rateLimitRemaining !== undefined) json.rateLimitRemaining = check.rateLimitRemaining;
  if (check.clockOffsetSeconds !== undefined) json.clockOffsetSeconds = check.clockOffsetSeconds;
  return json;
}

/** `verify --capabilities`: what the key can do, area by area, and what Apple's pages let us conclude. */
async function verifyCapabilities(json: boolean, io: CliIo): Promise<ExitStatus> {
  const { report } = await checkSavedKeyCapabilities(keyStore(), { switchHint: CLI_SWITCH_HINT });
  const exit = VERIFY_EXIT[report.outcome];
  if (json) {
    io.out(JSON.stringify(capabilitiesJson(report)));
  } else {
    const lines = capabilityLines(report);
    if (exit === EXIT.ok) lines.forEach((line) => io.out(line));
    else io.err(report.message);
  }
  if (exit === EXIT.ok) {
    for (const conclusion of report.conclusions) if (conclusion.level === "warn") io.err(`warning: ${conclusion.text}`);
  }
  const warning = WARNINGS[report.outcome];
  if (warning) io.err(warning);
  return exit;
}

/** The text of `verify --capabilities`: one line per area, then the informative conclusions. */
export function capabilityLines(report: CapabilityReport): string[] {
  const width = Math.max(...AREAS.map((area) => AREA_TITLES[area].length));
  const lines = [`What key ${report.keyId} can do (${report.requests} requests):`];
  for (const area of AREAS) {
    const result = report.areas[area];
    if (!result) continue;
    const paths = PROBES.filter((probe) => probe.area === area)
      .map((probe) => probe.path.split("?")[0])
      .join(", ");
    const why = result.answer === "unknown" ? ` (${result.reason})` : "";
    lines.push(`  ${AREA_TITLES[area].padEnd(width)}  ${result.answer.padEnd(7)}  GET ${paths}${why}`);
  }
  for (const conclusion of report.conclusions) if (conclusion.level === "info") lines.push(conclusion.text);
  return lines;
}

/** The documented `verify --capabilities --json` shape. */
export function capabilitiesJson(report: CapabilityReport): Record<string, unknown> {
  const json: Record<string, unknown> = { outcome: report.outcome, message: report.message, keyId: report.keyId };
  const areas: Record<string, unknown> = {};
  for (const area of AREAS) {
    const result = report.areas[area];
    if (!result) continue;
    const entry: Record<string, unknown> = { answer: result.answer };
    if (result.cause) entry.cause = result.cause;
    if (result.reason) entry.reason = result.reason;
    if (result.httpStatus !== undefined) entry.httpStatus = result.httpStatus;
    areas[area] = entry;
  }
  json.areas = areas;
  json.conclusions = report.conclusions.map(({ id, level, text, sources }) => ({ id, level, text, sources }));
  json.requests = report.requests;
  if (report.rateLimitRemaining !== undefined) json.rateLimitRemaining = report.rateLimitRemaining;
  if (report.clockOffsetSeconds !== undefined) json.clockOffsetSeconds = report.clockOffsetSeconds;
  json.checkedAt = report.checkedAt;
  return json;
}

async function doctor(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("doctor", args, {
    json: { type: "boolean" },
    "rotate-after": { type: "string" },
    "trash-leftovers": { type: "boolean" },
  });
  if (values.help) return showHelp("doctor", io);
  const rotateAfter =
    values["rotate-after"] === undefined ? DEFAULT_ROTATE_AFTER_DAYS : parseDays(values["rotate-after"]);
  const home = io.env.HOME || os.homedir();
  const now = Date.now();

  const read: KeychainRead = {};
  let record;
  try {
    record = await keyStore().read();
    const status = summarize(record);
    if (status.configured) read.summary = status;
  } catch (error) {
    read.error = error;
  }
  const lines: HealthLine[] = [keychainLine(read, io.env)];
  const summary = read.summary;

  if (summary) {
    let leftovers = await findLeftoverKeyFiles(home, summary.keyId);
    if (values["trash-leftovers"]) leftovers = await trashLeftovers(leftovers, home, io);
    lines.push(leftoverFilesLine(leftovers, home));
  }
  lines.push(environmentLine(io.env, summary));
  if (record) {
    const check = await checkKey(record);
    lines.push(appleLine(check), clockLine(check));
  }
  if (summary) lines.push(keyAgeLine(summary, now, rotateAfter));

  const healthy = overallHealth(lines) === "ok";
  if (values.json) {
    io.out(JSON.stringify({ ok: healthy, lines }));
  } else {
    for (const line of lines) {
      io.out(`${line.level.padEnd(4)}  ${line.check}: ${line.text}${line.fix ? ` Fix: ${line.fix}.` : ""}`);
    }
  }
  return healthy ? EXIT.ok : EXIT.unhealthy;
}

/** Moves each leftover .p8 to the Trash; returns the ones still there, saying what happened on stderr. */
async function trashLeftovers(files: string[], home: string, io: CliIo): Promise<string[]> {
  const left: string[] = [];
  for (const file of files) {
    const shown = homeRelative(file, home);
    try {
      await moveToTrash(file, { platform: io.platform, env: io.env, homeDir: home });
      io.err(`moved ${shown} to the Trash.`);
    } catch (error) {
      const reason = error instanceof Error ? withoutFinalStop(error.message) : "unknown error";
      io.err(`warning: ${shown} was not moved to the Trash (${reason}); delete it yourself.`);
      left.push(file);
    }
  }
  return left;
}

function parseDays(text: string): number {
  if (!/^\d{1,4}$/.test(text.trim())) {
    throw new UsageError("--rotate-after takes whole days, 0 (never remind) to 9999, e.g. --rotate-after 180.");
  }
  return Number(text.trim());
}

async function token(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("token", args, {
    ttl: { type: "string" },
    scope: { type: "string", multiple: true },
  });
  if (values.help) return showHelp("token", io);
  const ttlSeconds = values.ttl === undefined ? undefined : parseTtl(values.ttl);
  io.out(await mintSavedToken(keyStore(), { ttlSeconds, scope: values.scope }));
  return EXIT.ok;
}

function parseTtl(text: string): number {
  const range = `${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}`;
  if (!/^\d{1,6}$/.test(text.trim())) throw new UsageError(`--ttl takes whole seconds, ${range}.`);
  const seconds = Number(text.trim());
  if (seconds > MAX_TTL_SECONDS) {
    throw new UsageError(
      `--ttl ${seconds} is over ${MAX_TTL_SECONDS} s; Apple refuses tokens that live longer than 20 minutes.`,
    );
  }
  if (seconds < MIN_TTL_SECONDS) {
    throw new UsageError(`--ttl ${seconds} is too short: iat is set 60 s back, so the lifetime must be ${range} s.`);
  }
  return seconds;
}

async function remove(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("remove", args, {});
  if (values.help) return showHelp("remove", io);
  const removal = await removeSavedKey(keyStore());
  if (!removal.removed) {
    io.err("No, no ASC key configured; there was nothing to remove.");
    return EXIT.noKey;
  }
  const what = removal.previous ? removedKeyWords(removal.previous) : "the unreadable key entry";
  io.out(`Removed ${what} from the Keychain.`);
  return EXIT.ok;
}

function removedKeyWords(summary: KeySummary): string {
  if (summary.kind === "individual" || !summary.issuerIdSuffix) return `individual key ${summary.keyId}`;
  return `key ${summary.keyId} (Issuer ID ends in ${maskIssuerId(summary.issuerIdSuffix)})`;
}

async function open(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("open", args, {});
  if (values.help) return showHelp("open", io);
  openInBrowser(TEAM_KEYS_URL, io);
  io.out(TEAM_KEYS_URL);
  return EXIT.ok;
}

/** Hands the URL to the desktop (macOS `open`, elsewhere `xdg-open` in a graphical session); false if nothing can. */
function openInBrowser(url: string, io: CliIo): boolean {
  let opener: string | undefined;
  if (io.platform === "darwin") opener = "/usr/bin/open";
  // Without a display, xdg-open would start a text browser in this terminal.
  else if (io.platform !== "win32" && (io.env.DISPLAY || io.env.WAYLAND_DISPLAY)) {
    opener = findOnPath("xdg-open", io.env.PATH);
  }
  if (!opener) return false;
  try {
    const child = spawn(opener, [url], { detached: true, stdio: "ignore", env: io.env });
    child.on("error", () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** PEM text, or a long base64 run, given where a path belongs. */
function looksLikeKeyText(value: string): boolean {
  return /-----BEGIN|[\r\n]/.test(value) || /^[A-Za-z0-9+/=]{100,}$/.test(value.trim());
}

function withoutFinalStop(sentence: string): string {
  return sentence.replace(/[.\s]+$/, "");
}
