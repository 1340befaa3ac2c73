/**
 * asc-key doctor against the private Secret Service and the Apple stand-in, in this process.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT } from "../../src/lib/keychain";
import { serializeRecord } from "../../src/lib/record";
import { HAS_KEYRING, storeDirectly } from "../support/keyring";
import { makeRecord } from "../support/keys";
import { closedPortUrl } from "../support/network";
import { pauseThen as pauseAndAnswer } from "../support/apple-stand-in";
import {
  apple,
  cli,
  dataHome,
  expectFailure,
  expectNoSecrets,
  HAS_GIO,
  key,
  keyId,
  registerTeam,
  service,
  tmp,
  useCliWorld,
  realKeyring,
} from "../support/asc-key";

describe.skipIf(!HAS_KEYRING)("doctor against a private Secret Service and the Apple stand-in", () => {
  useCliWorld();

  describe("doctor", () => {
    let home: string;
    /** A home of its own, with none of the other tools' variables. */
    const doctorEnv = () => ({
      HOME: home,
      ASC_KEY_ID: undefined,
      ASC_ISSUER_ID: undefined,
      ASC_PRIVATE_KEY: undefined,
      ASC_PRIVATE_KEY_PATH: undefined,
      ASC_PRIVATE_KEY_B64: undefined,
      APP_STORE_CONNECT_API_KEY_KEY_ID: undefined,
      APP_STORE_CONNECT_API_KEY_ISSUER_ID: undefined,
      APP_STORE_CONNECT_API_KEY_KEY: undefined,
      APP_STORE_CONNECT_API_KEY_KEY_FILEPATH: undefined,
      APP_STORE_CONNECT_API_KEY_PATH: undefined,
      APP_STORE_CONNECT_KEY_IDENTIFIER: undefined,
      APP_STORE_CONNECT_ISSUER_ID: undefined,
      APP_STORE_CONNECT_PRIVATE_KEY: undefined,
      SSH_CONNECTION: undefined,
      SSH_TTY: undefined,
      SSH_CLIENT: undefined,
    });
    const doctor = (args: string[] = [], env: Record<string, string | undefined> = {}) =>
      cli(["doctor", ...args], { env: { ...doctorEnv(), ...env } });
    type Lines = { ok: boolean; lines: { check: string; level: string; text: string; fix?: string }[] };
    const levels = (value: Lines) => Object.fromEntries(value.lines.map((line) => [line.check, line.level]));

    beforeEach(() => {
      home = mkdtempSync(path.join(tmp, "home-"));
      apple.setClockSkew(0);
    });
    afterEach(() => apple.setClockSkew(0));

    it("all well: every line passes, exit 0; one request to Apple", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      const run = await doctor();
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(
        run.stdout
          .trimEnd()
          .split("\n")
          .map((line) => line.split(/\s+/)[0]),
      ).toEqual(["pass", "pass", "pass", "pass", "pass", "pass"]);
      expect(run.stdout).toMatch(/^pass {2}keychain: The Keychain answers and holds key \w+\.$/m);
      expect(apple.requests.map((r) => r.path)).toEqual(["/v1/apps?limit=1"]);
      const json = await doctor(["--json"]);
      expect(json.status).toBe(0);
      const value = JSON.parse(json.stdout) as Lines;
      expect(value.ok).toBe(true);
      expect(value.lines.map((line) => line.check)).toEqual([
        "keychain",
        "leftover-files",
        "environment",
        "apple",
        "clock",
        "key-age",
      ]);
      expectNoSecrets(run.stdout + run.stderr + json.stdout, key);
    });

    it("no key saved: the keychain line fails, exit 6", async () => {
      const run = await doctor(["--json"]);
      expect(run.status).toBe(6);
      const value = JSON.parse(run.stdout) as Lines;
      expect(value.ok).toBe(false);
      expect(value.lines[0]).toMatchObject({ check: "keychain", level: "fail" });
      expect(apple.requests).toHaveLength(0);
    });

    it.skipIf(!HAS_GIO)(
      "the .p8 left in ~/Downloads: a warning with the command; --trash-leftovers moves it",
      async () => {
        expect((await registerTeam(["--skip-verify"])).status).toBe(0);
        mkdirSync(path.join(home, "Downloads"));
        const leftover = path.join(home, "Downloads", `AuthKey_${keyId}.p8`);
        writeFileSync(leftover, key.pem);
        const run = await doctor();
        expect(run.status).toBe(0);
        expect(run.stdout).toContain(
          `warn  leftover-files: The saved key's .p8 is still on disk: ~/Downloads/AuthKey_${keyId}.p8; the Keychain has it, so the copy is only a risk. Fix: move it to the Trash: asc-key doctor --trash-leftovers.`,
        );
        const trashed = await doctor(["--trash-leftovers"]);
        expect(trashed.status).toBe(0);
        expect(trashed.stderr).toBe(`asc-key: moved ~/Downloads/AuthKey_${keyId}.p8 to the Trash.\n`);
        expect(trashed.stdout).toMatch(/^pass {2}leftover-files: /m);
        expect(existsSync(leftover)).toBe(false);
        expect(existsSync(path.join(dataHome, "Trash", "files", `AuthKey_${keyId}.p8`))).toBe(true);
      },
    );

    it("an environment variable naming another key: a warning naming the tool", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      const run = await doctor([], { ASC_KEY_ID: "OTHER00001" });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(
        `warn  environment: ASC_KEY_ID names key OTHER00001, not the saved ${keyId} (the asc CLI uses it first). Fix: unset ASC_KEY_ID (or point it at the saved key).`,
      );
    });

    it("an agreement waiting for the Account Holder fails, exit 6", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      apple.setBehaviour(keyId, "agreement");
      const run = await doctor();
      expect(run.status).toBe(6);
      expect(run.stdout).toMatch(
        /^fail {2}apple: An agreement is waiting for the Account Holder.* Fix: the Account Holder accepts it/m,
      );
    });

    describe("a stray 401, as verify takes it", () => {
      const pauseThen = (answer: "ok" | "revoked") => pauseAndAnswer(apple, keyId, answer);
      const doctorPausing = (pause: (ms: number) => Promise<void>) =>
        cli(["doctor", "--json"], { env: doctorEnv(), pause });

      it("for a key Apple accepted when it was saved: asked once more after a pause; the 200 decides, exit 0", async () => {
        expect((await registerTeam()).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        const { waited, pause } = pauseThen("ok");
        const run = await doctorPausing(pause);
        expect(run.status, run.stdout).toBe(0);
        expect(levels(JSON.parse(run.stdout) as Lines)).toMatchObject({ apple: "pass" });
        expect(waited).toEqual([2000]);
      });

      it("two 401s: the apple line fails, exit 6, and the key is no longer taken as accepted", async () => {
        expect((await registerTeam()).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        const first = pauseThen("revoked");
        const run = await doctorPausing(first.pause);
        expect(run.status).toBe(6);
        expect(levels(JSON.parse(run.stdout) as Lines)).toMatchObject({ apple: "fail" });
        expect(first.waited).toHaveLength(1);
        // Remembered: verify calls the next 401 rejected without a pause.
        const next = pauseThen("ok");
        expectFailure(await cli(["verify"], { pause: next.pause }), 3);
        expect(next.waited).toEqual([]);
      });
    });

    it("a clock two minutes fast fails the clock line (and Apple refuses the key)", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      apple.setClockSkew(-120);
      const run = await doctor(["--json"]);
      expect(run.status).toBe(6);
      const value = JSON.parse(run.stdout) as Lines;
      expect(levels(value)).toMatchObject({ apple: "fail", clock: "fail" });
      expect(value.lines.find((line) => line.check === "clock")?.text).toMatch(/^The clock is 1\d\d s fast/);
    });

    it("offline: Apple and the clock warn, nothing fails, exit 0", async () => {
      expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      const run = await doctor(["--json"], { LINGCODE_ASC_API_URL: await closedPortUrl() });
      expect(run.status).toBe(0);
      expect(levels(JSON.parse(run.stdout) as Lines)).toMatchObject({ apple: "warn", clock: "warn" });
    });

    it("the key's age against --rotate-after (default 180)", async () => {
      await realKeyring();
      const old = makeRecord({ keyId, savedAt: new Date(Date.now() - 200 * 86_400_000).toISOString() }, key);
      storeDirectly(service, ACCOUNT, serializeRecord(old));
      const byDefault = await doctor();
      expect(byDefault.stdout).toMatch(
        new RegExp(`^warn  key-age: Key ${keyId} was saved 200 days ago, past the 180 days`, "m"),
      );
      expect((await doctor(["--rotate-after", "365"])).stdout).toMatch(/^pass {2}key-age: .*\(rotate after 365\)\.$/m);
      expect((await doctor(["--rotate-after", "0"])).stdout).toMatch(
        /^pass {2}key-age: .*rotation reminders are off\.$/m,
      );
      expectFailure(await doctor(["--rotate-after", "soon"]), 2, /--rotate-after takes whole days/);
    });
  });
});
