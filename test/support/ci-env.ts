/**
 * For the extension's tests of Add to CI Secrets: the stand-ins of gh and glab (test/support/ci-stand-ins.ts) first on
 * this process's PATH, where the extension looks (it reads Raycast's environment), with a token each; restored after
 * each test.
 */
import { afterEach, beforeEach } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ciStandIns, type CiStandIns } from "./ci-stand-ins";

export const CI_TOKEN = "stand-in-token";

/** Registers the hooks; the returned getter gives the current test's stand-ins. */
export function useCiStandIns(): () => CiStandIns {
  let current: CiStandIns;
  let saved: Record<string, string | undefined>;
  const root = mkdtempSync(path.join(tmpdir(), "lingcode-ci-"));
  beforeEach(() => {
    current = ciStandIns(root);
    const env = {
      ...current.env,
      GH_TOKEN: CI_TOKEN,
      GITLAB_TOKEN: CI_TOKEN,
      GH_CONFIG_DIR: path.join(current.dir, "gh"),
    };
    saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return () => current;
}
