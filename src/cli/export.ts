/**
 * `asc-key export --format fastlane-json --out <file> [--force]`: fastlane's API key JSON for tools that can only be
 * given a file that outlives a command. Created with mode 0600, never over an existing file without --force (then
 * written next to it and renamed over it, so the result is 0600 whatever the old file's mode was).
 *
 * Only a regular file is ever replaced, with or without --force: a symbolic link (even to a regular file), a device,
 * a FIFO or a socket is refused, since writing there would put the key somewhere other than the named file (root
 * once replaced /dev/stdout, a link, with a file holding the key). A new file is opened with O_EXCL, which never
 * follows a link.
 */
import { promises as fs, type Stats } from "node:fs";
import path from "node:path";
import { fastlaneApiKeyJson } from "../lib/exports";
import { parseCommandArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { printableCut, WIDTH } from "../lib/text";
import { writePrivateFile } from "./key-child";
import { KEY_OPTION, keyReference } from "./keys";
import { requireRecord } from "../lib/keys";
import { keyStoreFor } from "./settings";
import { showHelp } from "./shared";

const EXPORT_FORMATS = ["fastlane-json"] as const;

export async function runExport(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("export", args, {
    format: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean" },
    ...KEY_OPTION,
  });
  if (values.help) return showHelp("export", io);
  const usage = "asc-key export --format fastlane-json --out <file>";
  if (values.format === undefined) throw new UsageError(`export needs --format: ${usage}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) {
    throw new UsageError(`--format takes ${EXPORT_FORMATS.join(", ")}.`);
  }
  const out = values.out;
  if (out === undefined || out.trim() === "") throw new UsageError(`export needs --out <file>: ${usage}`);
  if (out === "-" || /[\r\n]|-----BEGIN/.test(out)) {
    throw new UsageError("--out takes the path of the file to write; export never prints the key.");
  }
  const force = values.force === true;
  const key = keyReference(values.key);
  const target = path.resolve(out);
  const shown = printableCut(out, WIDTH.commandName);

  // Everything about the destination is checked before the key is read: a refusal reads and writes nothing.
  await checkDestination(target, shown, force);
  const record = await requireRecord(keyStoreFor(io.env), key);
  const json = fastlaneApiKeyJson(record);
  try {
    if (force) await replaceWith(target, shown, json);
    else await writePrivateFile(target, json);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === "EEXIST") throw new UsageError(`${shown} already exists; pass --force to replace it.`);
    throw new UsageError(`${shown} could not be written (${typeof code === "string" ? code : "unknown error"}).`);
  }
  io.out(`Wrote fastlane's API key JSON for Key ID ${record.keyId} to ${shown}.`);
  io.err(`warning: ${shown} holds the private key: keep it out of version control and delete it when done.`);
  return EXIT.ok;
}

async function checkDestination(target: string, shown: string, force: boolean): Promise<void> {
  const folder = path.dirname(target);
  try {
    if (!(await fs.stat(folder)).isDirectory()) throw new UsageError(`The folder of ${shown} is not a folder.`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`The folder for ${shown} does not exist or cannot be read.`);
  }
  let existing;
  try {
    existing = await fs.lstat(target);
  } catch {
    return;
  }
  if (existing.isDirectory()) throw new UsageError(`${shown} is a folder; name a file.`);
  if (!existing.isFile()) throw notRegular(shown, existing);
  if (!force) throw new UsageError(`${shown} already exists; pass --force to replace it.`);
}

/** The one-line refusal for anything but a regular file. */
function notRegular(shown: string, stat: Stats): UsageError {
  const what = stat.isSymbolicLink()
    ? "a symbolic link"
    : stat.isFIFO()
      ? "a FIFO"
      : stat.isSocket()
        ? "a socket"
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? "a device"
          : "not a regular file";
  return new UsageError(
    `${shown} is ${what}; export writes only a regular file (never through a link, nor to a device, FIFO or socket), so the key lands nowhere but in that file.`,
  );
}

/** Writes a new 0600 file next to `target` and renames it over it: never a moment with a half-written key file. */
async function replaceWith(target: string, shown: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    await writePrivateFile(temp, text);
    // Looked at again right before the rename: what took the file's place meanwhile is not replaced either.
    const now = await fs.lstat(target).catch(() => undefined);
    if (now && !now.isFile()) throw notRegular(shown, now);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
