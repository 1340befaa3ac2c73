/**
 * Setting through glab and gh when a run does not finish or says something long: the glab stand-in
 * (test/support/glab-stand-in.mjs) sets the first variables for real, and the runner then reports, for the next one,
 * what runTool reports when glab cannot start (a real spawn of a missing file) or was stopped at its timeout.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  parseCiTarget,
  planCiSecrets,
  runTool,
  setCiSecrets,
  type ToolRun,
  type ToolRunner,
} from "../../../src/lib/ci";
import { hasUnprintable } from "../../../src/lib/text";
import { ciStandIns, type CiStandIns } from "../../support/ci-stand-ins";
import { makeRecord } from "../../support/keys";

const TOKEN = "stand-in-token";
const root = mkdtempSync(path.join(tmpdir(), "lingcode-ci-set-"));
const target = parseCiTarget({ vendor: "gitlab", repo: "acme/ios/app" });
const secrets = planCiSecrets(makeRecord(), ["asc"]);
let ci: CiStandIns;

beforeEach(() => {
  ci = ciStandIns(root);
  ci.world({ token: TOKEN, projects: { "acme/ios/app": "maintainer" } });
});

/** runTool, except that the call setting `name` gets `instead`'s run. */
function runnerFailingOn(name: string, instead: ToolRunner): ToolRunner {
  return (call) => (call.args.includes(name) ? instead(call) : runTool(call));
}

const setWith = (run: ToolRunner) =>
  setCiSecrets({
    target,
    secrets,
    tool: path.join(ci.bin, "glab"),
    env: { ...process.env, ...ci.env, GITLAB_TOKEN: TOKEN },
    run,
  });

describe("glab that does not finish after some variables were set", () => {
  it("could not start: which were set, which not, how to retry (never 'nothing was set')", async () => {
    const missing = runnerFailingOn("ASC_ISSUER_ID", (call) => runTool({ ...call, file: path.join(ci.dir, "gone") }));
    const failure = await setWith(missing).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "ci-partial" });
    expect((failure as Error).message).toBe(
      "Only part was set in GitLab project acme/ios/app: set ASC_KEY_ID; not set ASC_ISSUER_ID (glab could not be " +
        "run (ENOENT)), ASC_PRIVATE_KEY_B64 (not tried); run the same command again: existing variables are updated.",
    );
    expect(Object.keys(ci.state().variables!["acme/ios/app"])).toEqual(["ASC_KEY_ID"]);
  });

  it("stopped at the timeout: the same partial report, the wait in words from the runner's own limit", async () => {
    const timedOut: ToolRun = { status: null, stdout: "", stderr: "", failure: "timeout" };
    const failure = await setWith(runnerFailingOn("ASC_PRIVATE_KEY_B64", async () => timedOut)).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: "ci-partial" });
    expect((failure as Error).message).toMatch(
      /: set ASC_KEY_ID, ASC_ISSUER_ID; not set ASC_PRIVATE_KEY_B64 \(glab did not finish within 120 s and was stopped\); run the same command again/,
    );
    expect((failure as Error).message).not.toContain("nothing was set");
  });

  it("on the first variable nothing was set, and it says so", async () => {
    const missing = runnerFailingOn("ASC_KEY_ID", (call) => runTool({ ...call, file: path.join(ci.dir, "gone") }));
    await expect(setWith(missing)).rejects.toMatchObject({ code: "ci-tool-missing" });
    expect(ci.state().variables ?? {}).toEqual({});
  });
});

describe("what a tool said, cut to one line", () => {
  it("is cut by character, never inside one (no lone surrogate)", async () => {
    const said = `failed to set secret "ASC_KEY_ID": HTTP 500: ${"x".repeat(144)}${"😀".repeat(8)}`;
    const run: ToolRunner = async () => ({ status: 1, stdout: "", stderr: `${said}\n` });
    const failure = await setCiSecrets({
      target: parseCiTarget({ vendor: "github", repo: "acme/app" }),
      secrets: secrets.slice(0, 1),
      tool: "gh",
      env: {},
      run,
    }).catch((error: unknown) => error as Error);
    const shown = /\(([^)]*)\)/.exec((failure as Error).message)![1];
    expect(hasUnprintable(shown)).toBe(false);
    expect([...shown]).toHaveLength(160);
    expect(shown.endsWith("😀…")).toBe(true);
  });
});
