/** asc-key's help texts: the tool's and one per command. Printed to stdout by --help, -h and `asc-key help`. */
import { DEFAULT_ASC_API_URL, TEAM_KEYS_URL } from "../lib/apple";
import { DEFAULT_SERVICE, SAVED_KEYS_SUFFIX } from "../lib/keychain";
import { staysSaved } from "../lib/keys";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";
import { ASC_API_URL_ENV, KEYCHAIN_FILE_ENV, LOCK_DIR_ENV, SERVICE_ENV } from "./settings";
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS } from "../lib/token";
import {
  DEFAULT_XCRUN,
  PIPELINE_COMMAND_LINES,
  PIPELINE_COMMAND_NAMES,
  PIPELINE_EXIT_STATUSES,
  PIPELINE_HELP,
  XCRUN_ENV,
} from "./pipeline-help";
import { IMPORT_COMMAND_LINE, IMPORT_HELP } from "./import-help";
import { FORGET_RETIRED_COMMAND_LINE, FORGET_RETIRED_HELP } from "./retired-help";
import { CI_COMMAND_LINE, CI_HELP } from "./ci-help";

export const COMMAND_NAMES = [
  "register",
  "status",
  "list",
  "use",
  "rename",
  "role",
  "verify",
  "token",
  "remove",
  "open",
  "doctor",
  "import",
  "forget-retired",
  "ci",
  ...PIPELINE_COMMAND_NAMES,
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

const EXIT_STATUSES = `Exit statuses:
  0  done; verify also exits 0 for role-limited, agreement-required and rate-limited, with a warning on
     stderr: the key itself works
  1  no key is configured (status, list, verify, token, remove); import: the source holds no key
  2  bad input or usage, or a name or Key ID that means no saved key or two (the names are listed);
     nothing was changed
  3  Apple rejected the key (register saves nothing)
  4  Keychain failure (locked, access denied, a Keychain dialog denied or one that cannot be shown here, no
     keychain tool), or the saved entry is unreadable or a saved key damaged (register the key again, or
     remove the damaged one)
  5  App Store Connect unreachable or answering with a server error (register saves nothing)
  6  doctor: at least one health check failed
  7  ci: gh or glab not logged in, no access, no repository, project, group or environment it can see (or
     none named and none in this folder), a name refused, any other gh or glab failure (or one stopped at
     its timeout), or only part set (the line says what was set)
${PIPELINE_EXIT_STATUSES}
Any other status is a bug; asc-key exits 70 when something unexpected goes wrong.`;

const ENVIRONMENT = `Environment:
  ${SERVICE_ENV}  Keychain service of the entry (default ${DEFAULT_SERVICE}); the other saved keys
                             are under the same name followed by "${SAVED_KEYS_SUFFIX}"
  ${ASC_API_URL_ENV}       App Store Connect API address (default ${DEFAULT_ASC_API_URL}); https only,
                             plain http only to localhost, 127.0.0.0/8 or ::1 (a test stand-in)
  ${XCRUN_ENV}             xcrun for notary-profile (default ${DEFAULT_XCRUN}, macOS only)
  ${KEYCHAIN_FILE_ENV}     macOS: a keychain file to keep the entry in (default: the default keychain)
  ${LOCK_DIR_ENV}          Folder of the saved keys' lock (default ~/Library/Caches/LingCode on macOS,
                             ~/.cache/lingcode elsewhere)
These are for asc-key and the tests; the Raycast extension always uses the service ${DEFAULT_SERVICE} and Apple's address.`;

export const TOOL_HELP = `asc-key: the App Store Connect API key the LingCode agent uses, kept in the Keychain,
and the other keys at hand.

Usage: asc-key <command> [options]

Commands:
  register  Check a key with Apple and save it, under a name (--name); LingCode uses it if you say so
  status    Show whether LingCode has a key, and which
  list      List the saved keys, marking the one LingCode uses
  use       Make LingCode use another saved key: asc-key use <name or Key ID>
  rename    Rename a saved key: asc-key rename <name or Key ID> <new name>
  role      Record a team key's role from Team Keys: asc-key role <name or Key ID> app-manager|admin|none
  verify    Check the key with Apple once
  token     Print a short-lived API token for the key
  remove    Delete a key
  open      Open the Team Keys page in App Store Connect
  doctor    Check the set-up: Keychain, leftover .p8 files, environment, Apple, clock, key age
${IMPORT_COMMAND_LINE}
${FORGET_RETIRED_COMMAND_LINE}
${PIPELINE_COMMAND_LINES}
${CI_COMMAND_LINE}
  help      Show a command's help: asc-key help <command>

Every command takes -h/--help. The commands that work with a key (status, verify, token, remove, doctor, exec,
export, notary-profile, ci) use the key LingCode uses, or with --key <name or Key ID> another saved key.

${EXIT_STATUSES}

${ENVIRONMENT}`;

export const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  ...PIPELINE_HELP,
  import: IMPORT_HELP,
  "forget-retired": FORGET_RETIRED_HELP,
  ci: CI_HELP,
  register: `Usage: asc-key register --issuer-id <id> --key-id <id> --p8 <file> [--name <name>]   (team key)
       asc-key register --individual --key-id <id> --p8 <file> [--name <name>]         (individual key)

Reads the .p8 key Apple let you download once, checks it with App Store Connect, saves it in the Keychain under
a name, and prints the status sentence (or, when LingCode does not use it, where it was saved) and the key's
fingerprint. ${staysSaved()}: asc-key use switches back.

LingCode uses the new key when it had none, or when it used a key of the same team (the same Issuer ID) or with
the same Key ID; otherwise the key is only saved. A key that takes a saved key's place (--rotate, or the same
Key ID with other key material) keeps it: LingCode uses it only if it used the key it replaces. --use and
--no-use decide instead. The same Key ID registered again replaces that saved key (keeping its name unless
--name is given).

Options:
  --issuer-id <id>  The Issuer ID at the top of the Team Keys page (team keys only)
  --key-id <id>     The key's Key ID, e.g. 2X9R4HXF34
  --p8 <file>       The AuthKey_<Key ID>.p8 file, or - to read the key from stdin (at most 16 KB)
  --individual      An individual key (no Issuer ID)
  --name <name>     A name to know the key by, e.g. the client (at most 40 characters, unique whatever the
                    case; default: "Unnamed key")
  --use             LingCode uses this key from now on
  --no-use          Only save it; LingCode keeps the key it uses
  --rotate <name or Key ID>
                    Rotation: the new key replaces this saved key, taking its name and its place (and LingCode's
                    use of it); the old key is kept only as a retired key, to ask Apple whether it still works,
                    until Apple proves it revoked: revoke it on Team Keys (asc-key verify --retired)
  --skip-verify     Save without checking with Apple (e.g. offline)
  --trash           After saving, move the .p8 file to the Trash (a failure there is only a warning)
  -h, --help        Show this help

Exits 3 if Apple rejects the key and 5 if Apple cannot be reached; nothing is saved then. A name another key has
is refused (exit 2) before anything is checked.
The key is never taken on the command line: give a file or stdin.`,

  status: `Usage: asc-key status [--key <name or Key ID>] [--json]

Prints, for the key LingCode uses, one of:
  Yes, Issuer ID ends in ...abc, Key ID ABC1234DEF
  Yes, individual key, Key ID ABC1234DEF
  ${NOT_CONFIGURED_SENTENCE}          (exit 1)

Options:
  --key <name or Key ID>  Another saved key: its sentence, then "Name: <name>"
  --json                  One line of JSON: {"configured","kind","keyId","issuerIdSuffix","fingerprint","savedAt"}
                          ({"configured":false} when no key is saved; no issuerIdSuffix for individual keys;
                          with --key, "name" last); with retired keys, "retired" last (see below)
  -h, --help              Show this help

Then, without --key, a line per retired key: an old key a rotation took out of use, kept only to ask Apple
whether it still works until Apple proves it revoked (asc-key verify --retired checks now), after the step that
ends its rotation as long as Apple has not refused it:
  Revoke key ABC1234DEF on Team Keys.
  Retired: Key ABC1234DEF still works at Apple (checked 09:14): revoke it on Team Keys
  Retired: Key ABC1234DEF revoked: Apple refused it at 09:14 and 09:31.
--json: "retired":[{"keyId","state":"still-works"|"pending"|"revoked","sentence","checkedAt"?,"refusedAt"?,"note"?}]

An unreadable entry exits 4: register the key again. An unknown name exits 2, listing the saved keys.`,

  list: `Usage: asc-key list [--json] [--quick]

Lists the saved keys in the order they were saved, one line each:
  * "Acme" (Issuer ID ends in ...4d1, Key ID 2X9R4HXF34) - LingCode uses this key
    "Mine" (individual key, Key ID 7M2K9Q4R1T)
  ! "Old" (Key ID 9ZZ8YY7XX6): damaged, its saved item is missing from the Keychain; remove it: asc-key remove --key 9ZZ8YY7XX6
A key that is only in LingCode's entry (registered before there were several keys) is listed too, and joins the
saved keys the first time they change. Prints "${NOT_CONFIGURED_SENTENCE}" and exits 1 when there is no key at all.

It reads the list of saved keys (nothing secret in it), LingCode's entry, and each saved key's item, to show a
damaged one as such.

Options:
  --json      One line of JSON: {"keys":[{"name","keyId","state":"ok","kind","issuerIdSuffix"?,"fingerprint",
              "savedAt","active","saved"} or {"name","keyId","state":"damaged","reason","active","saved"}],
              "lingcode":"key"|"none"|"unreadable","problems":[...]}
  --quick     Read only the list and LingCode's entry (no saved key's item): a damaged item shows when used
  -h, --help  Show this help`,

  use: `Usage: asc-key use <name or Key ID>

Makes LingCode use another saved key: one update of LingCode's Keychain entry, read back.
${staysSaved()}. A name is matched whatever the case; asc-key list shows the names and Key IDs.
Exits 2 for a name or Key ID that means no saved key (or two), listing the saved keys.

Options:
  -h, --help  Show this help`,

  rename: `Usage: asc-key rename <name or Key ID> <new name>

Renames a saved key. A name is one line of at most 40 characters, unique among the saved keys whatever the case,
not another key's Key ID, and not "none". Quote a name with spaces: asc-key rename Acme "Acme Corp"

Options:
  -h, --help  Show this help`,

  role: `Usage: asc-key role <name or Key ID> app-manager|admin|none

Records what the key's Access column on Team Keys shows (App Manager or Admin), kept with the key's line among the
saved keys (nothing secret is read or written). Apple's API cannot tell an App Manager key from an Admin key: both
reach Users and Access. Once App Manager is recorded, register and verify --capabilities say nothing more about it;
an Admin key gets the advice to rotate to an App Manager key. "none" forgets what was recorded. Team keys only (an
individual key has its owner's roles). A key registered again with the same .p8 keeps its role; a rotation does not.
What to do comes first, on stderr, before the line saying what was recorded: the advice for an Admin key, or, when
the key's last verify --capabilities saw Apple keep it out of Users and Access (which both roles reach), that the
record contradicts Apple.

Options:
  -h, --help  Show this help`,

  verify: `Usage: asc-key verify [--key <name or Key ID>] [--capabilities] [--json]
       asc-key verify --retired [--json]

Checks the key LingCode uses (or the saved key --key names) with App Store Connect once (GET /v1/apps?limit=1)
and prints what Apple's answer means.

Options:
  --key <name or Key ID>  Check another saved key
  --retired       Also check each retired key (an old key a rotation took out of use) once: the key LingCode
                  uses, then one request per retired key not yet proven revoked, and print each one's sentence.
                  Proof: Apple refused it twice, at least 10 minutes apart by Apple's clock, while accepting the
                  key LingCode uses; its material is then deleted. Exits 3 while a retired key still works.
                  --json adds "retired":[...] as asc-key status --json shows it
  --capabilities  Also ask what the key can do, all at once (6 requests): apps, builds (GET /v1/builds),
                  TestFlight (GET /v1/betaGroups), provisioning (GET /v1/certificates, /v1/bundleIds) and
                  Users and Access (GET /v1/users). Each is yes (allowed), no (Apple: "does not allow this
                  request") or unknown with the reason (offline, rate limited, agreement missing ...), then what
                  Apple's role pages let one conclude; warnings go to stderr. Apple does not tell a key its
                  role, so none is named.
  --json          One line of JSON: {"outcome","message","rateLimitRemaining"?,"clockOffsetSeconds"?}
                  outcome: valid, role-limited, agreement-required, rejected, rate-limited, server-error, unreachable
                  With --capabilities: {"outcome","message","keyId","areas":{"apps":{"answer","cause"?,
                  "reason"?,"httpStatus"?},...},"conclusions":[{"id","level","text","sources"}],"requests",
                  "rateLimitRemaining"?,"clockOffsetSeconds"?,"checkedAt"}
  -h, --help      Show this help

role-limited, agreement-required and rate-limited exit 0 with a warning on stderr: the key itself works.
rejected exits 3; server-error and unreachable exit 5; no saved key exits 1 (with --capabilities too).`,

  token: `Usage: asc-key token [--key <name or Key ID>] [--ttl <seconds>] [--scope "<METHOD> <path>"]...

Prints a signed App Store Connect API token (a JWT) for the key LingCode uses (or the saved key --key names),
and nothing else:
  curl -H "Authorization: Bearer $(asc-key token)" ${DEFAULT_ASC_API_URL}/v1/apps

Options:
  --ttl <seconds>            Lifetime, exp - iat, ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} (default ${DEFAULT_TTL_SECONDS}); iat is set 60 s back
  --scope "<METHOD> <path>"  Limit the token to a request, e.g. "GET /v1/apps"; repeat for more
  --key <name or Key ID>     A token for another saved key
  -h, --help                 Show this help`,

  remove: `Usage: asc-key remove [--key <name or Key ID>] [--next <name or Key ID> | --next none]

Deletes a key from the Keychain: the key LingCode uses (an unreadable entry too), or the saved key --key names.
Removing the key LingCode uses while other keys are saved needs --next: the key LingCode uses next, or none
(exit 2 without it, listing the saved keys). Exits 1 when there is no key to remove.
The key stays valid at Apple: revoke it at ${TEAM_KEYS_URL} if it leaked.

Options:
  --key <name or Key ID>   The saved key to remove (default: the key LingCode uses)
  --next <name or Key ID>  When removing the key LingCode uses: the key it uses next; "none" for no key
  -h, --help               Show this help`,

  doctor: `Usage: asc-key doctor [--key <name or Key ID>] [--rotate-after <days>] [--trash-leftovers] [--json]

Checks the set-up of the key LingCode uses (or of the saved key --key names), one line each, pass, warn or fail,
with a one-line fix:
  keychain        the saved entry can be read (not locked; over SSH macOS cannot ask to unlock)
  leftover-files  no AuthKey_<Key ID>.p8 of the saved key left in ~/Downloads, ~/Desktop, ~/private_keys,
                  ~/.private_keys or ~/.appstoreconnect/private_keys
  private-folders shown only when found: a private key folder of exec or notary-profile that outlived a killed
                  command, in the temporary folder
  environment     no fastlane, asc CLI or codemagic variable (APP_STORE_CONNECT_API_KEY_*, ASC_KEY_ID,
                  ASC_PRIVATE_KEY*, APP_STORE_CONNECT_KEY_IDENTIFIER ...) naming another key
  apple           Apple accepts the key, and no agreement waits for the Account Holder (one request)
  clock           this computer's clock against Apple's Date
  key-age         the key's age against --rotate-after
  retired-key     shown only when one is: an old key a rotation took out of use that still works at Apple
                  more than --rotate-after days later (revoke it on Team Keys)

Options:
  --key <name or Key ID>  Check another saved key
  --rotate-after <days>  Suggest rotating after this many days (default 180; 0: never)
  --trash-leftovers      Move the leftover .p8 files to the Trash
  --json                 One line of JSON: {"ok","lines":[{"check","level","text","fix"?}]}
  -h, --help             Show this help

Exits 0 when nothing fails (warnings included), 6 when a check fails.`,

  open: `Usage: asc-key open

Opens the Team Keys page of App Store Connect in the browser and prints its address:
  ${TEAM_KEYS_URL}
Where nothing can open it (no desktop session), only the address is printed.

Options:
  -h, --help  Show this help`,
};
