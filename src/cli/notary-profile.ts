/**
 * `asc-key notary-profile <name>` (macOS): stores the key as a notarytool Keychain profile with
 * `xcrun notarytool store-credentials <name> --key <file> --key-id <id> --issuer <uuid>`. notarytool wants the key
 * as a file: it gets a copy in a private folder that is removed when notarytool ends (src/cli/key-child.ts).
 *
 * The xcrun to run is $LINGCODE_XCRUN when set (tests put a stand-in there, on any platform), else /usr/bin/xcrun on
 * macOS; elsewhere the command refuses (exit 2): notarytool ships with Xcode only.
 */
import { parseCommandWithArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { printableCut, WIDTH } from "../lib/text";
import { runWithKey } from "./key-child";
import { KEY_OPTION, keyReference } from "./keys";
import { DEFAULT_XCRUN, XCRUN_ENV } from "./pipeline-help";
import { requireRecord } from "../lib/keys";
import { keyStoreFor } from "./settings";
import { showHelp } from "./shared";

/**
 * Apple, "Creating API Keys for App Store Connect API": individual keys "aren't able to use Provisioning endpoints,
 * access Sales and Finance, or notaryTool".
 */
const INDIVIDUAL_CANNOT_NOTARIZE =
  "Apple says individual keys can't be used with notarytool; register a team key to notarize.";

export async function runNotaryProfile(args: string[], io: CliIo): Promise<ExitStatus> {
  const usage = "asc-key notary-profile [--key <name or Key ID>] <name>";
  const { values, positionals } = parseCommandWithArgs("notary-profile", args, KEY_OPTION, ["profile name"]);
  if (values.help) return showHelp("notary-profile", io);
  const profile = positionals[0];
  // eslint-disable-next-line no-control-regex
  if (profile.trim() === "" || profile.length > 100 || /[\u0000-\u001f\u007f]/.test(profile)) {
    throw new UsageError(`The profile name must be 1 to 100 printable characters, e.g. notary: ${usage}`);
  }
  const key = keyReference(values.key);
  const xcrun = io.env[XCRUN_ENV] || (io.platform === "darwin" ? DEFAULT_XCRUN : undefined);
  if (!xcrun) {
    throw new UsageError(
      `notary-profile needs macOS: notarytool comes with Xcode, and this is ${printableCut(io.platform, WIDTH.commandName)}.`,
    );
  }

  const record = await requireRecord(keyStoreFor(io.env), key);
  if (record.kind !== "team" || !record.issuerId) {
    throw new UsageError(`Key ID ${record.keyId} is an individual key. ${INDIVIDUAL_CANNOT_NOTARIZE}`);
  }
  const issuerId = record.issuerId;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value;

  const status = await runWithKey({
    record,
    needs: { keyFile: true, fastlaneJson: false },
    io,
    command: (paths) => ({
      file: xcrun,
      args: [
        "notarytool",
        "store-credentials",
        profile,
        "--key",
        paths!.keyFile!,
        "--key-id",
        record.keyId,
        "--issuer",
        issuerId,
      ],
      env,
    }),
  });
  if (status === EXIT.ok) {
    const shown = printableCut(profile, WIDTH.commandName);
    io.out(`Stored the notarytool profile "${shown}" for Key ID ${record.keyId}; the temporary key file is removed.`);
    io.out(`Notarize with: xcrun notarytool submit <file> --keychain-profile "${shown}" --wait`);
  } else if (status !== EXIT.notFound && status !== EXIT.cannotRun) {
    io.err(`xcrun notarytool store-credentials ended with status ${status}; the temporary key file is removed.`);
  }
  return status;
}
