/** asc-key's help texts: the tool's and one per command. Printed to stdout by --help, -h and `asc-key help`. */
import { DEFAULT_ASC_API_URL, TEAM_KEYS_URL } from "../lib/asc-client";
import { DEFAULT_SERVICE } from "../lib/keychain";
import { NOT_CONFIGURED_SENTENCE } from "../lib/status";
import { ASC_API_URL_ENV, SERVICE_ENV } from "./settings";
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS } from "../lib/token";
import {
  DEFAULT_XCRUN,
  PIPELINE_COMMAND_LINES,
  PIPELINE_COMMAND_NAMES,
  PIPELINE_EXIT_STATUSES,
  PIPELINE_HELP,
  XCRUN_ENV,
} from "./pipeline-help";

export const COMMAND_NAMES = [
  "register",
  "status",
  "verify",
  "token",
  "remove",
  "open",
  "doctor",
  ...PIPELINE_COMMAND_NAMES,
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

const EXIT_STATUSES = `Exit statuses:
  0  done
  1  no key is configured (status, verify, token, remove)
  2  bad input or usage; nothing was changed
  3  Apple rejected the key (register saves nothing)
  4  Keychain failure, or the saved entry is unreadable (register the key again)
  5  App Store Connect unreachable or answering with a server error
  6  doctor: at least one health check failed
${PIPELINE_EXIT_STATUSES}`;

const ENVIRONMENT = `Environment:
  ${SERVICE_ENV}  Keychain service of the entry (default ${DEFAULT_SERVICE})
  ${ASC_API_URL_ENV}       App Store Connect API address (default ${DEFAULT_ASC_API_URL})
  ${XCRUN_ENV}             xcrun for notary-profile (default ${DEFAULT_XCRUN}, macOS only)`;

export const TOOL_HELP = `asc-key: the App Store Connect API key the LingCode agent uses, kept in the Keychain.

Usage: asc-key <command> [options]

Commands:
  register  Check a key with Apple and save it (replacing the saved one)
  status    Show whether a key is saved, and which
  verify    Check the saved key with Apple once
  token     Print a short-lived API token for the saved key
  remove    Delete the saved key
  open      Open the Team Keys page in App Store Connect
  doctor    Check the set-up: Keychain, leftover .p8 files, environment, Apple, clock, key age
${PIPELINE_COMMAND_LINES}
  help      Show a command's help: asc-key help <command>

Every command takes -h/--help.

${EXIT_STATUSES}

${ENVIRONMENT}`;

export const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  ...PIPELINE_HELP,
  register: `Usage: asc-key register --issuer-id <id> --key-id <id> --p8 <file>   (team key)
       asc-key register --individual --key-id <id> --p8 <file>         (individual key)

Reads the .p8 key Apple let you download once, checks it with App Store Connect, saves it in the Keychain
(replacing the saved key) and prints the status sentence and the key's fingerprint.

Options:
  --issuer-id <id>  The Issuer ID at the top of the Team Keys page (team keys only)
  --key-id <id>     The key's Key ID, e.g. 2X9R4HXF34
  --p8 <file>       The AuthKey_<Key ID>.p8 file, or - to read the key from stdin (at most 16 KB)
  --individual      An individual key (no Issuer ID)
  --skip-verify     Save without checking with Apple (e.g. offline)
  --trash           After saving, move the .p8 file to the Trash (a failure there is only a warning)
  -h, --help        Show this help

Exits 3 if Apple rejects the key and 5 if Apple cannot be reached; nothing is saved then.
The key is never taken on the command line: give a file or stdin.`,

  status: `Usage: asc-key status [--json]

Prints one of:
  Yes, Issuer ID ends in ...abc, Key ID ABC1234DEF
  Yes, individual key, Key ID ABC1234DEF
  ${NOT_CONFIGURED_SENTENCE}          (exit 1)

Options:
  --json      One line of JSON: {"configured","kind","keyId","issuerIdSuffix","fingerprint","savedAt"}
              ({"configured":false} when no key is saved; no issuerIdSuffix for individual keys)
  -h, --help  Show this help

An unreadable entry exits 4: register the key again.`,

  verify: `Usage: asc-key verify [--capabilities] [--json]

Checks the saved key with App Store Connect once (GET /v1/apps?limit=1) and prints what Apple's answer means.

Options:
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

  token: `Usage: asc-key token [--ttl <seconds>] [--scope "<METHOD> <path>"]...

Prints a signed App Store Connect API token (a JWT) for the saved key, and nothing else:
  curl -H "Authorization: Bearer $(asc-key token)" ${DEFAULT_ASC_API_URL}/v1/apps

Options:
  --ttl <seconds>            Lifetime, exp - iat, ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} (default ${DEFAULT_TTL_SECONDS}); iat is set 60 s back
  --scope "<METHOD> <path>"  Limit the token to a request, e.g. "GET /v1/apps"; repeat for more
  -h, --help                 Show this help`,

  remove: `Usage: asc-key remove

Deletes the saved key from the Keychain (an unreadable entry too). Exits 1 when there is none.
The key stays valid at Apple: revoke it at ${TEAM_KEYS_URL} if it leaked.

Options:
  -h, --help  Show this help`,

  doctor: `Usage: asc-key doctor [--rotate-after <days>] [--trash-leftovers] [--json]

Checks the set-up, one line each, pass, warn or fail, with a one-line fix:
  keychain        the saved entry can be read (not locked; over SSH macOS cannot ask to unlock)
  leftover-files  no AuthKey_<Key ID>.p8 of the saved key left in ~/Downloads, ~/Desktop, ~/private_keys,
                  ~/.private_keys or ~/.appstoreconnect/private_keys
  environment     no fastlane, asc CLI or codemagic variable (APP_STORE_CONNECT_API_KEY_*, ASC_KEY_ID,
                  ASC_PRIVATE_KEY*, APP_STORE_CONNECT_KEY_IDENTIFIER ...) naming another key
  apple           Apple accepts the key, and no agreement waits for the Account Holder (one request)
  clock           this computer's clock against Apple's Date
  key-age         the key's age against --rotate-after

Options:
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
