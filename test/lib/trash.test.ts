import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { candidateNames, moveToTrash, resolveTrashTargets, TrashError } from "../../src/lib/trash";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "lingcode-trash-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text = name): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}

describe("moveToTrash on macOS", () => {
  it("moves into ~/.Trash and never over a file already there", async () => {
    const home = path.join(dir, "home");
    mkdirSync(path.join(home, ".Trash"), { recursive: true });
    writeFileSync(path.join(home, ".Trash", "AuthKey_A.p8"), "older");
    const source = file("AuthKey_A.p8", "newer");
    const trashed = await moveToTrash(source, { platform: "darwin", homeDir: home });
    expect(trashed).toEqual({ file: source });
    expect(readFileSync(path.join(home, ".Trash", "AuthKey_A 2.p8"), "utf8")).toBe("newer");
    expect(readFileSync(path.join(home, ".Trash", "AuthKey_A.p8"), "utf8")).toBe("older");
    expect(existsSync(source)).toBe(false);
  });
});

/**
 * On Linux the Trash is gio's: `npm test` sets LINGCODE_TEST_GIO when gio is there (and fails under CI when it is
 * not). Each test gives it a private HOME and XDG_DATA_HOME beside its files, so nothing touches a real Trash: gio
 * uses the home trash for files on the home's file system.
 */
const HAS_GIO = process.env.LINGCODE_TEST_GIO === "1";

/** The environment of a test's gio: its own HOME and data folder, under the test's folder. */
function privateTrash(): { env: NodeJS.ProcessEnv; trash: string } {
  const home = path.join(dir, "home");
  mkdirSync(home, { recursive: true });
  const dataHome = path.join(dir, "data");
  return { env: { ...process.env, HOME: home, XDG_DATA_HOME: dataHome }, trash: path.join(dataHome, "Trash") };
}

describe.skipIf(!HAS_GIO)("moveToTrash on Linux (gio trash)", () => {
  it("the file goes to files/<name>, with info/<name>.trashinfo naming where it was", async () => {
    const { env, trash } = privateTrash();
    const source = file("Auth Key%1.p8", "key");
    expect(await moveToTrash(source, { platform: "linux", env })).toEqual({ file: source });
    expect(existsSync(source)).toBe(false);
    expect(readFileSync(path.join(trash, "files", "Auth Key%1.p8"), "utf8")).toBe("key");
    const info = readFileSync(path.join(trash, "info", "Auth Key%1.p8.trashinfo"), "utf8");
    expect(info).toMatch(/^\[Trash Info\]\nPath=\S+\nDeletionDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n$/);
    expect(decodeURIComponent(/^Path=(.*)$/m.exec(info)![1])).toBe(source);
  });

  it("never over a file already in the Trash: the second gets a free name", async () => {
    const { env, trash } = privateTrash();
    await moveToTrash(file("k.p8", "first"), { platform: "linux", env });
    await moveToTrash(file("k.p8", "second"), { platform: "linux", env });
    expect(readdirSync(path.join(trash, "files")).sort()).toEqual(["k.2.p8", "k.p8"]);
    expect(readFileSync(path.join(trash, "files", "k.p8"), "utf8")).toBe("first");
    expect(readFileSync(path.join(trash, "files", "k.2.p8"), "utf8")).toBe("second");
  });

  it("a Trash that cannot be made: gio's reason in one line, and the file stays", async () => {
    const { env } = privateTrash();
    const blocked = file("data-is-a-file");
    const source = file("k.p8");
    const error = (await moveToTrash(source, { platform: "linux", env: { ...env, XDG_DATA_HOME: blocked } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(TrashError);
    expect(error.message).toBe(`Unable to create trash directory ${blocked}/Trash: Not a directory.`);
    expect(existsSync(source)).toBe(true);
  });
});

describe("moveToTrash on Linux without gio", () => {
  it("says what to install, and the file stays", async () => {
    const source = file("k.p8");
    const empty = path.join(dir, "empty-bin");
    mkdirSync(empty);
    await expect(moveToTrash(source, { platform: "linux", env: { PATH: empty } })).rejects.toThrow(
      "Moving files to the Trash on Linux needs gio, GLib's command line tool (apt-get install libglib2.0-bin); it was not found.",
    );
    expect(readFileSync(source, "utf8")).toBe("k.p8");
  });
});

describe("moveToTrash elsewhere", () => {
  it("refuses folders and missing files, leaving things where they are", async () => {
    const folder = path.join(dir, "folder");
    mkdirSync(folder);
    await expect(moveToTrash(folder, { platform: "linux" })).rejects.toThrow(TrashError);
    expect(existsSync(folder)).toBe(true);
    await expect(moveToTrash(path.join(dir, "missing.p8"), { platform: "linux" })).rejects.toThrow(
      /could not be found/,
    );
  });

  it("Windows: not supported, and the file stays", async () => {
    const source = file("k.p8");
    await expect(moveToTrash(source, { platform: "win32" })).rejects.toThrow(
      "Moving files to the Recycle Bin is not supported.",
    );
    expect(existsSync(source)).toBe(true);
  });
});

/** A .p8 in keys/ and a link to it in Downloads/, as a user who keeps keys elsewhere might have. */
function linkedKey(text = "the real key"): { real: string; link: string } {
  mkdirSync(path.join(dir, "keys"));
  mkdirSync(path.join(dir, "Downloads"));
  const real = path.join(dir, "keys", "AuthKey_A.p8");
  writeFileSync(real, text);
  const link = path.join(dir, "Downloads", "AuthKey_A.p8");
  symlinkSync("../keys/AuthKey_A.p8", link);
  return { real: realpathSync(real), link };
}

const isLink = (p: string) => lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;

describe("moveToTrash through a symbolic link", () => {
  it("macOS: the file it points to goes to the Trash, then the link; nothing is left where they were", async () => {
    const { real, link } = linkedKey();
    const home = path.join(dir, "home");
    const trashed = await moveToTrash(link, { platform: "darwin", homeDir: home });
    const target = path.join(home, ".Trash", "AuthKey_A.p8");
    // It says what really moved: the file behind the link, and the link.
    expect(trashed).toEqual({ file: real, link });
    expect(existsSync(real)).toBe(false);
    expect(isLink(link)).toBe(false);
    expect(isLink(target)).toBe(false);
    expect(readFileSync(target, "utf8")).toBe("the real key");
    // The link went in after it, as a link, beside the file and never over it.
    const trashedLink = path.join(home, ".Trash", "AuthKey_A 2.p8");
    expect(isLink(trashedLink)).toBe(true);
    expect(readlinkSync(trashedLink)).toBe("../keys/AuthKey_A.p8");
    expect(readdirSync(path.join(home, ".Trash")).sort()).toEqual(["AuthKey_A 2.p8", "AuthKey_A.p8"]);
  });

  it.skipIf(!HAS_GIO)("Linux: both go to the Trash (gio), each with its .trashinfo naming where it was", async () => {
    const { real, link } = linkedKey();
    const { env, trash } = privateTrash();
    expect(await moveToTrash(link, { platform: "linux", env })).toEqual({ file: real, link });
    expect(existsSync(real)).toBe(false);
    expect(isLink(link)).toBe(false);
    const target = path.join(trash, "files", "AuthKey_A.p8");
    expect(isLink(target)).toBe(false);
    expect(readFileSync(target, "utf8")).toBe("the real key");
    expect(isLink(path.join(trash, "files", "AuthKey_A.2.p8"))).toBe(true);
    const pathIn = (info: string) =>
      decodeURIComponent(/^Path=(.*)$/m.exec(readFileSync(path.join(trash, "info", info), "utf8"))![1]);
    expect(pathIn("AuthKey_A.p8.trashinfo")).toBe(real);
    expect(pathIn("AuthKey_A.2.p8.trashinfo")).toBe(link);
  });

  it.skipIf(!HAS_GIO)("Linux: the link failing after its file went says the file is in the Trash", async () => {
    const { real, link } = linkedKey();
    const { env } = privateTrash();
    // A gio that trashes files but fails on the link, as a folder it may not write to would make it.
    const realGio = execFileSync("sh", ["-c", "command -v gio"], { encoding: "utf8" }).trim();
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "gio"),
      `#!/bin/sh\ncase "$3" in */Downloads/*) echo "gio: file://$3: Error trashing file $3: Permission denied" >&2; exit 1;; esac\nexec '${realGio}' "$@"\n`,
      { mode: 0o755 },
    );
    const error = (await moveToTrash(link, { platform: "linux", env: { ...env, PATH: bin } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(TrashError);
    expect(error.message).toBe(
      `Error trashing file ${link}: Permission denied; the file it links to, ${real}, is already in the Trash.`,
    );
    expect(isLink(link)).toBe(true);
    expect(existsSync(real)).toBe(false);
  });

  it("a link whose file is gone fails with one line and moves nothing", async () => {
    const { real, link } = linkedKey();
    rmSync(real);
    const { env, trash } = privateTrash();
    const error = await moveToTrash(link, { platform: "linux", env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrashError);
    expect((error as Error).message).toBe(
      "AuthKey_A.p8 is a symbolic link to a file that could not be found (ENOENT).",
    );
    expect(isLink(link)).toBe(true);
    expect(existsSync(trash)).toBe(false);
  });

  it("a link to a folder is refused, and the folder stays", async () => {
    const folder = path.join(dir, "folder");
    mkdirSync(folder);
    writeFileSync(path.join(folder, "inside.p8"), "x");
    const link = path.join(dir, "AuthKey_F.p8");
    symlinkSync(folder, link);
    await expect(moveToTrash(link, { platform: "darwin", homeDir: path.join(dir, "home") })).rejects.toThrow(
      "The file AuthKey_F.p8 links to is a folder; only files are moved to the Trash here.",
    );
    expect(existsSync(path.join(folder, "inside.p8"))).toBe(true);
    expect(isLink(link)).toBe(true);
  });
});

describe("messages", () => {
  it("show terminal controls in names and paths as escapes", async () => {
    const hostile = "\u001b]0;pwned\u0007\r\u009b2J";
    const shown = "\\x1b]0;pwned\\x07\\r\\u009b2J";
    await expect(resolveTrashTargets(path.join(dir, `missing${hostile}.p8`))).rejects.toThrow(
      `missing${shown}.p8 could not be found to move to the Trash (ENOENT).`,
    );
    if (!HAS_GIO) return;
    // gio's own words carry the path: escaped too.
    const blocked = path.join(dir, `data${hostile}`);
    writeFileSync(blocked, "a file where the data folder should be");
    const { env } = privateTrash();
    const error = (await moveToTrash(file("k.p8"), {
      platform: "linux",
      env: { ...env, XDG_DATA_HOME: blocked },
    }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(TrashError);
    expect(error.message).toBe(`Unable to create trash directory ${dir}/data${shown}/Trash: Not a directory.`);
  });
});

describe("resolveTrashTargets (what Raycast's trash() is handed too)", () => {
  it("a file: just the file, as an absolute path", async () => {
    const key = file("AuthKey_B.p8");
    expect(await resolveTrashTargets(key)).toEqual([key]);
    expect(await resolveTrashTargets(path.relative(process.cwd(), key))).toEqual([key]);
  });

  it("a link, or a chain of links: the real file first, then the link itself", async () => {
    const { real, link } = linkedKey();
    expect(await resolveTrashTargets(link)).toEqual([real, link]);
    const outer = path.join(dir, "outer.p8");
    symlinkSync(link, outer);
    expect(await resolveTrashTargets(outer)).toEqual([real, outer]);
  });

  it("refuses, before anything moves, a missing path, a dangling link and a folder", async () => {
    await expect(resolveTrashTargets(path.join(dir, "missing.p8"))).rejects.toThrow(/could not be found/);
    const dangling = path.join(dir, "dangling.p8");
    symlinkSync(path.join(dir, "nowhere.p8"), dangling);
    await expect(resolveTrashTargets(dangling)).rejects.toThrow(TrashError);
    const loop = path.join(dir, "loop.p8");
    symlinkSync(loop, loop);
    await expect(resolveTrashTargets(loop)).rejects.toThrow(
      /symbolic link to a file that could not be found \(ELOOP\)/,
    );
    await expect(resolveTrashTargets(dir)).rejects.toThrow(/is a folder/);
  });
});

describe("helpers", () => {
  it("numbers candidate names before the extension", () => {
    const names = candidateNames("AuthKey_X.p8");
    expect([names.next().value, names.next().value, names.next().value]).toEqual([
      "AuthKey_X.p8",
      "AuthKey_X 2.p8",
      "AuthKey_X 3.p8",
    ]);
    const dotfile = candidateNames(".key");
    expect([dotfile.next().value, dotfile.next().value]).toEqual([".key", ".key 2"]);
  });
});
