/**
 * Hostile answers from Apple's address: bounded bodies measured in a child process's peak memory, HTML error pages,
 * and terminal controls in Apple's words, which must reach a real process's stderr escaped.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { HOSTILE_TITLE } from "../support/apple-stand-in";
import { RAW_CONTROL_BUT_LF as RAW_CONTROL } from "../support/controls";
import { HAS_KEYRING } from "../support/keyring";
import { ISSUER_ID, makeKey, makeKeyId } from "../support/keys";
import {
  apple,
  cli,
  cliProcess,
  expectFailure,
  keyId,
  p8,
  registerTeam,
  ROOT,
  savedStatus,
  tmp,
  useCliWorld,
  type Run,
  realKeyring,
} from "../support/asc-key";

/** Preloaded into a child to report its peak RSS at exit (test/support/peak-rss.mjs). */
const PEAK_RSS = path.join(ROOT, "test", "support", "peak-rss.mjs");

describe.skipIf(!HAS_KEYRING)("hostile answers, against a private Secret Service", () => {
  useCliWorld();

  describe("hostile answers from Apple's address", () => {
    /** `asc-key <args>` with its peak resident set size in MiB (undefined when it died before reporting). */
    async function measured(args: string[]): Promise<Run & { peakMiB?: number }> {
      const file = path.join(mkdtempSync(path.join(tmp, "rss-")), "peak");
      const run = await cliProcess(args, { nodeArgs: ["--import", PEAK_RSS], env: { PEAK_RSS_FILE: file } });
      return existsSync(file) ? { ...run, peakMiB: Number(readFileSync(file, "utf8")) / 1024 } : run;
    }

    it.each([
      { behaviour: "endless", what: "a body that never ends" },
      { behaviour: "gzip-bomb", what: "a gzip bomb inflating to 3 GiB" },
    ] as const)(
      "$behaviour ($what): server-error, exit 5 with one line, under 200 MB, nothing saved",
      async ({ behaviour }) => {
        await realKeyring();
        expect((await registerTeam()).status).toBe(0);
        const before = await savedStatus();
        apple.setBehaviour(keyId, behaviour);

        const verify = await measured(["verify"]);
        expectFailure(verify, 5, /was over 1 MB/);
        // It hung up rather than read on (a gzip bomb may be all sent already: it is only 3 MB on the wire).
        const request = apple.requests.at(-1)!;
        if (behaviour === "endless") await vi.waitFor(() => expect(request.hungUp).toBe(true));
        expect(verify.peakMiB, `peak RSS not reported; exit ${verify.status}`).toBeDefined();
        expect(verify.peakMiB!).toBeLessThan(200);

        const json = await measured(["verify", "--json"]);
        expect(json.status).toBe(5);
        expect(JSON.parse(json.stdout)).toMatchObject({ outcome: "server-error" });
        expect(json.peakMiB!).toBeLessThan(200);

        const other = makeKey();
        const otherId = makeKeyId();
        const file = path.join(path.dirname(p8), `AuthKey_${otherId}.p8`);
        writeFileSync(file, other.pem);
        apple.register({ keyId: otherId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey }, behaviour);
        const register = await measured(["register", "--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", file]);
        expectFailure(register, 5, /over 1 MB.*Nothing was saved; --skip-verify/);
        expect(register.peakMiB!).toBeLessThan(200);
        expect(await savedStatus()).toEqual(before);
      },
      60_000,
    );

    it("a 401 with an HTML page is rejected (exit 3), a 429 with one rate-limited (exit 0)", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "html-401");
      expectFailure(await cli(["verify"]), 3, /^asc-key: Apple rejected key /);
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({ outcome: "rejected" });
      apple.setBehaviour(keyId, "html-429");
      const limited = await cli(["verify"]);
      expect(limited.status).toBe(0);
      expect(limited.stderr).toMatch(/^asc-key: warning: the key is valid, but it has used up this hour's requests/);

      // Registering: rejected, nothing saved.
      const before = await savedStatus();
      const other = makeKey();
      const otherId = makeKeyId();
      const file = path.join(path.dirname(p8), `AuthKey_${otherId}.p8`);
      writeFileSync(file, other.pem);
      apple.register({ keyId: otherId, kind: "team", issuerId: ISSUER_ID, publicKey: other.publicKey }, "html-401");
      const run = await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", otherId, "--p8", file]);
      expectFailure(run, 3, /Apple rejected key .* Nothing was saved\.$/m);
      expect(await savedStatus()).toEqual(before);
    });

    it("Apple's title with terminal controls reaches stderr and JSON escaped, never raw", async () => {
      await realKeyring();
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "hostile-words");
      // Child processes: what reaches a real process's stderr and stdout.
      const run = await cliProcess(["verify"]);
      expectFailure(run, 5);
      expect(run.stderr).toContain('HTTP 403 "Evil\\x1b[2J\\x1b]0;pwned\\x07 title \\u009b31mred\\u007f"');
      expect(run.stderr).not.toMatch(RAW_CONTROL);
      expect(HOSTILE_TITLE).toMatch(RAW_CONTROL);

      const json = await cliProcess(["verify", "--json"]);
      expect(json.status).toBe(5);
      expect(json.stdout + json.stderr).not.toMatch(RAW_CONTROL);
      const value = JSON.parse(json.stdout) as { message: string };
      expect(value.message).toContain('"Evil\\x1b[2J');
      expect(value.message).not.toMatch(RAW_CONTROL);
    });
  });
});
