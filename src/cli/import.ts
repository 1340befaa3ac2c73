/**
 * `asc-key import --from fastlane-json <file> | eas-json <file> | env | folders`: a key from where it already is
 * (src/lib/import/),
 * through the same registration as `register` (src/cli/registration.ts). `--list` only shows what the source holds.
 */
import os from "node:os";
import path from "node:path";
import {
  classifyCandidates,
  findInEasJson,
  findInEnvironment,
  findInFastlaneJson,
  findInFolders,
  importCandidates,
  stateWords,
  type BrokenCandidate,
  type Found,
  type ImportCandidate,
  type ImportContext,
  type KeyCandidate,
} from "../lib/import";
import { maskedSuffix, parseIssuerId } from "../lib/ids";
import { planRegistration } from "../lib/keys";
import { namedKey } from "../lib/status";
import { printable } from "../lib/text";
import { parseCommandArgs, parseCommandWithArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { shellWord } from "./keys";
import { registerAndReport } from "./registration";
import { keyStoreFor } from "./settings";
import { looksLikeKeyText, showHelp } from "./shared";

const SOURCES = ["fastlane-json", "eas-json", "env", "folders"] as const;
type Source = (typeof SOURCES)[number];
/** The sources that are a file, given as the argument after the options. */
const FILE_SOURCES: readonly string[] = ["fastlane-json", "eas-json"] satisfies Source[];

const IMPORT_OPTIONS = {
  from: { type: "string" },
  list: { type: "boolean" },
  "key-id": { type: "string" },
  "issuer-id": { type: "string" },
  name: { type: "string" },
  use: { type: "boolean" },
  "no-use": { type: "boolean" },
  "skip-verify": { type: "boolean" },
} as const;

export async function runImport(args: string[], io: CliIo): Promise<ExitStatus> {
  // `--from fastlane-json` and `--from eas-json` take the file as an argument; the other sources take none.
  const takesFile = FILE_SOURCES.includes(fromOf(args) ?? "");
  const { values, positionals } = takesFile
    ? parseCommandWithArgs("import", args, IMPORT_OPTIONS, ["file"])
    : { values: parseCommandArgs("import", args, IMPORT_OPTIONS), positionals: [] as string[] };
  if (values.help) return showHelp("import", io);
  const source = sourceOf(values.from);
  const file = positionals[0];
  const issuerId = checkUsage(source, values, file);

  const context: ImportContext = { env: io.env, home: io.env.HOME?.trim() || os.homedir(), cwd: process.cwd() };
  const found = await read(source, context, file, issuerId);
  const what = sourceWords(source, file);
  if (found.length === 0) {
    io.err(`Found no key in ${what}.`);
    return EXIT.noKey;
  }
  if (values.list) {
    // Listing says, for each key, whether it is saved already: one read of the saved keys and LingCode's entry.
    const candidates = await importCandidates(found, keyStoreFor(io.env));
    candidates.forEach((candidate) => io.out(listLine(candidate)));
    // Every key found broken: nothing could be imported, as importing it would refuse (bad input).
    return candidates.every((candidate) => candidate.state === "broken") ? EXIT.usage : EXIT.ok;
  }

  // The one key to import is chosen from what the source holds alone; whether it is saved already comes from the
  // registration's own plan, so LingCode's entry is read once for the plan, not once more to classify.
  const candidates = classifyCandidates(found, []);
  const chosen = choose(candidates, values["key-id"], what);
  for (const other of candidates) if (other !== chosen && other.state === "broken") io.err(`warning: ${other.reason}`);
  if (!chosen.prepared) {
    throw new UsageError(`Key ${chosen.keyId} is a .p8 without its Issuer ID: add --issuer-id <id>.`);
  }
  const use = values.use ? true : values["no-use"] ? false : undefined;
  const choices = { name: values.name, use };
  const plan = await planRegistration(chosen.prepared, keyStoreFor(io.env), choices);
  if (plan.alreadySaved) {
    io.out(`${namedKey(plan.alreadySaved)} is already saved; nothing to do.`);
    return EXIT.ok;
  }
  const status = await registerAndReport(
    chosen.prepared,
    choices,
    values["skip-verify"] === true,
    io,
    plan,
    chosen.file
      ? `asc-key register --individual --key-id ${shellWord(chosen.keyId)} --p8 ${shellWord(chosen.file)}`
      : undefined,
  );
  if (status === EXIT.ok && chosen.file) {
    io.err(
      `warning: ${printable(path.basename(chosen.file))} still holds the private key in clear; now that it is saved, delete it or move it to the Trash.`,
    );
  }
  if (status === EXIT.ok && chosen.afterImport) io.err(`note: ${chosen.afterImport}`);
  return status;
}

/** The --from value as typed, to know whether a file argument is expected (parsing proper comes after). */
function fromOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === "--") return undefined;
    if (args[i] === "--from") return args[i + 1];
    if (args[i].startsWith("--from=")) return args[i].slice("--from=".length);
  }
  return undefined;
}

function sourceOf(from: string | undefined): Source {
  const usage = "asc-key import --from fastlane-json <file> | --from eas-json <file> | --from env | --from folders";
  if (from === undefined) throw new UsageError(`import needs --from: ${usage}`);
  if (!(SOURCES as readonly string[]).includes(from)) throw new UsageError(`--from takes ${SOURCES.join(", ")}.`);
  return from as Source;
}

type ImportValues = ReturnType<typeof parseCommandArgs<typeof IMPORT_OPTIONS>>;

/** Usage first, before reading anything. Returns the Issuer ID given for the folders' .p8 files. */
function checkUsage(source: Source, values: ImportValues, file: string | undefined): string | undefined {
  if (FILE_SOURCES.includes(source) && (file === undefined || file.trim() === "" || looksLikeKeyText(file))) {
    throw new UsageError(`--from ${source} takes the path of the JSON file, never its contents.`);
  }
  if (values.use && values["no-use"]) throw new UsageError("--use and --no-use contradict each other; give one.");
  if (values.name !== undefined && looksLikeKeyText(values.name)) {
    throw new UsageError("--name takes a short name for the key, never the key itself.");
  }
  if (values["key-id"] !== undefined && looksLikeKeyText(values["key-id"])) {
    throw new UsageError("--key-id takes the Key ID of the key to import, never the key itself.");
  }
  const issuer = values["issuer-id"];
  if (issuer === undefined) return undefined;
  if (source !== "folders") {
    throw new UsageError("--issuer-id is for --from folders: the other sources say which team their key is of.");
  }
  return parseIssuerId(issuer);
}

function read(source: Source, context: ImportContext, file: string | undefined, issuerId?: string): Promise<Found[]> {
  switch (source) {
    case "fastlane-json":
      return findInFastlaneJson(path.resolve(context.cwd, file!), context).then((one) => [one]);
    case "eas-json":
      return findInEasJson(path.resolve(context.cwd, file!), context);
    case "env":
      return findInEnvironment(context);
    case "folders":
      return findInFolders(context, issuerId);
  }
}

function sourceWords(source: Source, file: string | undefined): string {
  if (FILE_SOURCES.includes(source)) return printable(path.basename(file ?? ""));
  return source === "env" ? "the environment" : "the private_keys folders";
}

/**
 * The one key to import: the only key found, or the one --key-id names. A source holding only broken keys refuses
 * with the first one's reason (exit 2).
 */
function choose(candidates: ImportCandidate[], keyId: string | undefined, what: string): KeyCandidate {
  const usable = candidates.filter((candidate): candidate is KeyCandidate => candidate.state !== "broken");
  const wanted = keyId?.trim().toUpperCase();
  const matching = wanted === undefined ? usable : usable.filter((candidate) => candidate.keyId === wanted);
  if (matching.length === 1) return matching[0];
  const ids = [...new Set(usable.map((candidate) => candidate.keyId))].join(", ");
  if (matching.length > 1) {
    throw new UsageError(
      wanted === undefined
        ? `${what} holds ${usable.length} keys (${ids}); choose one with --key-id <id> (--list shows them).`
        : `${what} holds key ${wanted} more than once, with different Issuer IDs or key material; --list shows them.`,
    );
  }
  if (wanted !== undefined && usable.length > 0) {
    throw new UsageError(`${what} holds no key with that Key ID; it holds ${ids}.`);
  }
  const first = candidates.find((candidate): candidate is BrokenCandidate => candidate.state === "broken");
  throw new UsageError(first ? first.reason : `Found no key in ${what}.`);
}

/** `new  Key ID X (Issuer ID ends in ...b6c), from $ASC_KEY_PATH, …` or `broken  <reason>`. */
function listLine(candidate: ImportCandidate): string {
  if (candidate.state === "broken") return `broken  ${candidate.reason}`;
  const team =
    candidate.kind === "individual"
      ? "individual key"
      : candidate.issuerIdSuffix
        ? `Issuer ID ends in ${maskedSuffix(candidate.issuerIdSuffix)}`
        : "Issuer ID not known";
  const state = candidate.state === "other-material" ? "replaces" : candidate.state;
  return `${state.padEnd(8)}Key ID ${candidate.keyId} (${team}, ${candidate.fingerprint}) from ${candidate.origins.join(", ")}: ${stateWords(candidate)}`;
}
