/** `asc-key ci`'s help: its line in the tool's help and its own page. The names come from the exports table. */
import { CI_SOURCE_WORDS, ciVariables, EXPORT_TABLE } from "../lib/exports";
import { CI_GROUPS, GITHUB_VISIBILITIES } from "../lib/ci";

/** One line for the tool's help. */
export const CI_COMMAND_LINE =
  "  ci        Set the key as CI secrets through gh or glab: asc-key ci github|gitlab --repo <owner/name>";

function secretLines(): string {
  const rows = EXPORT_TABLE.filter((spec) => CI_GROUPS.includes(spec.group));
  const width = Math.max(...rows.flatMap((spec) => ciVariables(spec).map((v) => v.name.length)));
  return rows
    .flatMap((spec) => [
      `  ${spec.group}:`,
      ...ciVariables(spec).map((v) => `    ${v.name.padEnd(width)}  ${CI_SOURCE_WORDS[v.source]}`),
    ])
    .join("\n");
}

export const CI_HELP = `Usage: asc-key ci github [--repo <owner/name>] [--env <environment> | --org <org> [--visibility ${GITHUB_VISIBILITIES.join("|")}]]
       asc-key ci gitlab [--repo <group/project> | --group <group>] [--scope <scope>] [--protected]
       (both also take [--only <groups>] [--key <name or Key ID>] [--dry-run])

Sets the key LingCode uses (or the saved key --key names) as GitHub Actions secrets (with gh) or GitLab CI/CD
variables (with glab), in each tool's own names, then prints the lines a workflow needs to read them. The key goes
only to gh's or glab's stdin: never on a command line, in a file, or in an environment variable. Wherever a tool
reads base64 the key is one line of base64 (and the variable that says so is set), so nothing multi-line passes
through the CI service; codemagic reads only PEM text, which GitLab cannot mask. On GitLab every variable GitLab can
mask (one line of at least 8 characters from a-z A-Z 0-9 _+=/@:.~-) is masked, and an existing one is updated.
An individual key has no Issuer ID: those names are left out (asc then needs ASC_KEY_TYPE=individual, printed with
the workflow lines).

Options:
  --only <groups>  Set only these, comma-separated: ${CI_GROUPS.join(", ")} (default: all; the file group hands
                   over a file, which a CI secret cannot carry)
  --repo <repository>
                   GitHub owner/name, GitLab group/project (default: what gh or glab infers from this folder's git
                   remote)
  --env <environment>      GitHub: a deployment environment's secrets
  --org <org>              GitHub: organization secrets, with --visibility ${GITHUB_VISIBILITIES.join(" or ")} (default private)
  --group <group>          GitLab: group variables
  --scope <scope>          GitLab: the environment scope (default *)
  --protected              GitLab: only protected branches and tags see them
  --key <name or Key ID>   Set another saved key
  --dry-run                List the names it would set, and where, with no value; nothing runs
  -h, --help               Show this help

What each group sets:
${secretLines()}

gh is found on PATH (GH_TOKEN, GH_HOST and gh's own login are honoured), glab likewise (GITLAB_TOKEN, GITLAB_HOST).
Exit status: 0 when every name was set; 127 when gh or glab is not installed; 7 when it is not logged in, cannot
see or manage the repository, a name was refused, it failed otherwise or was stopped at its timeout, or only part
was set (the line names what was set and what not; running the same command again finishes it); 2 for bad usage; 1
and 4 as for the other commands. Nothing is set unless the line says so.

Examples:
  asc-key ci github --repo acme/app --only fastlane,asc
  asc-key ci gitlab --repo acme/ios/app --only fastlane --protected
  asc-key ci github --org acme --visibility private --dry-run
See docs/pipeline.md for complete jobs.`;
