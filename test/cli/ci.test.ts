/**
 * asc-key ci github|gitlab, in this process, against the stand-ins of gh and glab (test/support/gh-stand-in.mjs,
 * glab-stand-in.mjs) placed first on PATH, with the key in an in-memory Keychain. The stand-ins record their argv,
 * their environment and, per value, only SHA-256 hashes; every case checks that no piece of the key (nor the whole
 * Issuer ID) is on an argv, in a child's environment, in a file of the case or in what asc-key printed.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, itemAccount } from "../../src/lib/keychain";
import { hasUnprintable } from "../../src/lib/text";
import { serializeRecord, type KeyRecord } from "../../src/lib/record";
import {
  cli,
  cliBackend,
  expectFailure,
  nodeOnlyPath,
  storeSecret,
  tmp,
  useCliMemoryKeychain,
  type Run,
} from "../support/asc-key";
import { ciStandIns, filesUnder, sha256, type CiStandIns, type ReceivedValue } from "../support/ci-stand-ins";
import { testService } from "../support/keyring";
import { ISSUER_ID, makeKey, makeRecord, type TestKey } from "../support/keys";
import { expectNoSecretIn } from "../support/leaks";
import type { MemoryBackend } from "../support/memory-keychain";

const TOKEN = "stand-in-token";
const NAMES = {
  fastlane: [
    "APP_STORE_CONNECT_API_KEY_KEY_ID",
    "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
    "APP_STORE_CONNECT_API_KEY_KEY",
    "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64",
  ],
  asc: ["ASC_KEY_ID", "ASC_ISSUER_ID", "ASC_PRIVATE_KEY_B64"],
  codemagic: ["APP_STORE_CONNECT_KEY_IDENTIFIER", "APP_STORE_CONNECT_ISSUER_ID", "APP_STORE_CONNECT_PRIVATE_KEY"],
} as const;
const ALL = [...NAMES.fastlane, ...NAMES.asc, ...NAMES.codemagic];
const ISSUER_NAMES = ["APP_STORE_CONNECT_API_KEY_ISSUER_ID", "ASC_ISSUER_ID", "APP_STORE_CONNECT_ISSUER_ID"];

let key: TestKey;
let record: KeyRecord;
let service: string;
let ci: CiStandIns;

useCliMemoryKeychain();

beforeEach(async () => {
  service = testService("ci");
  key = makeKey();
  record = makeRecord({}, key);
  ci = ciStandIns(tmp);
  await storeSecret(service, ACCOUNT, serializeRecord(record));
});

/** asc-key with exactly this environment: the stand-ins first on PATH, a home and gh config of the case's own. */
function run(args: string[], extra: Record<string, string | undefined> = {}, searchPath?: string): Promise<Run> {
  const home = path.join(ci.dir, "home");
  mkdirSync(home, { recursive: true });
  const env: Record<string, string> = {
    ...ci.env,
    HOME: home,
    TMPDIR: home,
    GH_CONFIG_DIR: path.join(ci.dir, "gh-config"),
    LINGCODE_KEYCHAIN_SERVICE: service,
  };
  if (searchPath !== undefined) env.PATH = searchPath;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return cli(["ci", ...args], { exactEnv: env });
}

const gh = (args: string[], extra: Record<string, string | undefined> = {}) =>
  run(["github", ...args], { GH_TOKEN: TOKEN, ...extra });
const glab = (args: string[], extra: Record<string, string | undefined> = {}) =>
  run(["gitlab", ...args], { GITLAB_TOKEN: TOKEN, ...extra });

/** No piece of the key and no whole Issuer ID: in the output, on any argv, in any child's environment, in any file. */
function expectNothingLeaked(result: Run) {
  const base64 = Buffer.from(key.pem).toString("base64");
  expectNoSecretIn({ pems: [key.pem], issuerIds: [ISSUER_ID], extra: [base64.slice(20, 60)] }, [
    ["stdout", result.stdout],
    ["stderr", result.stderr],
    ...ci.runs().map((r, i): [string, string] => [`argv of run ${i}`, JSON.stringify(r.argv)]),
    ...ci.runs().map((r, i): [string, string] => [`environment of run ${i}`, JSON.stringify(r.env)]),
    ...filesUnder(ci.dir),
  ]);
  for (const r of ci.runs()) expect(r.stdinIsTTY).toBe(false);
}

/** What each name must hold: its SHA-256, or the SHA-256 of its base64 decoding. */
function expectValues(received: Record<string, ReceivedValue>) {
  const pemSha = sha256(key.pem);
  for (const [name, value] of Object.entries(received)) {
    if (/KEY_ID$|KEY_IDENTIFIER$/.test(name)) expect(value.sha256, name).toBe(sha256(record.keyId));
    else if (/ISSUER_ID$/.test(name)) expect(value.sha256, name).toBe(sha256(ISSUER_ID));
    else if (name === "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64")
      expect(value.sha256, name).toBe(sha256("true"));
    else if (name === "APP_STORE_CONNECT_PRIVATE_KEY") {
      // codemagic reads PEM only: the key's exact text (glab trims the final line break, as GitLab keeps it).
      expect([sha256(key.pem), sha256(key.pem.trim())], name).toContain(value.sha256);
    } else {
      expect(value.decodedSha256, name).toBe(pemSha);
      expect(value.lines, name).toBe(1);
    }
  }
}

describe("asc-key ci github", () => {
  beforeEach(() => ci.world({ token: TOKEN, repos: { "acme/app": "admin" } }));

  it("sets every tool's names with gh secret set -f -, the key only on stdin, and prints the workflow's env", async () => {
    const result = await gh(["--repo", "acme/app"]);
    expect(result.status, result.stderr).toBe(0);
    const [only] = ci.runs();
    expect(ci.runs()).toHaveLength(1);
    expect(only.argv).toEqual(["secret", "set", "-f", "-", "-R", "acme/app"]);
    const received = only.received as Record<string, ReceivedValue>;
    expect(Object.keys(received).sort()).toEqual([...ALL].sort());
    expectValues(received);
    expect(Object.keys(ci.state().secrets!["acme/app"]).sort()).toEqual([...ALL].sort());
    expect(result.stdout).toContain(
      `Set ${ALL.length} GitHub Actions secrets for Key ID ${record.keyId} in GitHub repository acme/app`,
    );
    expect(result.stdout).toMatch(/^env:$/m);
    for (const name of ALL) expect(result.stdout).toContain(`  ${name}: \${{ secrets.${name} }}`);
    expect(result.stderr).toBe("");
    expectNothingLeaked(result);
  });

  it.each(Object.entries(NAMES))("--only %s sets exactly that tool's names", async (group, names) => {
    const result = await gh(["--repo", "acme/app", "--only", group]);
    expect(result.status, result.stderr).toBe(0);
    const received = ci.runs()[0].received as Record<string, ReceivedValue>;
    expect(Object.keys(received).sort()).toEqual([...names].sort());
    expectValues(received);
    expectNothingLeaked(result);
  });

  it("without --repo lets gh infer the repository from the folder's remote (no -R)", async () => {
    ci.world({ token: TOKEN, repos: { "acme/app": "admin" }, remote: "acme/app" });
    const result = await gh(["--only", "asc"]);
    expect(result.status, result.stderr).toBe(0);
    expect(ci.runs()[0].argv).toEqual(["secret", "set", "-f", "-"]);
    expect(result.stdout).toContain("the repository of this folder's git remote");
  });

  it("sets an environment's secrets with --env, and an organization's with --org and --visibility", async () => {
    ci.world({ token: TOKEN, repos: { "acme/app": "admin" }, environments: ["acme/app:production"], orgs: ["acme"] });
    expect((await gh(["--repo", "acme/app", "--env", "production", "--only", "asc"])).status).toBe(0);
    expect(ci.runs()[0].argv).toEqual(["secret", "set", "-f", "-", "-R", "acme/app", "--env", "production"]);
    const org = await gh(["--org", "acme", "--visibility", "all", "--only", "asc"]);
    expect(org.status, org.stderr).toBe(0);
    expect(ci.runs()[1].argv).toEqual(["secret", "set", "-f", "-", "--org", "acme", "--visibility", "all"]);
    expect(Object.keys(ci.state().secrets!["org:acme"]).sort()).toEqual([...NAMES.asc].sort());
  });

  it("leaves out the Issuer ID names for an individual key, says so, and maps ASC_KEY_TYPE in the workflow", async () => {
    record = makeRecord({ kind: "individual" }, key);
    await storeSecret(service, ACCOUNT, serializeRecord(record));
    const result = await gh(["--repo", "acme/app"]);
    expect(result.status, result.stderr).toBe(0);
    const received = ci.runs()[0].received as Record<string, ReceivedValue>;
    expect(Object.keys(received).sort()).toEqual(ALL.filter((name) => !ISSUER_NAMES.includes(name)).sort());
    expectValues(received);
    expect(result.stderr).toMatch(/^asc-key: note: An individual key has no Issuer ID: .*ASC_ISSUER_ID.* left out/m);
    expect(result.stdout).toContain("  ASC_KEY_TYPE: individual");
    expectNothingLeaked(result);
  });

  it("--dry-run lists the names and where, with no value, and runs nothing", async () => {
    const result = await gh(["--repo", "acme/app", "--only", "fastlane", "--dry-run"]);
    expect(result.status, result.stderr).toBe(0);
    expect(ci.runs()).toHaveLength(0);
    expect(result.stdout).toContain("Would set 4 GitHub Actions secrets");
    expect(result.stdout).toContain("GitHub repository acme/app");
    for (const name of NAMES.fastlane) expect(result.stdout).toMatch(new RegExp(`^  ${name}  fastlane: `, "m"));
    expect(result.stdout).not.toContain(record.keyId.repeat(2));
    expectNothingLeaked(result);
  });

  it("--dry-run --key reads no private key: the saved keys' list says the kind and Key ID", async () => {
    expect(
      (await cli(["rename", record.keyId, "Acme"], { exactEnv: { LINGCODE_KEYCHAIN_SERVICE: service } })).status,
    ).toBe(0);
    const backend = cliBackend() as MemoryBackend;
    backend.calls.length = 0;
    const result = await gh(["--repo", "acme/app", "--only", "asc", "--key", "Acme", "--dry-run"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Would set 3 GitHub Actions secrets for Key ID ${record.keyId}`);
    expect(backend.calls.length).toBeGreaterThan(0);
    const read = backend.calls.map((call) => call.account);
    expect(read).not.toContain(ACCOUNT);
    expect(read).not.toContain(itemAccount(record.keyId));
    // Setting reads it, as it must.
    ci.world({ token: TOKEN, repos: { "acme/app": "admin" } });
    expect((await gh(["--repo", "acme/app", "--only", "asc", "--key", "Acme"])).status).toBe(0);
    expect(backend.calls.map((call) => call.account)).toContain(itemAccount(record.keyId));
  });

  describe("errors: one line each, and nothing set", () => {
    const nothingSet = () => expect(ci.state().secrets?.["acme/app"] ?? {}).toEqual({});

    it("gh missing: how to install it (127), no key read", async () => {
      const result = await run(["github", "--repo", "acme/app"], { GH_TOKEN: TOKEN }, nodeOnlyPath(tmp));
      expectFailure(result, 127, /gh, GitHub's command line, is not installed: brew install gh/);
      expect(ci.runs()).toHaveLength(0);
    });

    it("not logged in (gh exits 4): which login command", async () => {
      const result = await gh(["--repo", "acme/app"], { GH_TOKEN: undefined });
      expectFailure(result, 7, /run gh auth login \(or set GH_TOKEN\).*nothing was set/);
      nothingSet();
      expectNothingLeaked(result);
    });

    it("a token GitHub refuses (HTTP 401): log in again", async () => {
      expectFailure(await gh(["--repo", "acme/app"], { GH_TOKEN: "expired" }), 7, /gh auth login/);
      nothingSet();
    });

    it("a repository that does not exist (HTTP 404)", async () => {
      expectFailure(
        await gh(["--repo", "acme/nope"]),
        7,
        /GitHub has no repository acme\/nope that gh's account can see/,
      );
    });

    it("no access to the repository (HTTP 403)", async () => {
      ci.world({ token: TOKEN, repos: { "acme/app": "read" } });
      expectFailure(
        await gh(["--repo", "acme/app"]),
        7,
        /may not manage secrets of GitHub repository acme\/app: it needs admin/,
      );
      nothingSet();
    });

    it("an environment the repository lacks", async () => {
      expectFailure(await gh(["--repo", "acme/app", "--env", "staging"]), 7, /no such environment/);
    });

    it("no --repo and no GitHub remote in this folder: pass --repo", async () => {
      expectFailure(await gh(["--only", "asc"]), 7, /could not tell the repository from this folder: pass --repo/);
    });

    it("every name refused by GitHub: which, and nothing set", async () => {
      ci.world({ token: TOKEN, repos: { "acme/app": "admin" }, refuse: [...NAMES.asc] });
      const result = await gh(["--repo", "acme/app", "--only", "asc"]);
      expectFailure(result, 7, /GitHub refused ASC_KEY_ID \(HTTP 422.*nothing was set/);
      nothingSet();
    });

    it("a partial failure: which names were set, which not, and how to retry", async () => {
      ci.world({ token: TOKEN, repos: { "acme/app": "admin" }, refuse: ["ASC_PRIVATE_KEY_B64"] });
      const result = await gh(["--repo", "acme/app", "--only", "asc"]);
      expectFailure(
        result,
        7,
        /set ASC_KEY_ID, ASC_ISSUER_ID; not set ASC_PRIVATE_KEY_B64.*run the same command again/,
      );
      expect(Object.keys(ci.state().secrets!["acme/app"]).sort()).toEqual(["ASC_ISSUER_ID", "ASC_KEY_ID"]);
      expectNothingLeaked(result);
    });

    it("gh's words are made printable before they are shown", async () => {
      ci.world({ token: TOKEN, repos: { "acme/app": "admin" }, remote: "acme/app", refuse: ["ASC_KEY_ID"] });
      const result = await gh(["--only", "asc"], { GH_HOST: "evil\u001b]0;pwned\u0007.example" });
      expect(result.status).toBe(7);
      expect(hasUnprintable(result.stderr.replace(/\n/g, ""))).toBe(false);
      expect(result.stderr).toContain("\\x1b]0;pwned\\x07");
    });

    it.each([
      [["--group", "acme"], /--group is for GitLab/],
      [["--org", "acme", "--repo", "acme/app"], /--org sets organization secrets/],
      [["--visibility", "all"], /--visibility goes with --org/],
      [["--only", "file"], /hands over a file, which a CI secret cannot carry/],
      [["--repo", "not a repo"], /--repo takes owner\/name/],
    ])("bad usage %j: exit 2, nothing run", async (args, reason) => {
      expectFailure(await gh(args), 2, reason);
      expect(ci.runs()).toHaveLength(0);
    });
  });
});

describe("asc-key ci gitlab", () => {
  beforeEach(() => ci.world({ token: TOKEN, projects: { "acme/ios/app": "maintainer" }, groups: ["acme"] }));

  it("sets each variable with glab variable set, its value on stdin, masked wherever GitLab allows", async () => {
    const result = await glab(["--repo", "acme/ios/app"]);
    expect(result.status, result.stderr).toBe(0);
    const runs = ci.runs();
    expect(runs.map((r) => r.name)).toEqual(ALL);
    for (const r of runs) {
      expect(r.argv.slice(0, 3)).toEqual(["variable", "set", r.name]);
      expect(r.argv.slice(-2)).toEqual(["-R", "acme/ios/app"]);
      const value = r.received as ReceivedValue;
      // GitLab masks one line of at least 8 characters from its set: all but the PEM and "true".
      const maskable =
        r.name !== "APP_STORE_CONNECT_PRIVATE_KEY" && r.name !== "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64";
      expect(value.masked, r.name).toBe(maskable);
    }
    expectValues(Object.fromEntries(runs.map((r) => [r.name!, r.received as ReceivedValue])));
    expect(result.stdout).toContain(
      `Set ${ALL.length} GitLab CI/CD variables for Key ID ${record.keyId} in GitLab project acme/ios/app`,
    );
    expect(result.stdout).toMatch(
      /# GitLab CI: every job has these in its environment already: \$APP_STORE_CONNECT_API_KEY_KEY_ID/,
    );
    expect(result.stderr).toContain("codemagic reads only the key's PEM text, which GitLab cannot mask");
    expectNothingLeaked(result);
  });

  it("updates a variable that exists (glab variable update, from stdin too)", async () => {
    expect((await glab(["--repo", "acme/ios/app", "--only", "asc"])).status).toBe(0);
    const again = await glab(["--repo", "acme/ios/app", "--only", "asc"]);
    expect(again.status, again.stderr).toBe(0);
    const second = ci.runs().slice(3);
    expect(second.map((r) => `${r.verb} ${r.name}`)).toEqual(
      NAMES.asc.flatMap((name) => [`set ${name}`, `update ${name}`]),
    );
    expect(again.stdout).toContain(`(updated: ${NAMES.asc.join(", ")})`);
    expectNothingLeaked(again);
  });

  it("a group's variables with --scope and --protected (update drops --scope, which glab refuses for a group)", async () => {
    const first = await glab(["--group", "acme", "--scope", "production", "--protected", "--only", "asc"]);
    expect(first.status, first.stderr).toBe(0);
    expect(ci.runs()[0].argv).toEqual([
      "variable",
      "set",
      "ASC_KEY_ID",
      "--masked",
      "--protected",
      "--scope",
      "production",
      "-g",
      "acme",
    ]);
    expect(first.stdout).toContain("jobs on protected branches and tags");
    expect((await glab(["--group", "acme", "--scope", "production", "--protected", "--only", "asc"])).status).toBe(0);
    expect(ci.runs()[4].argv).toEqual(["variable", "update", "ASC_KEY_ID", "--masked", "--protected", "-g", "acme"]);
  });

  it("--dry-run runs nothing", async () => {
    const result = await glab(["--repo", "acme/ios/app", "--only", "codemagic", "--dry-run"]);
    expect(result.status).toBe(0);
    expect(ci.runs()).toHaveLength(0);
    expect(result.stdout).toContain("Would set 3 GitLab CI/CD variables");
  });

  describe("errors", () => {
    it("glab missing: how to install it", async () => {
      expectFailure(await run(["gitlab", "--repo", "acme/ios/app"], {}, nodeOnlyPath(tmp)), 127, /brew install glab/);
    });

    it("not logged in: glab auth login, nothing set", async () => {
      const result = await glab(["--repo", "acme/ios/app"], { GITLAB_TOKEN: undefined });
      expectFailure(result, 7, /run glab auth login \(or set GITLAB_TOKEN\).*nothing was set/);
      expect(ci.state().variables ?? {}).toEqual({});
    });

    it("a project that does not exist", async () => {
      expectFailure(
        await glab(["--repo", "acme/nope"]),
        7,
        /GitLab has no project acme\/nope that glab's account can see/,
      );
    });

    it("no access: the Maintainer role", async () => {
      ci.world({ token: TOKEN, projects: { "acme/ios/app": "developer" } });
      expectFailure(await glab(["--repo", "acme/ios/app"]), 7, /needs the Maintainer role; nothing was set/);
    });

    it("a name refused by GitLab", async () => {
      ci.world({ token: TOKEN, projects: { "acme/ios/app": "maintainer" }, refuse: ["ASC_KEY_ID"] });
      expectFailure(
        await glab(["--repo", "acme/ios/app", "--only", "asc"]),
        7,
        /GitLab refused ASC_KEY_ID.*nothing was set/,
      );
      expect(ci.state().variables ?? {}).toEqual({});
    });

    it("a partial failure: which were set, which not, how to retry", async () => {
      ci.world({ token: TOKEN, projects: { "acme/ios/app": "maintainer" }, failOn: "ASC_ISSUER_ID" });
      const result = await glab(["--repo", "acme/ios/app", "--only", "asc"]);
      expectFailure(
        result,
        7,
        /set ASC_KEY_ID; not set ASC_ISSUER_ID \(glab failed \(exit 1\): POST .*\), ASC_PRIVATE_KEY_B64 \(not tried\); run the same command again: existing variables are updated/,
      );
      expect(Object.keys(ci.state().variables!["acme/ios/app"])).toEqual(["ASC_KEY_ID"]);
      expectNothingLeaked(result);
    });

    it("--env is GitHub's: exit 2, nothing run", async () => {
      expectFailure(await glab(["--env", "production"]), 2, /--env is for GitHub/);
      expect(ci.runs()).toHaveLength(0);
    });
  });
});
