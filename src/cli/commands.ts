/**
 * asc-key's key commands (register, status, verify, token, remove, open; doctor, verify --capabilities and the
 * pipeline commands live beside them). Each parses its options, enters the saved keys' one surface (src/lib/keys/) where the
 * Raycast form and the AI tools enter it, and prints: the answer on stdout, warnings and notes on stderr. Failures
 * are thrown (AscKeyError from the core, UsageError from here) and turned into an exit status in one place
 * (exit-status.ts). Nothing here prints key material; `token` prints the token, which is its job.
 */
import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import path from "node:path";
import { type CheckResult, OUTCOME, TEAM_KEYS_URL } from "../lib/apple";
import { isAscKeyError } from "../lib/errors";
import {
  keyWords,
  mintSavedToken,
  nowUses,
  prepareKey,
  readSavedKeyStatus,
  readStatusWithRetired,
  removeKey,
  type KeyInput,
  type RegistrationChoices,
} from "../lib/keys";
import { noKeySentence, type KeyStatus, type KeySummary } from "../lib/status";
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from "../lib/token";
import { printable } from "../lib/text";
import { moveToTrash, type Trashed } from "../lib/trash";
import { parseCommandArgs } from "./args";
import { appleOptionsFor, keyStoreFor } from "./settings";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CommandName } from "./help";
import { readKeyFromStdin, type CliIo } from "./io";
import { verifyCapabilities } from "./capabilities";
import { doctor } from "./doctor";
import { PIPELINE_COMMANDS } from "./pipeline-commands";
import { KEY_OPTION, keyReference, list, nextReference, rename, shellWord, use } from "./keys";
import {
  looksLikeKeyText,
  notTrashedWarning,
  showHelp,
  verifyRemembering,
  withoutFinalStop,
  type Command,
} from "./shared";
import { registerAndReport } from "./registration";
import { role } from "./role";
import { runImport } from "./import";
import { runCi } from "./ci";
import { retiredJson, retiredLines, runForgetRetired, verifyRetired } from "./retired";

/** Told to the user when a command needs a saved key and there is none (exit 1). */
export const NO_KEY_SENTENCE = noKeySentence(
  "Register one with: asc-key register --issuer-id <id> --key-id <id> --p8 <file>",
);

export const COMMANDS: Readonly<Record<CommandName, Command>> = {
  register,
  status,
  list,
  use,
  rename,
  role,
  verify,
  token,
  remove,
  open,
  doctor,
  import: runImport,
  "forget-retired": runForgetRetired,
  ci: runCi,
  ...PIPELINE_COMMANDS,
};

const keyStore = (io: CliIo) => keyStoreFor(io.env);
const appleOptions = (io: CliIo) => appleOptionsFor(io.env);

const REGISTER_OPTIONS = {
  "issuer-id": { type: "string" },
  "key-id": { type: "string" },
  p8: { type: "string" },
  individual: { type: "boolean" },
  "skip-verify": { type: "boolean" },
  trash: { type: "boolean" },
  name: { type: "string" },
  use: { type: "boolean" },
  "no-use": { type: "boolean" },
  rotate: { type: "string" },
} as const;

type RegisterValues = ReturnType<typeof parseCommandArgs<typeof REGISTER_OPTIONS>>;

async function register(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("register", args, REGISTER_OPTIONS);
  if (values.help) return showHelp("register", io);
  const choices = registerChoices(values);
  const input = await keyInputOf(values, io);
  const prepared = await prepareKey(input);

  const saved = await registerAndReport(
    prepared,
    choices,
    values["skip-verify"] === true,
    io,
    undefined,
    individualRerun(args, prepared.record.keyId),
  );
  if (saved !== EXIT.ok) return saved;
  if (values.trash && input.p8Path !== undefined) await trashAfterRegister(input.p8Path, io);
  return EXIT.ok;
}

/**
 * The same `register` as an individual key: the arguments as given, without --issuer-id and with --individual (the
 * Key ID as cleaned). Every argument is a path, an ID, a name or a flag, never key material (--p8 refuses key text).
 */
function individualRerun(args: readonly string[], keyId: string): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === "--issuer-id" || arg === "--key-id") i += 1;
    else if (!arg.startsWith("--issuer-id=") && !arg.startsWith("--key-id=")) kept.push(arg);
  }
  return ["asc-key", "register", "--individual", "--key-id", keyId, ...kept].map(shellWord).join(" ");
}

/** Usage first, before reading anything: a refused call changes nothing. Returns the name, use and rotate choices. */
function registerChoices(values: RegisterValues): RegistrationChoices {
  const individual = values.individual === true;
  const p8 = values.p8;
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
  if (p8 === "-" && values.trash) throw new UsageError("--trash moves the .p8 file; with --p8 - there is no file.");
  if (values.use && values["no-use"]) throw new UsageError("--use and --no-use contradict each other; give one.");
  const rotates = keyReference(values.rotate, "--rotate");
  if (rotates !== undefined && values["no-use"]) {
    throw new UsageError(
      "--rotate keeps the rotated key's place: LingCode uses the new key only if it used that one, or with --use; drop --no-use.",
    );
  }
  if (values.name !== undefined && looksLikeKeyText(values.name)) {
    throw new UsageError("--name takes a short name for the key, never the key itself.");
  }
  return { name: values.name, use: values.use ? true : values["no-use"] ? false : undefined, rotates };
}

/** The key as given: the file's path, or the key read from stdin (`--p8 -`). */
async function keyInputOf(values: RegisterValues, io: CliIo): Promise<KeyInput> {
  const input: KeyInput = {
    kind: values.individual === true ? "individual" : "team",
    issuerId: values["issuer-id"],
    keyId: values["key-id"] ?? "",
  };
  if (values.p8 === "-") {
    if (io.stdin.isTTY) io.err("paste the key, then press Ctrl-D on an empty line.");
    input.p8Text = await readKeyFromStdin(io.stdin);
  } else {
    input.p8Path = values.p8;
  }
  return input;
}

/** --trash: the key is saved, so a failure here is only a warning. */
async function trashAfterRegister(p8Path: string, io: CliIo) {
  try {
    const trashed = await moveToTrash(p8Path, { platform: io.platform, env: io.env });
    io.err(trashedWords(trashed));
  } catch (error) {
    io.err(notTrashedWarning(printable(path.basename(p8Path)), error, "the key is saved, but "));
  }
}

async function status(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("status", args, { json: { type: "boolean" }, ...KEY_OPTION });
  if (values.help) return showHelp("status", io);
  const key = keyReference(values.key);
  if (key !== undefined) {
    // A saved key by name or Key ID: its item (and the list it is found in), never LingCode's entry unless needed.
    const saved = await readSavedKeyStatus(keyStore(io), key);
    io.out(values.json ? JSON.stringify({ ...statusJson(saved.summary), name: saved.summary.name }) : saved.sentence);
    if (!values.json) io.out(`Name: ${saved.summary.name}`);
    return EXIT.ok;
  }
  // LingCode's entry and, read with it, the old keys a rotation took out of use until Apple proves them revoked
  // (their list: nothing secret).
  const report = await readStatusWithRetired(keyStore(io));
  const retired = report.retired;
  const json = retired.length > 0 ? { ...statusJson(report.status), retired: retiredJson(retired) } : undefined;
  io.out(values.json ? JSON.stringify(json ?? statusJson(report.status)) : report.sentence);
  if (!values.json) for (const line of retiredLines(retired)) io.out(line);
  return report.status.configured ? EXIT.ok : EXIT.noKey;
}

/** The documented `status --json` shape, fields in this order; never the private key or the whole Issuer ID. */
function statusJson(status: KeyStatus): Record<string, unknown> {
  if (!status.configured) return { configured: false };
  const summary: KeySummary = status;
  const json: Record<string, unknown> = { configured: true, kind: summary.kind, keyId: summary.keyId };
  if (summary.kind === "team" && summary.issuerIdSuffix) json.issuerIdSuffix = summary.issuerIdSuffix;
  json.fingerprint = summary.fingerprint;
  json.savedAt = summary.savedAt;
  return json;
}

async function verify(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("verify", args, {
    json: { type: "boolean" },
    capabilities: { type: "boolean" },
    retired: { type: "boolean" },
    ...KEY_OPTION,
  });
  if (values.help) return showHelp("verify", io);
  const key = keyReference(values.key);
  if (values.retired) {
    if (key !== undefined || values.capabilities) {
      throw new UsageError(
        "--retired checks the key LingCode uses and the retired keys; drop --key and --capabilities.",
      );
    }
    return verifyRetired(values.json === true, io);
  }
  if (values.capabilities) return verifyCapabilities(values.json === true, io, key);
  const { check } = await verifyRemembering(keyStore(io), appleOptions(io), io, key);
  const facts = OUTCOME[check.outcome];
  if (values.json) io.out(JSON.stringify(verifyJson(check)));
  else if (facts.exit === "ok") io.out(check.message);
  else io.err(check.message);
  if (facts.cliWarning) io.err(`warning: ${facts.cliWarning}`);
  return EXIT[facts.exit];
}

/** The documented `verify --json` shape. */
function verifyJson(check: CheckResult): Record<string, unknown> {
  const json: Record<string, unknown> = { outcome: check.outcome, message: check.message };
  if (check.rateLimitRemaining !== undefined) json.rateLimitRemaining = check.rateLimitRemaining;
  if (check.clockOffsetSeconds !== undefined) json.clockOffsetSeconds = check.clockOffsetSeconds;
  return json;
}

async function token(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("token", args, {
    ttl: { type: "string" },
    scope: { type: "string", multiple: true },
    ...KEY_OPTION,
  });
  if (values.help) return showHelp("token", io);
  const ttlSeconds = values.ttl === undefined ? undefined : parseTtl(values.ttl);
  const key = keyReference(values.key);
  io.out(await mintSavedToken(keyStore(io), { ttlSeconds, scope: values.scope, key }));
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
  const values = parseCommandArgs("remove", args, { ...KEY_OPTION, next: { type: "string" } });
  if (values.help) return showHelp("remove", io);
  const key = keyReference(values.key);
  const next = nextReference(values.next);
  let removal;
  try {
    removal = await removeKey(keyStore(io), { key, next });
  } catch (error) {
    if (isAscKeyError(error, "next-key-needed")) {
      throw new UsageError(`${withoutFinalStop(error.message)}: --next <name or Key ID>, or --next none.`);
    }
    throw error;
  }
  if (!removal.removed) {
    io.err(noKeySentence("There was nothing to remove."));
    return EXIT.noKey;
  }
  const what = removal.previous
    ? keyWords(removal.previous)
    : removal.wasActive
      ? "the unreadable key entry"
      : `the saved item of key ${key?.trim().toUpperCase()}, which was not listed`;
  io.out(`Removed ${what} from the Keychain.`);
  if (removal.next) io.out(`${nowUses(removal.next)}.`);
  else if (removal.next === null && next === null)
    io.out("LingCode has no key now; asc-key use <name or Key ID> picks one.");
  return EXIT.ok;
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

/** What --trash moved: through a symbolic link, the file it really moved (by its path) and the link. */
function trashedWords(trashed: Trashed): string {
  if (trashed.link === undefined) return `moved ${printable(path.basename(trashed.file))} to the Trash.`;
  return `moved ${printable(trashed.file)} (the file behind the link ${printable(path.basename(trashed.link))}) and the link to the Trash.`;
}
