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
import {
  candidateNames,
  moveToTrash,
  resolveTrashTargets,
  trashHome,
  trashInfo,
  TrashError,
} from "../../src/lib/trash";

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
    const target = trashed.trashedAs;
    expect(trashed).toEqual({ file: source, trashedAs: path.join(home, ".Trash", "AuthKey_A 2.p8") });
    expect(readFileSync(target, "utf8")).toBe("newer");
    expect(readFileSync(path.join(home, ".Trash", "AuthKey_A.p8"), "utf8")).toBe("older");
    expect(existsSync(source)).toBe(false);
  });
});

describe("moveToTrash on Linux (freedesktop.org Trash)", () => {
  it("writes files/<name> and info/<name>.trashinfo with the escaped path and local deletion time", async () => {
    const dataHome = path.join(dir, "data");
    const source = file("Auth Key%1.p8", "key");
    const deletedAt = new Date(2026, 0, 2, 3, 4, 5);
    const { trashedAs: target } = await moveToTrash(source, {
      platform: "linux",
      env: { XDG_DATA_HOME: dataHome },
      now: () => deletedAt,
    });
    expect(target).toBe(path.join(dataHome, "Trash", "files", "Auth Key%1.p8"));
    expect(readFileSync(target, "utf8")).toBe("key");
    const info = readFileSync(path.join(dataHome, "Trash", "info", "Auth Key%1.p8.trashinfo"), "utf8");
    expect(info).toBe(
      `[Trash Info]\nPath=${path.dirname(source).split("/").map(encodeURIComponent).join("/")}/Auth%20Key%251.p8\nDeletionDate=2026-01-02T03:04:05\n`,
    );
    expect(existsSync(source)).toBe(false);
  });

  it("takes the next free name when files/ or info/ already hold one", async () => {
    const dataHome = path.join(dir, "data");
    mkdirSync(path.join(dataHome, "Trash", "files"), { recursive: true });
    mkdirSync(path.join(dataHome, "Trash", "info"), { recursive: true });
    writeFileSync(path.join(dataHome, "Trash", "files", "k.p8"), "stale file without info");
    writeFileSync(path.join(dataHome, "Trash", "info", "k 2.p8.trashinfo"), "stale info without file");
    const { trashedAs: target } = await moveToTrash(file("k.p8"), {
      platform: "linux",
      env: { XDG_DATA_HOME: dataHome },
    });
    expect(path.basename(target)).toBe("k 3.p8");
    expect(existsSync(path.join(dataHome, "Trash", "info", "k.p8.trashinfo"))).toBe(false);
    expect(readFileSync(path.join(dataHome, "Trash", "info", "k 2.p8.trashinfo"), "utf8")).toBe(
      "stale info without file",
    );
  });

  it("ignores a relative XDG_DATA_HOME, as the spec says", () => {
    expect(trashHome({ XDG_DATA_HOME: "relative/data" }, "/home/u")).toBe("/home/u/.local/share/Trash");
    expect(trashHome({}, "/home/u")).toBe("/home/u/.local/share/Trash");
    expect(trashHome({ XDG_DATA_HOME: "/x" }, "/home/u")).toBe("/x/Trash");
  });

  it("refuses folders and missing files, leaving things where they are", async () => {
    const folder = path.join(dir, "folder");
    mkdirSync(folder);
    await expect(moveToTrash(folder, { platform: "linux", env: { XDG_DATA_HOME: dir } })).rejects.toThrow(TrashError);
    expect(existsSync(folder)).toBe(true);
    await expect(moveToTrash(path.join(dir, "missing.p8"), { platform: "linux" })).rejects.toThrow(
      /could not be found/,
    );
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
    const target = trashed.trashedAs;
    // It says what really moved: the file behind the link, and the link.
    expect(trashed).toEqual({ file: real, link, trashedAs: path.join(home, ".Trash", "AuthKey_A.p8") });
    expect(existsSync(real)).toBe(false);
    expect(isLink(link)).toBe(false);
    expect(target).toBe(path.join(home, ".Trash", "AuthKey_A.p8"));
    expect(isLink(target)).toBe(false);
    expect(readFileSync(target, "utf8")).toBe("the real key");
    // The link went in after it, as a link, beside the file and never over it.
    const trashedLink = path.join(home, ".Trash", "AuthKey_A 2.p8");
    expect(isLink(trashedLink)).toBe(true);
    expect(readlinkSync(trashedLink)).toBe("../keys/AuthKey_A.p8");
    expect(readdirSync(path.join(home, ".Trash")).sort()).toEqual(["AuthKey_A 2.p8", "AuthKey_A.p8"]);
  });

  it("Linux: both go to the freedesktop Trash, each with its own .trashinfo naming where it was", async () => {
    const { real, link } = linkedKey();
    const dataHome = path.join(dir, "data");
    const trashed = await moveToTrash(link, { platform: "linux", env: { XDG_DATA_HOME: dataHome } });
    const target = trashed.trashedAs;
    expect(trashed).toMatchObject({ file: real, link });
    expect(existsSync(real)).toBe(false);
    expect(isLink(link)).toBe(false);
    expect(target).toBe(path.join(dataHome, "Trash", "files", "AuthKey_A.p8"));
    expect(readFileSync(target, "utf8")).toBe("the real key");
    expect(isLink(path.join(dataHome, "Trash", "files", "AuthKey_A 2.p8"))).toBe(true);
    const pathIn = (info: string) =>
      decodeURIComponent(/^Path=(.*)$/m.exec(readFileSync(path.join(dataHome, "Trash", "info", info), "utf8"))![1]);
    expect(pathIn("AuthKey_A.p8.trashinfo")).toBe(real);
    expect(pathIn("AuthKey_A 2.p8.trashinfo")).toBe(link);
  });

  it("a link whose file is gone fails with one line and moves nothing", async () => {
    const { real, link } = linkedKey();
    rmSync(real);
    const dataHome = path.join(dir, "data");
    const error = await moveToTrash(link, { platform: "linux", env: { XDG_DATA_HOME: dataHome } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TrashError);
    expect((error as Error).message).toBe(
      "AuthKey_A.p8 is a symbolic link to a file that could not be found (ENOENT).",
    );
    expect(isLink(link)).toBe(true);
    expect(existsSync(path.join(dataHome, "Trash"))).toBe(false);
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
    const blocked = path.join(dir, `data${hostile}`);
    writeFileSync(blocked, "a file where the data folder should be");
    const error = (await moveToTrash(file("k.p8"), { platform: "linux", env: { XDG_DATA_HOME: blocked } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(TrashError);
    expect(error.message).toBe(`Could not open the Trash at ${dir}/data${shown}/Trash/files (ENOTDIR).`);
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

  it("formats .trashinfo", () => {
    expect(trashInfo("/a b/c.p8", new Date(2026, 10, 26, 4, 0, 9))).toBe(
      "[Trash Info]\nPath=/a%20b/c.p8\nDeletionDate=2026-11-26T04:00:09\n",
    );
  });
});
