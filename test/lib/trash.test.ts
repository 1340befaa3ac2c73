import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { candidateNames, moveToTrash, trashHome, trashInfo, TrashError } from "../../src/lib/trash";

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
    const target = await moveToTrash(source, { platform: "darwin", homeDir: home });
    expect(target).toBe(path.join(home, ".Trash", "AuthKey_A 2.p8"));
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
    const target = await moveToTrash(source, {
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
    const target = await moveToTrash(file("k.p8"), { platform: "linux", env: { XDG_DATA_HOME: dataHome } });
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
