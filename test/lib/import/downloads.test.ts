import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { findNewestAuthKey } from "../../../src/lib/import/downloads";

let root: string;
let folder: string;
let counter = 0;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "lingcode-downloads-"));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  counter += 1;
  folder = path.join(root, `Downloads-${counter}`);
  await fs.mkdir(folder);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const T0 = new Date("2026-11-20T10:00:00.000Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

/** A file (or folder) in the test folder with the given modification time. */
async function place(name: string, modified: Date, kind: "file" | "folder" = "file"): Promise<string> {
  const target = path.join(folder, name);
  if (kind === "folder") await fs.mkdir(target);
  else await fs.writeFile(target, "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n");
  await fs.utimes(target, modified, modified);
  return target;
}

describe("findNewestAuthKey", () => {
  it("a missing folder → undefined", async () => {
    expect(await findNewestAuthKey(path.join(root, "no-such-folder"))).toBeUndefined();
  });

  it("a file given as the folder → undefined", async () => {
    const file = await place("AuthKey_ABC1234DEF.p8", T0);
    expect(await findNewestAuthKey(file)).toBeUndefined();
  });

  it("an empty folder → undefined", async () => {
    expect(await findNewestAuthKey(folder)).toBeUndefined();
  });

  it("one key file: its path, Key ID and modification time", async () => {
    const file = await place("AuthKey_ABC1234DEF.p8", T0);
    expect(await findNewestAuthKey(folder)).toEqual({ path: file, keyId: "ABC1234DEF", modified: T0 });
  });

  it("the newest by modification time wins, not by name or creation order", async () => {
    await place("AuthKey_AAAAAAAAAA.p8", minutes(10));
    const newest = await place("AuthKey_MMMMMMMMMM.p8", minutes(30));
    await place("AuthKey_ZZZZZZZZZZ.p8", minutes(20));
    expect(await findNewestAuthKey(folder)).toEqual({ path: newest, keyId: "MMMMMMMMMM", modified: minutes(30) });

    // Touching an older one makes it the newest.
    const touched = path.join(folder, "AuthKey_AAAAAAAAAA.p8");
    await fs.utimes(touched, minutes(40), minutes(40));
    expect((await findNewestAuthKey(folder))?.path).toBe(touched);
  });

  it("ignores names that are not AuthKey_<ID>.p8, however new", async () => {
    const key = await place("AuthKey_ABC1234DEF.p8", T0);
    for (const name of [
      "SubscriptionKey_ZZZZZZZZZZ.p8",
      "AuthKey_ZZZZZZZZZZ.p8.download",
      "AuthKey_ZZZZZZZZZZ.p8.crdownload",
      "AuthKey_ZZZZZZZZZZ.txt",
      "AuthKey_.p8",
      "AuthKey_ZZZZ ZZZZZZ.p8",
      ".AuthKey_ZZZZZZZZZZ.p8",
      "MyAuthKey_ZZZZZZZZZZ.p8",
      "key.p8",
      "notes.txt",
    ]) {
      await place(name, minutes(60));
    }
    expect(await findNewestAuthKey(folder)).toEqual({ path: key, keyId: "ABC1234DEF", modified: T0 });
  });

  it("only non-key names → undefined", async () => {
    await place("SubscriptionKey_ABC1234DEF.p8", T0);
    await place("report.pdf", T0);
    expect(await findNewestAuthKey(folder)).toBeUndefined();
  });

  it('handles a browser\'s duplicate names: "AuthKey_X (1).p8" and "AuthKey_X-1.p8"', async () => {
    await place("AuthKey_ABC1234DEF.p8", minutes(1));
    const copy = await place("AuthKey_ABC1234DEF (1).p8", minutes(2));
    expect(await findNewestAuthKey(folder)).toEqual({ path: copy, keyId: "ABC1234DEF", modified: minutes(2) });
    const dashed = await place("AuthKey_ZYX9876WVU-2.p8", minutes(3));
    expect(await findNewestAuthKey(folder)).toEqual({ path: dashed, keyId: "ZYX9876WVU", modified: minutes(3) });
  });

  it("uppercases a Key ID from a lowercase name", async () => {
    await place("authkey_abc1234def.P8", T0);
    expect((await findNewestAuthKey(folder))?.keyId).toBe("ABC1234DEF");
  });

  it("ignores folders named like keys", async () => {
    const file = await place("AuthKey_ABC1234DEF.p8", minutes(1));
    await place("AuthKey_ZZZZZZZZZZ.p8", minutes(50), "folder");
    expect((await findNewestAuthKey(folder))?.path).toBe(file);

    await fs.rm(file);
    expect(await findNewestAuthKey(folder)).toBeUndefined();
  });

  it("follows a link to a key file; a dangling link is ignored quietly", async () => {
    const elsewhere = path.join(root, `elsewhere-${counter}.p8`);
    await fs.writeFile(elsewhere, "x");
    await fs.utimes(elsewhere, minutes(5), minutes(5));
    const link = path.join(folder, "AuthKey_LINKED0001.p8");
    await fs.symlink(elsewhere, link);
    await fs.symlink(path.join(root, "gone.p8"), path.join(folder, "AuthKey_DANGLING01.p8"));
    const file = await place("AuthKey_ABC1234DEF.p8", minutes(1));
    expect(await findNewestAuthKey(folder)).toEqual({ path: link, keyId: "LINKED0001", modified: minutes(5) });

    await fs.rm(elsewhere);
    expect((await findNewestAuthKey(folder))?.path).toBe(file);
  });

  it("defaults to ~/Downloads", async () => {
    const home = path.join(root, `home-${counter}`);
    await fs.mkdir(path.join(home, "Downloads"), { recursive: true });
    vi.stubEnv("HOME", home);
    expect(os.homedir()).toBe(home);
    expect(await findNewestAuthKey()).toBeUndefined();

    const file = path.join(home, "Downloads", "AuthKey_ABC1234DEF.p8");
    await fs.writeFile(file, "x");
    await fs.utimes(file, T0, T0);
    expect(await findNewestAuthKey()).toEqual({ path: file, keyId: "ABC1234DEF", modified: T0 });
  });

  it("does not read the files: an unreadable key file is still suggested", async () => {
    const file = await place("AuthKey_ABC1234DEF.p8", T0);
    await fs.chmod(file, 0o000);
    expect((await findNewestAuthKey(folder))?.path).toBe(file);
  });
});
