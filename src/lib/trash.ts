/**
 * Moves a file to the user's Trash, for the asc-key command line (inside Raycast, `trash()` from @raycast/api does
 * this). Hand-written on purpose: the `trash` npm package ships a native macOS helper binary, which cannot be bundled
 * into the single-file CLI.
 *
 * - macOS: into `~/.Trash` (the home volume's Trash).
 * - Linux and other freedesktop systems: the home trash of the freedesktop.org Trash specification 1.0,
 *   `$XDG_DATA_HOME/Trash` (default `~/.local/share/Trash`): the file goes to `files/<name>` and
 *   `info/<name>.trashinfo` records its original `Path` (URL-escaped) and `DeletionDate` (local time), so the file
 *   manager can restore it.
 *
 * Never deletes outright: the file is hard-linked (or, across file systems, copied) into the Trash under a name
 * that is free there, and only then unlinked from where it was. A name already in the Trash gets " 2", " 3" ...
 * before its extension. Failures throw TrashError with a one-line reason; the file is then left where it was.
 *
 * A symbolic link is followed: the file it finally points to goes to the Trash first, then the link itself, so
 * neither the key nor a dangling link is left behind (`resolveTrashTargets` says which paths, for Raycast's
 * `trash()` too), and the answer names both, so the caller can say which file really moved.
 *
 * File names and paths in the messages are made printable (src/lib/text.ts): a name may hold terminal controls.
 */
import { constants as fsConstants, promises as fs, type Stats } from "node:fs";
import os from "node:os";
import path from "node:path";
import { printable } from "./text";

export class TrashError extends Error {
  constructor(message: string) {
    // The names and paths in it come from outside.
    super(printable(message));
    this.name = "TrashError";
  }
}

export interface TrashOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  /** Default: process.env (XDG_DATA_HOME is read from it). */
  env?: NodeJS.ProcessEnv;
  /** Default: os.homedir(). */
  homeDir?: string;
  /** Deletion time recorded on Linux; default now. */
  now?: () => Date;
}

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

/** What moveToTrash moved. */
export interface Trashed {
  /** The file that went to the Trash (absolute): the path given, or the file a symbolic link finally points to. */
  file: string;
  /** The symbolic link given (absolute), when there was one; it went to the Trash after the file. */
  link?: string;
  /** Where the file is now. */
  trashedAs: string;
}

/**
 * Moves `filePath` (a file, or a symbolic link together with the file it points to; not a folder) to the Trash
 * and says what moved and where the file went.
 */
export async function moveToTrash(filePath: string, options: TrashOptions = {}): Promise<Trashed> {
  const platform = options.platform ?? process.platform;
  const [file, link] = await resolveTrashTargets(filePath);
  if (platform === "win32") throw new TrashError("Moving files to the Recycle Bin is not supported.");

  const home = options.homeDir ?? os.homedir();
  const now = options.now ?? (() => new Date());
  const moveOne = (source: string, isLink: boolean) =>
    platform === "darwin"
      ? moveInto(source, path.join(home, ".Trash"), isLink)
      : moveToFreedesktopTrash(source, trashHome(options.env ?? process.env, home), now, isLink);

  const trashedAs = await moveOne(file, false);
  if (link === undefined) return { file, trashedAs };
  try {
    await moveOne(link, true);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\.$/, "") : "unknown error";
    throw new TrashError(`${reason}; the file it links to, ${file}, is already in the Trash.`);
  }
  return { file, link, trashedAs };
}

/** The home trash of the freedesktop.org spec; a relative XDG_DATA_HOME is invalid and ignored, as the spec says. */
export function trashHome(env: NodeJS.ProcessEnv, homeDir: string): string {
  const dataHome = env.XDG_DATA_HOME;
  const base = dataHome && path.isAbsolute(dataHome) ? dataHome : path.join(homeDir, ".local", "share");
  return path.join(base, "Trash");
}

/** The `.trashinfo` text for a file deleted from `originalPath` at `deletedAt`. */
export function trashInfo(originalPath: string, deletedAt: Date): string {
  const escaped = originalPath.split("/").map(encodeURIComponent).join("/");
  return `[Trash Info]\nPath=${escaped}\nDeletionDate=${localIsoSeconds(deletedAt)}\n`;
}

/** `name`, `name 2.ext`, `name 3.ext` ... then a random suffix: candidate names in a Trash folder. */
export function* candidateNames(name: string): Generator<string> {
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  const suffix = ext && ext !== name ? ext : "";
  yield name;
  for (let n = 2; n <= 200; n++) yield `${stem} ${n}${suffix}`;
  for (let n = 0; n < 20; n++) yield `${stem} ${Date.now()}-${Math.random().toString(36).slice(2, 8)}${suffix}`;
}

async function moveInto(source: string, trashDir: string, isLink: boolean): Promise<string> {
  await ensureDir(trashDir);
  for (const candidate of candidateNames(path.basename(source))) {
    const target = path.join(trashDir, candidate);
    if (await placeExclusive(source, target, isLink)) {
      await unlinkSource(source, target);
      return target;
    }
  }
  throw new TrashError(`No free name for ${path.basename(source)} in the Trash.`);
}

async function moveToFreedesktopTrash(
  source: string,
  trash: string,
  now: () => Date,
  isLink: boolean,
): Promise<string> {
  const filesDir = path.join(trash, "files");
  const infoDir = path.join(trash, "info");
  await ensureDir(filesDir);
  await ensureDir(infoDir);
  for (const candidate of candidateNames(path.basename(source))) {
    // The spec's reservation: create info/<name>.trashinfo with O_EXCL first, then move the file.
    const infoFile = path.join(infoDir, `${candidate}.trashinfo`);
    try {
      await fs.writeFile(infoFile, trashInfo(source, now()), { flag: "wx", mode: 0o600 });
    } catch (error) {
      if (errorCode(error) === "EEXIST") continue;
      throw new TrashError(`Could not write to the Trash at ${trash} (${errorCode(error)}).`);
    }
    const target = path.join(filesDir, candidate);
    let placed: boolean;
    try {
      placed = await placeExclusive(source, target, isLink);
    } catch (error) {
      await fs.rm(infoFile, { force: true });
      throw error;
    }
    if (!placed) {
      await fs.rm(infoFile, { force: true });
      continue;
    }
    try {
      await unlinkSource(source, target);
    } catch (error) {
      await fs.rm(infoFile, { force: true });
      throw error;
    }
    return target;
  }
  throw new TrashError(`No free name for ${path.basename(source)} in the Trash.`);
}

/**
 * Puts the source's contents at `target` without ever replacing an existing file: a hard link (same file system),
 * else an exclusive copy; a symbolic link as a new link. False when `target` is taken.
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
 * A symbolic link goes in as a new link with the same text: link(2) follows symbolic links on some systems (macOS),
 * and by now the file it pointed to is in the Trash. False when `target` is taken.
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

async function ensureDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new TrashError(`Could not open the Trash at ${dir} (${errorCode(error)}).`);
  }
}

function localIsoSeconds(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : "unknown error";
}
