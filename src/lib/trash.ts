/**
 * Moves a file to the user's Trash, for the asc-key command line. Inside Raycast, `trash()` from @raycast/api does
 * this, handed the paths `trashTargetsOf` names (src/helpers/trash.ts, the extension's one trash step). Here each
 * platform's own way is used:
 *
 * - macOS: the file is moved into `~/.Trash`, as `mv` into the Trash does. Finder lists it there and empties it, and
 *   the user can drag it back out; only Finder's "Put Back" does not offer to return it, because Finder records an
 *   item's original folder in its own private data in the Trash, written only when Finder itself deletes. Asking
 *   Finder to delete it (`osascript -e 'tell application "Finder" to delete POSIX file …'`) would record that, at
 *   the price of macOS's Automation dialog ("… wants to control Finder") in the middle of a registration, for a key
 *   file the user wants gone. The `trash` npm package relies on a native macOS helper binary, which cannot be
 *   bundled into the single-file CLI.
 * - Linux and other freedesktop systems: `gio trash`, GLib's command line tool (Debian and Ubuntu package
 *   libglib2.0-bin, on GNOME desktops and most others). It implements the freedesktop.org Trash specification:
 *   files on the home's file system go to the home trash, `$XDG_DATA_HOME/Trash` (default `~/.local/share/Trash`),
 *   with the `.trashinfo` record file managers restore from, and a free name when the name is taken (`name.2.ext`);
 *   files elsewhere go to that volume's own trash, and gio refuses system mounts such as a tmpfs. Without gio the
 *   reason says what to install.
 * - Windows: not supported; the reason says so.
 *
 * Never deletes outright: on macOS the file is hard-linked (or, from another volume, copied) into the Trash under a
 * name that is free there, " 2", " 3" ... before its extension, and only then unlinked from where it was. Failures
 * throw TrashError with a one-line reason, and the file stays where it was.
 *
 * A symbolic link is followed: the file it finally points to goes to the Trash first, then the link itself, so
 * neither the key nor a dangling link is left behind, and the answer names both, so the caller can say which file
 * really moved.
 *
 * File names and paths in the messages, gio's words included, are made printable (src/lib/text.ts): a name may hold
 * terminal controls.
 */
import { constants as fsConstants, promises as fs, type Stats } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runTool } from "./keychain/run";
import { durationWords, printable } from "./text";

export class TrashError extends Error {
  constructor(message: string) {
    // The names and paths in it come from outside.
    super(printable(message));
    this.name = "TrashError";
  }
}

interface TrashOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  /** The environment gio runs with (HOME and XDG_DATA_HOME decide where the Trash is). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** macOS: the home whose `.Trash` is used. Default: os.homedir(). */
  homeDir?: string;
}

/** GLib's command line tool, found on PATH. */
const GIO = "gio";
const GIO_TIMEOUT_MS = 30_000;

/**
 * What trashing `filePath` has to move, in this order: `[filePath]` for a file; for a symbolic link, the file it
 * finally points to (fs.realpath), then the link itself. Plain Node, so the Raycast form can hand each path to
 * Raycast's own `trash()`. Throws TrashError with a one-line reason, before anything moves, when the path or the
 * link's file cannot be found, or is a folder or something other than a file.
 */
export async function resolveTrashTargets(filePath: string): Promise<string[]> {
  const source = path.resolve(filePath);
  const name = path.basename(source);
  let stat;
  try {
    stat = await fs.lstat(source);
  } catch (error) {
    throw new TrashError(`${name} could not be found to move to the Trash (${errorCode(error)}).`);
  }
  if (!stat.isSymbolicLink()) {
    checkIsFile(stat, name);
    return [source];
  }
  let real: string;
  let target;
  try {
    real = await fs.realpath(source);
    target = await fs.stat(real);
  } catch (error) {
    throw new TrashError(`${name} is a symbolic link to a file that could not be found (${errorCode(error)}).`);
  }
  checkIsFile(target, `The file ${name} links to`);
  return [real, source];
}

function checkIsFile(stat: Stats, what: string): void {
  if (stat.isDirectory()) throw new TrashError(`${what} is a folder; only files are moved to the Trash here.`);
  if (!stat.isFile()) throw new TrashError(`${what} is not a regular file; only files are moved to the Trash here.`);
}

/**
 * What trashing every one of `files` has to move, in order: each file's paths as resolveTrashTargets names them.
 * Throws TrashError, before anything moves, when one of them cannot be moved.
 */
export async function trashTargetsOf(files: readonly string[]): Promise<string[]> {
  return (await Promise.all(files.map((file) => resolveTrashTargets(file)))).flat();
}

/** What moveToTrash moved. */
export interface Trashed {
  /** The file that went to the Trash (absolute): the path given, or the file a symbolic link finally points to. */
  file: string;
  /** The symbolic link given (absolute), when there was one; it went to the Trash after the file. */
  link?: string;
}

/**
 * Moves `filePath` (a file, or a symbolic link together with the file it points to; not a folder) to the Trash
 * and says what moved.
 */
export async function moveToTrash(filePath: string, options: TrashOptions = {}): Promise<Trashed> {
  const platform = options.platform ?? process.platform;
  const [file, link] = await resolveTrashTargets(filePath);
  if (platform === "win32") throw new TrashError("Moving files to the Recycle Bin is not supported.");

  const home = options.homeDir ?? os.homedir();
  const moveOne = (source: string, isLink: boolean) =>
    platform === "darwin"
      ? moveInto(source, path.join(home, ".Trash"), isLink)
      : gioTrash(source, options.env ?? process.env);

  await moveOne(file, false);
  if (link === undefined) return { file };
  try {
    await moveOne(link, true);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\.$/, "") : "unknown error";
    throw new TrashError(`${reason}; the file it links to, ${file}, is already in the Trash.`);
  }
  return { file, link };
}

/**
 * `gio trash <absolute path>` (an absolute path is never taken for a URI). GIO_USE_VFS=local keeps gio from starting
 * GNOME's virtual file system daemons for a local file, whose trashing is GLib's own code either way; LC_ALL makes
 * its reasons English, like the rest of asc-key.
 */
async function gioTrash(source: string, env: NodeJS.ProcessEnv): Promise<void> {
  const result = await runTool(GIO, ["trash", "--", source], {
    timeoutMs: GIO_TIMEOUT_MS,
    env: { ...env, GIO_USE_VFS: "local", LC_ALL: "C.UTF-8" },
  });
  if (result.kind === "missing") {
    throw new TrashError(
      "Moving files to the Trash on Linux needs gio, GLib's command line tool (apt-get install libglib2.0-bin); it was not found.",
    );
  }
  if (result.kind === "timeout")
    throw new TrashError(`gio trash did not finish within ${durationWords(GIO_TIMEOUT_MS)}.`);
  if (result.kind !== "exited") throw new TrashError(`gio trash could not run (${describeRun(result)}).`);
  if (result.status === 0) return;
  // gio says `gio: file:///…: <reason>`; the URI is escaped, the reason may hold the raw path.
  const said = result.stderr
    .trim()
    .split("\n")
    .at(-1)
    ?.replace(/^gio: \S+: /, "");
  throw new TrashError(said ? `${said.replace(/\.$/, "")}.` : `gio trash exited with status ${result.status}.`);
}

function describeRun(result: { kind: string; signal?: string; code?: string }): string {
  return result.signal ?? result.code ?? result.kind;
}

/** `name`, `name 2.ext`, `name 3.ext` ... then a random suffix: candidate names in the Trash folder. */
export function* candidateNames(name: string): Generator<string> {
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  const suffix = ext && ext !== name ? ext : "";
  yield name;
  for (let n = 2; n <= 200; n++) yield `${stem} ${n}${suffix}`;
  for (let n = 0; n < 20; n++) yield `${stem} ${Date.now()}-${Math.random().toString(36).slice(2, 8)}${suffix}`;
}

async function moveInto(source: string, trashDir: string, isLink: boolean): Promise<void> {
  try {
    await fs.mkdir(trashDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new TrashError(`Could not open the Trash at ${trashDir} (${errorCode(error)}).`);
  }
  for (const candidate of candidateNames(path.basename(source))) {
    const target = path.join(trashDir, candidate);
    if (await placeExclusive(source, target, isLink)) {
      await unlinkSource(source, target);
      return;
    }
  }
  throw new TrashError(`No free name for ${path.basename(source)} in the Trash.`);
}

/**
 * Puts the source's contents at `target` without ever replacing an existing file (rename(2) would): a hard link
 * (same volume), else an exclusive copy; a symbolic link as a new link. False when `target` is taken.
 */
async function placeExclusive(source: string, target: string, isLink: boolean): Promise<boolean> {
  if (isLink) return placeLink(source, target);
  try {
    await fs.link(source, target);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === "EEXIST") return false;
    // EXDEV: another volume; EPERM/ENOTSUP/EMLINK: no hard links here. Copy instead.
    if (!["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK"].includes(code)) {
      throw new TrashError(`Could not move ${path.basename(source)} to the Trash (${code}).`);
    }
  }
  try {
    await fs.copyFile(source, target, fsConstants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === "EEXIST") return false;
    await fs.rm(target, { force: true }).catch(() => undefined);
    throw new TrashError(`Could not move ${path.basename(source)} to the Trash (${code}).`);
  }
}

/**
 * A symbolic link goes in as a new link with the same text: link(2) follows symbolic links on macOS, and by now the
 * file it pointed to is in the Trash. False when `target` is taken.
 */
async function placeLink(source: string, target: string): Promise<boolean> {
  try {
    await fs.symlink(await fs.readlink(source), target);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === "EEXIST") return false;
    throw new TrashError(`Could not move ${path.basename(source)} to the Trash (${code}).`);
  }
}

/** The file is safely in the Trash; now take it away from where it was. */
async function unlinkSource(source: string, target: string): Promise<void> {
  try {
    await fs.unlink(source);
  } catch (error) {
    // Leave no second copy behind: the original stays, the Trash entry goes.
    await fs.rm(target, { force: true }).catch(() => undefined);
    throw new TrashError(`Could not remove ${path.basename(source)} from its folder (${errorCode(error)}).`);
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : "unknown error";
}
