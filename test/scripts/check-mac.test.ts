/**
 * `npm run check:mac` (scripts/check-mac.mjs): off macOS one line and exit 2; on a Mac the darwin tests and the
 * asc-key flow in a throwaway keychain. Here the flow runs against the security stand-in (the bundle reaches it
 * through LINGCODE_TEST_SECURITY_TOOL), as far as a machine without a Mac can take it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, without types
import { checkMac, NEEDS_MACOS } from "../../scripts/check-mac.mjs";

const ROOT = process.cwd();
const FAKE = path.join(ROOT, "test", "support", "fake-security.mjs");

type Check = (options: object) => { status: number; verdict: string };
const check = checkMac as Check;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "lingcode-check-mac-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fakeEnv = (fault?: object) => ({
  FAKE_SECURITY_STORE: path.join(dir, "items.json"),
  FAKE_SECURITY_LOG: path.join(dir, "log.jsonl"),
  FAKE_SECURITY_FAULT: fault ? JSON.stringify(fault) : "",
});

describe("npm run check:mac", () => {
  it("is scripts/check-mac.mjs, after the CLI bundle is brought up to date", () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts["check:mac"]).toBe("node scripts/build-cli.mjs --if-stale && node scripts/check-mac.mjs");
  });

  it.skipIf(process.platform === "darwin")("off macOS: one line saying it needs macOS, exit 2, nothing run", () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, "scripts", "check-mac.mjs")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect([run.status, run.stdout, run.stderr]).toEqual([
      2,
      `check:mac needs macOS (this is ${process.platform}); nothing was checked.\n`,
      "",
    ]);
    expect(check({ platform: "win32" })).toEqual({
      status: NEEDS_MACOS,
      verdict: "check:mac needs macOS (this is win32); nothing was checked.",
    });
  });

  // About 20 child processes of the bundle, one after the other, as the check runs them on a Mac.
  it(
    "the flow against the stand-in: every step passes in the throwaway keychain, which is deleted",
    { timeout: 120_000 },
    () => {
      const result = check({ platform: "darwin", security: FAKE, darwinTests: false, env: fakeEnv() });
      expect(result).toEqual({
        status: 0,
        verdict: "check:mac passed: the asc-key flow (16 steps) in a throwaway keychain, now deleted.",
      });
      const runs = readFileSync(path.join(dir, "log.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { argv: string[]; stdin: string });
      const made = runs.find((run) => run.argv[0] === "create-keychain")!.argv.at(-1)!;
      expect(existsSync(made)).toBe(false);
      // Every write went to that keychain, through stdin; never the default one.
      const writes = runs.filter((run) => run.argv[0] === "-i");
      expect(writes.length).toBeGreaterThan(5);
      for (const write of writes) expect(write.stdin.endsWith(` "${made}"\n`)).toBe(true);
      for (const run of runs) expect(run.argv.join(" ")).not.toMatch(/-X|PRIVATE KEY/);
      expect(JSON.parse(readFileSync(path.join(dir, "items.json"), "utf8"))).toEqual({ items: [] });
    },
  );

  it(
    "a step that fails is named in the one verdict line, and the keychain is deleted all the same",
    { timeout: 60_000 },
    () => {
      const result = check({
        platform: "darwin",
        security: FAKE,
        darwinTests: false,
        env: fakeEnv({ command: "add-generic-password", modify: "deny" }),
      });
      expect(result.status).toBe(1);
      expect(result.verdict).toMatch(/^check:mac FAILED at [a-z ]+: exit 4, expected 0: .*Keychain dialog .*denied/);
      expect(JSON.parse(readFileSync(path.join(dir, "items.json"), "utf8"))).toEqual({ items: [] });
    },
  );
});
