/**
 * `npm test` (scripts/test.mjs) says at its start and at its end which test groups do not run, on macOS too, where the
 * groups that need the private Secret Service are skipped; with CI=true that fails the run before any test. The
 * script runs here as on a Mac (process.platform reads "darwin"), with `--help` as vitest's arguments so that vitest
 * only prints its usage.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = process.cwd();
const AS_ON_A_MAC = 'data:text/javascript,Object.defineProperty(process,"platform",{value:"darwin"})';

function npmTestOnAMac(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: undefined, CI: ci ? "true" : undefined };
  return spawnSync(process.execPath, ["--import", AS_ON_A_MAC, path.join(ROOT, "scripts", "test.mjs"), "--help"], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("npm test on macOS", () => {
  it("names the groups that need the Secret Service as skipped, at its start and at its end", () => {
    const run = npmTestOnAMac(false);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^vitest\//m);
    const said = run.stderr.split("[npm test] Skipped test groups:");
    expect(said).toHaveLength(3);
    for (const part of said.slice(1))
      expect(part).toMatch(/need the private Secret Service .*on darwin they are skipped/);
  });

  it("with CI=true, fails before running anything", () => {
    const run = npmTestOnAMac(true);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("[npm test] CI=true and test groups would be skipped; failing:");
    expect(run.stderr).toMatch(/need the private Secret Service/);
  });
});
