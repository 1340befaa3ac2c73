/**
 * `asc-key ci github|gitlab`: sets the key as CI secrets through gh or glab (src/lib/ci/), then prints the lines a
 * workflow needs. The answer goes to stdout; notes (an individual key's left-out names, what GitLab cannot mask) to
 * stderr. Only names, the Key ID and where are ever printed; values never are.
 */
import {
  addCiSecrets,
  CI_VENDOR,
  ciNames,
  isCiVendor,
  leftOutWords,
  parseCiGroups,
  parseCiTarget,
  whereWords,
  workflowLines,
  type CiTarget,
} from "../lib/ci";
import { CI_SOURCE_WORDS, ciVariables, EXPORT_TABLE, type ExportGroup } from "../lib/exports";
import { AscKeyError } from "../lib/errors";
import { parseCommandWithArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { KEY_OPTION, keyReference } from "./keys";
import { keyStoreFor } from "./settings";
import { showHelp } from "./shared";
import { listedKeyFor, noKeyError, requireRecord } from "../lib/keys";

const CI_OPTIONS = {
  repo: { type: "string" },
  env: { type: "string" },
  org: { type: "string" },
  visibility: { type: "string" },
  group: { type: "string" },
  scope: { type: "string" },
  protected: { type: "boolean" },
  only: { type: "string", multiple: true },
  "dry-run": { type: "boolean" },
  ...KEY_OPTION,
} as const;

export async function runCi(args: string[], io: CliIo): Promise<ExitStatus> {
  const { values, positionals } = parseCommandWithArgs("ci", args, CI_OPTIONS, ["github|gitlab"]);
  if (values.help) return showHelp("ci", io);
  const vendor = positionals[0];
  if (!isCiVendor(vendor))
    throw new UsageError('ci takes "github" or "gitlab" first: asc-key ci github --repo owner/name.');
  const key = keyReference(values.key);
  let target: CiTarget;
  let groups: ExportGroup[];
  try {
    target = parseCiTarget({
      vendor,
      repo: values.repo,
      environment: values.env,
      org: values.org,
      visibility: values.visibility as CiTarget["visibility"],
      group: values.group,
      scope: values.scope,
      protected: values.protected,
    });
    groups = parseCiGroups(values.only?.flatMap((value) => value.split(",")));
  } catch (error) {
    if (error instanceof AscKeyError) throw new UsageError(error.message);
    throw error;
  }

  if (values["dry-run"]) return dryRun(io, target, groups, key);

  const added = await addCiSecrets({ store: keyStoreFor(io.env), key, target, groups, env: io.env });
  const updated = added.updated.length > 0 ? ` (updated: ${added.updated.join(", ")})` : "";
  io.out(
    `Set ${added.set.length} ${CI_VENDOR[vendor].secrets} for Key ID ${added.keyId} in ${added.where}: ${added.set.join(", ")}${updated}.`,
  );
  notes(io, target, groups, added.names.leftOut);
  for (const line of added.workflow) io.out(line);
  return EXIT.ok;
}

/**
 * The names and where, for this key's kind (team or individual): no value is shown, nothing runs, and the key is
 * known from the saved keys' listing, so its item (the private key) is not read. A damaged key is read as setting
 * would, for that refusal's own words.
 */
async function dryRun(
  io: CliIo,
  target: CiTarget,
  groups: ExportGroup[],
  key: string | undefined,
): Promise<ExitStatus> {
  const store = keyStoreFor(io.env);
  const listed = await listedKeyFor(store, key);
  if (listed === undefined) throw noKeyError();
  const { kind, keyId } = listed.state === "ok" ? listed : await requireRecord(store, key);
  const names = ciNames(kind, groups);
  io.out(
    `Would set ${names.names.length} ${CI_VENDOR[target.vendor].secrets} for Key ID ${keyId} in ${whereWords(target)} (dry run: nothing set):`,
  );
  for (const { name, group } of names.names) io.out(`  ${name}  ${group}: ${ciSourceWords(group, name)}`);
  notes(io, target, groups, names.leftOut);
  for (const line of workflowLines(target, names, groups)) io.out(line);
  return EXIT.ok;
}

function ciSourceWords(group: ExportGroup, name: string): string {
  const spec = EXPORT_TABLE.find((row) => row.group === group);
  const source = spec && ciVariables(spec).find((variable) => variable.name === name)?.source;
  return source ? CI_SOURCE_WORDS[source] : "";
}

function notes(io: CliIo, target: CiTarget, groups: readonly ExportGroup[], leftOut: readonly string[]): void {
  const individual = leftOutWords(leftOut, groups);
  if (individual) io.err(`note: ${individual}`);
  if (target.vendor === "gitlab" && groups.includes("codemagic")) {
    io.err("note: codemagic reads only the key's PEM text, which GitLab cannot mask; the other variables are masked.");
  }
}
