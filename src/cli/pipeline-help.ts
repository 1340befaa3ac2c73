/**
 * Help for the commands that hand the key to other tools: exec, export, notary-profile. The variable list comes from
 * the one table in src/lib/exports/.
 */
import { EXPORT_GROUPS, EXPORT_TABLE, SOURCE_WORDS } from "../lib/exports";

export const PIPELINE_COMMAND_NAMES = ["exec", "export", "notary-profile"] as const;
export type PipelineCommandName = (typeof PIPELINE_COMMAND_NAMES)[number];

/** The environment variable naming the xcrun notary-profile runs (a test stand-in; elsewhere /usr/bin/xcrun). */
export const XCRUN_ENV = "LINGCODE_XCRUN";
export const DEFAULT_XCRUN = "/usr/bin/xcrun";

/** One line per command for the tool's help. */
export const PIPELINE_COMMAND_LINES = `  exec      Run a command with the key in the environment and a private file: asc-key exec -- <command>
  export    Write the key as fastlane's API key JSON: asc-key export --format fastlane-json --out <file>
  notary-profile  Store the key as a notarytool Keychain profile (macOS)`;

/** The exit statuses exec and notary-profile add to asc-key's own. */
export const PIPELINE_EXIT_STATUSES = `  70  exec, notary-profile: also when the private folder for the key could not be made (nothing ran)
  126  exec: the command could not be run (e.g. not executable)
  127  exec: the command was not found; ci: gh or glab is not installed
  other  exec, notary-profile: the command's own status, or 128+n when it or asc-key got signal n`;

function groupLines(): string {
  const width = Math.max(...EXPORT_TABLE.flatMap((spec) => spec.variables.map((v) => v.name.length)));
  const lines: string[] = [];
  for (const spec of EXPORT_TABLE) {
    lines.push(`  ${spec.group}: ${spec.tools}`);
    for (const variable of spec.variables) {
      lines.push(`    ${variable.name.padEnd(width)}  ${SOURCE_WORDS[variable.source]}`);
    }
    if (spec.clears.length > 0) lines.push(`    removed: ${spec.clears.map((cleared) => cleared.name).join(", ")}`);
  }
  return lines.join("\n");
}

export const PIPELINE_HELP: Readonly<Record<PipelineCommandName, string>> = {
  exec: `Usage: asc-key exec [--only <groups>] [--key <name or Key ID>] -- <command> [args...]

Runs <command> with the key LingCode uses (or the saved key --key names) in the environment variables each tool reads and, for tools that need a file,
AuthKey_<Key ID>.p8 in a fresh private folder (mode 0700, files 0600). The folder is removed when the command ends,
also when asc-key gets SIGINT, SIGTERM or SIGHUP (passed on to the command first); one left by a killed asc-key is
removed by the next exec or notary-profile. The key is never put on a command line, but the command and every
program it starts can read it.

Options:
  --only <groups>  Expose only these, comma-separated: ${EXPORT_GROUPS.join(", ")} (default: all)
  --key <name or Key ID>
                   Hand out another saved key
  -h, --help       Show this help

What each group sets (a variable of a chosen group that the key does not fill is removed, and so are the inherited
variables listed as removed):
${groupLines()}

Exit status: the command's own; 127 if it is not found, 126 if it cannot be run, 128+n when it or asc-key got
signal n. Nothing runs when no key is saved (1), the Keychain fails (4), the usage is wrong (2) or the private
folder cannot be made in $TMPDIR (70).

Examples:
  asc-key exec --only fastlane -- fastlane pilot upload --ipa App.ipa
  asc-key exec --only file -- sh -c 'xcrun notarytool submit App.zip --key "$ASC_KEY_PATH" --key-id "$ASC_KEY_ID" --issuer "$ASC_ISSUER_ID" --wait'
  asc-key exec --only eas -- eas submit -p ios --non-interactive   (eas.json's profile reads $EXPO_ASC_*)
See docs/pipeline.md for recipes.`,

  export: `Usage: asc-key export --format fastlane-json --out <file> [--force] [--key <name or Key ID>]

Writes fastlane's API key JSON for the key LingCode uses (or the saved key --key names) (key_id, issuer_id unless it is an individual key, key, in_house
false) to <file>, created with mode 0600. The file holds the private key: asc-key exec hands the same file to a
command and removes it afterwards.

Options:
  --format fastlane-json  The format to write (the only one)
  --out <file>            Where to write it; an existing file is never replaced without --force
  --force                 Replace an existing regular file (a link, device, FIFO or socket is always refused)
  --key <name or Key ID>  Write another saved key
  -h, --help              Show this help`,

  "notary-profile": `Usage: asc-key notary-profile [--key <name or Key ID>] <name>

macOS: stores the key LingCode uses (or the saved key --key names) as the notarytool Keychain profile <name>,
running
  xcrun notarytool store-credentials <name> --key <file> --key-id <Key ID> --issuer <Issuer ID>
with a temporary copy of the key that is removed afterwards. notarytool checks the credentials with Apple before
it saves them. Afterwards: xcrun notarytool submit App.zip --keychain-profile <name> --wait

Individual keys are refused: Apple says they can't be used with notarytool; use a team key.
Exits 2 on other platforms; when notarytool fails, with notarytool's status.

Options:
  --key <name or Key ID>  Store another saved key
  -h, --help              Show this help`,
};
