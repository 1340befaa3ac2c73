/**
 * asc-key register on an in-memory Keychain (useCliWorld) with the Apple stand-in, in this process
 * (test/support/asc-key.ts).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { roleWords } from "../../src/lib/apple/roles";
import { RAW_CONTROL_BUT_LF as RAW_CONTROL } from "../support/controls";
import { HAS_KEYRING } from "../support/keyring";
import { ISSUER_ID, makeKey, makeKeyId } from "../support/keys";
import { closedPortUrl } from "../support/network";
import {
  apple,
  cli,
  dataHome,
  expectFailure,
  expectNoSecrets,
  fingerprintOf,
  HAS_GIO,
  key,
  keyId,
  p8,
  registerTeam,
  savedStatus,
  tmp,
  useCliWorld,
  withoutPrivilegeNote,
} from "../support/asc-key";

describe.skipIf(!HAS_KEYRING)("register on an in-memory Keychain with the Apple stand-in", () => {
  useCliWorld();

  describe("register", () => {
    it("checks a team key with Apple, saves it and prints the sentence and the fingerprint", async () => {
      const run = await registerTeam();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        `Yes, Issuer ID ends in ...b6c, Key ID ${keyId}\nFingerprint: ${fingerprintOf(key.publicKey)}\n`,
      );
      // The stand-in's keys have App Manager access unless told otherwise: it reaches Users and Access, which gets a
      // note with the one step that settles App Manager or Admin, never a warning.
      expect(run.stderr).toBe(`asc-key: note: ${roleWords(keyId, "yes", undefined, "")?.text}\n`);
      expect(run.stderr).not.toMatch(/warning:/);
      expect(apple.requests.map((r) => [r.path, r.status])).toEqual([
        ["/v1/apps?limit=1", 200],
        ["/v1/users?limit=1", 200],
      ]);
      expectNoSecrets(run.stdout + run.stderr, key);
      expect(existsSync(p8)).toBe(true);
    });

    it("after a valid check, probes Users and Access: a key that cannot reach it saves without a warning", async () => {
      apple.setBehaviour(keyId, { role: "developer" });
      const run = await registerTeam();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      expect(apple.requests.map((r) => [r.path, r.status])).toEqual([
        ["/v1/apps?limit=1", 200],
        ["/v1/users?limit=1", 403],
      ]);
    });

    it("an Admin key is saved, with the note that tells how to settle its role; never refused", async () => {
      apple.setBehaviour(keyId, { role: "admin" });
      const run = await registerTeam();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Key ID ${keyId}`);
      // Apple's API does not tell Admin from App Manager: a note with the one step that settles it, not a warning.
      expect(run.stderr).toBe(`asc-key: note: ${roleWords(keyId, "yes", undefined, "")?.text}\n`);
      expect((await savedStatus()).keyId).toBe(keyId);
    });

    it("no privilege probe when the check says fewer than 20 requests are left this hour", async () => {
      apple.setBehaviour(keyId, { role: "admin", rateLimitRemaining: 15 });
      const run = await registerTeam();
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      expect(apple.requests.map((r) => r.path)).toEqual(["/v1/apps?limit=1"]);
    });

    it("normalises the IDs as the key model does", async () => {
      const run = await cli([
        "register",
        "--issuer-id",
        ` ${ISSUER_ID.toUpperCase()} `,
        "--key-id",
        keyId.toLowerCase(),
        "--p8",
        p8,
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(await savedStatus()).toMatchObject({ keyId, issuerIdSuffix: "b6c" });
    });

    it("reads the key from stdin with --p8 -, individual keys too", async () => {
      const individual = makeKey();
      const individualId = makeKeyId();
      apple.register({ keyId: individualId, kind: "individual", publicKey: individual.publicKey });
      // CRLF and surrounding blank lines, as a paste may bring them.
      const pasted = `\r\n${individual.pem.replace(/\n/g, "\r\n")}\r\n`;
      const run = await cli(["register", "--individual", "--key-id", individualId, "--p8", "-"], { input: pasted });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe(
        `Yes, individual key, Key ID ${individualId}\nFingerprint: ${fingerprintOf(individual.publicKey)}\n`,
      );
      const status = await savedStatus();
      expect(Object.keys(status)).toEqual(["configured", "kind", "keyId", "fingerprint", "savedAt"]);
      expect(status).toMatchObject({ kind: "individual", keyId: individualId });
    });

    it("refuses more than 16 KiB on stdin and an empty stdin", async () => {
      const big = key.pem + "#".repeat(16 * 1024);
      expectFailure(
        await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", "-"], { input: big }),
        2,
        /16 KB/,
      );
      expectFailure(await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", "-"]), 2, /stdin/);
      expect((await cli(["status"])).status).toBe(1);
    });

    it("refuses bad input with exit 2 and leaves the saved key unchanged", async () => {
      expect((await registerTeam()).status).toBe(0);
      const before = await savedStatus();

      const other = makeKey();
      const otherId = makeKeyId();
      const otherFile = path.join(tmp, `AuthKey_${otherId}.p8`);
      writeFileSync(otherFile, other.pem);
      apple.register({ keyId: otherId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey });
      const rsa = path.join(tmp, "rsa.p8");
      writeFileSync(
        rsa,
        generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
      );
      const p384 = path.join(tmp, "p384.p8");
      writeFileSync(p384, makeKey("P-384").pem);

      const refused: Array<[string[], RegExp?]> = [
        [["--key-id", otherId, "--p8", otherFile], /needs --issuer-id/],
        [["--individual", "--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", otherFile], /--individual/],
        [["--issuer-id", "not-an-issuer", "--key-id", otherId, "--p8", otherFile], /Issuer ID/],
        [["--issuer-id", ISSUER_ID, "--p8", otherFile], /--key-id/],
        [["--issuer-id", ISSUER_ID, "--key-id", "HAS SPACE", "--p8", otherFile], /Key ID/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId], /--p8/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", path.join(tmp, "missing.p8")], /no file/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", tmp], /folder/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", rsa], /RSA/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", p384], /P-256/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", "-", "--trash"], /--trash/],
        [["--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", otherFile, "--bogus"], /--bogus/],
      ];
      for (const [args, pattern] of refused) {
        const run = await cli(["register", ...args], { input: other.pem });
        expectFailure(run, 2, pattern);
        // The test Issuer ID is Apple's documented example, which the Issuer ID hint quotes.
        expectNoSecrets(run.stderr, other, false);
      }
      expect(await savedStatus()).toEqual(before);
      expect(existsSync(otherFile)).toBe(true);
    });

    it("exits 3 and saves nothing when Apple rejects the key", async () => {
      expect((await registerTeam()).status).toBe(0);
      const before = await savedStatus();
      apple.requests.length = 0;
      const revoked = makeKey();
      const revokedId = makeKeyId();
      const file = path.join(tmp, `AuthKey_${revokedId}.p8`);
      writeFileSync(file, revoked.pem);
      apple.register({ keyId: revokedId, kind: "team", issuerId: ISSUER_ID, publicKey: revoked.publicKey }, "revoked");
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", revokedId, "--p8", file, "--trash"]);
      expectFailure(run, 3, /Apple rejected key .* Nothing was saved\.$/m);
      // Asked once more as an individual key, then what the 401 can mean, most likely first.
      expect(run.stderr).toMatch(
        /\(HTTP 401, asked as an individual key \(no Issuer ID\) too\)\. What that can mean, most likely first: \(1\) It was revoked.*\(2\) The Issuer ID is another team's: it is at the top of the Team Keys page.*\(3\) It is not an App Store Connect key.*\(4\) The clock: this Mac's clock is within a second of Apple's/,
      );
      expect(apple.requests).toHaveLength(2);
      expect(await savedStatus()).toEqual(before);
      expect(existsSync(file)).toBe(true);
    });

    it("an individual key registered with an Issuer ID: says so, and the command it prints saves it as one", async () => {
      const individual = makeKey();
      const individualId = makeKeyId();
      const file = path.join(tmp, `AuthKey_${individualId}.p8`);
      writeFileSync(file, individual.pem);
      apple.register({ keyId: individualId, kind: "individual", publicKey: individual.publicKey });
      const run = await cli([
        "register",
        "--issuer-id",
        ISSUER_ID,
        "--key-id",
        individualId.toLowerCase(),
        "--p8",
        file,
        "--name",
        "Mine",
      ]);
      expectFailure(run, 3, /is an individual key: Apple accepted it without the Issuer ID/);
      expect(apple.requests).toHaveLength(2);
      const rerun = `asc-key register --individual --key-id ${individualId} --p8 ${file} --name Mine`;
      expect(run.stderr).toContain(`Save it as an individual key: ${rerun}`);
      expect((await cli(["status"])).status).toBe(1);
      const again = await cli(rerun.split(" ").slice(1));
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain(`Yes, individual key, Key ID ${individualId}`);
    });

    it("exits 5 and saves nothing when Apple is unreachable or has a server error, and points at --skip-verify", async () => {
      const closed = await closedPortUrl();
      expectFailure(await registerTeam([], { env: { LINGCODE_ASC_API_URL: closed } }), 5, /--skip-verify/);
      apple.setBehaviour(keyId, "server-error");
      expectFailure(await registerTeam(), 5, /server error.*--skip-verify/);
      expect((await cli(["status"])).status).toBe(1);
    });

    it("saves without asking Apple with --skip-verify", async () => {
      const run = await registerTeam(["--skip-verify"], { env: { LINGCODE_ASC_API_URL: await closedPortUrl() } });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/without checking/);
      expect(apple.requests).toHaveLength(0);
      expect((await savedStatus()).fingerprint).toBe(fingerprintOf(key.publicKey));
    });

    it("saves with a warning when the key works but its role is limited", async () => {
      apple.setBehaviour(keyId, "role-limited");
      const run = await registerTeam();
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Key ID ${keyId}`);
      expect(run.stderr).toMatch(/^asc-key: warning: .*role/m);
    });

    it("warns when the file is named for another Key ID", async () => {
      const renamed = path.join(path.dirname(p8), "AuthKey_ZZZZZZZZZZ.p8");
      writeFileSync(renamed, key.pem);
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", renamed]);
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(/^asc-key: warning: The file is named for Key ID ZZZZZZZZZZ/m);
    });

    it.skipIf(!HAS_GIO)("moves the .p8 to the Trash with --trash (gio on Linux), under a free name", async () => {
      const run = await registerTeam(["--trash"]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/moved AuthKey_\w+\.p8 to the Trash/);
      expect(existsSync(p8)).toBe(false);
      const name = path.basename(p8);
      const trashed = path.join(dataHome, "Trash", "files", name);
      expect(readFileSync(trashed, "utf8")).toBe(key.pem);
      const info = readFileSync(path.join(dataHome, "Trash", "info", `${name}.trashinfo`), "utf8");
      expect(info).toMatch(/^\[Trash Info\]\nPath=\/\S+\nDeletionDate=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\n$/);
      expect(decodeURIComponent(/Path=(.*)/.exec(info)![1])).toBe(p8);

      // The same name again: kept beside the first, never over it.
      writeFileSync(p8, key.pem);
      expect((await registerTeam(["--trash"])).status).toBe(0);
      expect(existsSync(p8)).toBe(false);
      const second = path.join(dataHome, "Trash", "files", `AuthKey_${keyId}.2.p8`);
      expect(readFileSync(second, "utf8")).toBe(key.pem);
      expect(readFileSync(trashed, "utf8")).toBe(key.pem);
      expect(existsSync(path.join(dataHome, "Trash", "info", `AuthKey_${keyId}.2.p8.trashinfo`))).toBe(true);
    });

    it.skipIf(!HAS_GIO)("--trash through a symbolic link trashes the file it points to, then the link", async () => {
      // The key kept elsewhere, Downloads holding only a link to it.
      const real = path.join(path.dirname(p8), "keys", path.basename(p8));
      mkdirSync(path.dirname(real));
      renameSync(p8, real);
      symlinkSync(real, p8);
      const run = await registerTeam(["--trash"]);
      expect(run.status, run.stderr).toBe(0);
      // It names the file it really moved, by its path, and says the link went too.
      expect(withoutPrivilegeNote(run.stderr)).toBe(
        `asc-key: moved ${real} (the file behind the link ${path.basename(p8)}) and the link to the Trash.\n`,
      );
      expect(existsSync(real)).toBe(false);
      expect(lstatSync(p8, { throwIfNoEntry: false })).toBeUndefined();
      const files = path.join(dataHome, "Trash", "files");
      expect(readFileSync(path.join(files, path.basename(p8)), "utf8")).toBe(key.pem);
      expect(lstatSync(path.join(files, `AuthKey_${keyId}.2.p8`)).isSymbolicLink()).toBe(true);
    });

    it("only warns when the file cannot go to the Trash: the key is saved, the file stays", async () => {
      // XDG_DATA_HOME is a file, so no Trash folder can be made in it.
      writeFileSync(dataHome, "in the way");
      const run = await registerTeam(["--trash"]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Key ID ${keyId}`);
      expect(run.stderr).toMatch(
        /^asc-key: warning: the key is saved, but AuthKey_\w+\.p8 was not moved to the Trash/m,
      );
      expect(existsSync(p8)).toBe(true);
      expect((await savedStatus()).keyId).toBe(keyId);
    });

    it.skipIf(process.platform !== "linux")(
      "without gio: the warning says what to install; the key is saved",
      async () => {
        const bin = path.join(path.dirname(p8), "bin");
        mkdirSync(bin);
        const secretTool = execFileSync("sh", ["-c", "command -v secret-tool"], { encoding: "utf8" }).trim();
        symlinkSync(secretTool, path.join(bin, "secret-tool"));
        const run = await registerTeam(["--trash"], { env: { PATH: bin } });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toContain(
          `asc-key: warning: the key is saved, but AuthKey_${keyId}.p8 was not moved to the Trash (Moving files to the Trash on Linux needs gio, GLib's command line tool (apt-get install libglib2.0-bin); it was not found); delete it yourself.`,
        );
        expect(existsSync(p8)).toBe(true);
        expect((await savedStatus()).keyId).toBe(keyId);
      },
    );

    it.skipIf(!HAS_GIO)(
      "--trash through a link named differently from its file: both names, the file's by its path",
      async () => {
        const real = path.join(path.dirname(p8), "vault", `AuthKey_${keyId}.p8`);
        mkdirSync(path.dirname(real));
        renameSync(p8, real);
        const link = path.join(path.dirname(p8), "current-key.p8");
        symlinkSync(real, link);
        const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", link, "--trash"]);
        expect(run.status, run.stderr).toBe(0);
        expect(withoutPrivilegeNote(run.stderr)).toBe(
          `asc-key: moved ${real} (the file behind the link current-key.p8) and the link to the Trash.\n`,
        );
        expect(existsSync(real)).toBe(false);
        expect(lstatSync(link, { throwIfNoEntry: false })).toBeUndefined();
      },
    );

    it.skipIf(!HAS_GIO)("shows terminal controls in file names and paths as escapes, never raw", async () => {
      const dir = path.dirname(p8);
      // (No line break: --p8 refuses one, as it may be the key itself pasted where the path belongs.)
      const hostile = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f";
      const shown = "\\x1b]0;pwned\\x07\\x1b[2J\\u009b31m\\u007f";
      const folder = path.join(dir, `keys${hostile}`);
      mkdirSync(folder);
      const large = path.join(dir, `big${hostile}.p8`);
      writeFileSync(large, "#".repeat(20 * 1024));
      const refused: Array<[string, RegExp]> = [
        [path.join(dir, `missing${hostile}.p8`), /There is no file at missing(.*)\.p8;/],
        [folder, /^asc-key: keys(.*) is a folder;/],
        [large, /^asc-key: big(.*)\.p8 is 20 KB;/],
      ];
      for (const [file, pattern] of refused) {
        const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", file]);
        expectFailure(run, 2, pattern);
        expect(run.stderr).not.toMatch(RAW_CONTROL);
        expect(pattern.exec(run.stderr)![1]).toBe(shown);
      }

      // Moved to the Trash under such a name, and the Trash at such a path failing.
      const named = path.join(dir, `AuthKey_${keyId}${hostile}.p8`);
      renameSync(p8, named);
      const args = ["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", named, "--trash"];
      const moved = await cli(args);
      expect(moved.status, moved.stderr).toBe(0);
      expect(withoutPrivilegeNote(moved.stderr)).toBe(`asc-key: moved AuthKey_${keyId}${shown}.p8 to the Trash.\n`);
      writeFileSync(named, key.pem);
      const blocked = path.join(dir, `data${hostile}`);
      writeFileSync(blocked, "in the way");
      const failed = await cli(args, { env: { XDG_DATA_HOME: blocked } });
      expect(failed.status).toBe(0);
      expect(failed.stderr).toContain(`but AuthKey_${keyId}${shown}.p8 was not moved to the Trash`);
      expect(failed.stderr).toContain(`Unable to create trash directory ${dir}/data${shown}/Trash: Not a directory`);
      expect(moved.stderr + failed.stderr + failed.stdout).not.toMatch(RAW_CONTROL);
    });

    it("says when LingCode switches to a new key of the same team, and that the old one stays saved", async () => {
      expect((await registerTeam()).status).toBe(0);
      const next = makeKey();
      const nextId = makeKeyId();
      const file = path.join(tmp, `AuthKey_${nextId}.p8`);
      writeFileSync(file, next.pem);
      apple.register({ keyId: nextId, kind: "team", issuerId: ISSUER_ID, publicKey: next.publicKey });
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", nextId, "--p8", file]);
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(
        `LingCode now uses this key, saved as "Unnamed key (2)"; "Unnamed key" stays saved (asc-key use ${keyId} switches back).`,
      );
      expect(run.stderr).not.toContain("replaced");
      expect((await savedStatus()).keyId).toBe(nextId);
    });
  });
});
