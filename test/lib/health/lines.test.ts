import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CheckResult } from "../../../src/lib/apple";
import { AscKeyError } from "../../../src/lib/errors";
import { EXPORT_TABLE, readableVariables } from "../../../src/lib/exports/table";
import {
  appleLine,
  clockLine,
  environmentLine,
  findLeftoverKeyFiles,
  homeRelative,
  keyAgeLine,
  keychainLine,
  leftoverFilesLine,
  leftoverFolders,
  overallHealth,
} from "../../../src/lib/health/lines";
import type { KeySummary } from "../../../src/lib/status";

const saved: KeySummary = {
  configured: true,
  kind: "team",
  keyId: "ABC1234DEF",
  issuerIdSuffix: "72a",
  fingerprint: "SHA256:x",
  savedAt: "2026-01-01T00:00:00.000Z",
};

const check = (overrides: Partial<CheckResult>): CheckResult => ({
  outcome: "valid",
  message: "Key ABC1234DEF works: App Store Connect accepted it; nothing to do.",
  checkedAt: "2026-06-01T00:00:00.000Z",
  ...overrides,
});

describe("leftover .p8 files", () => {
  let home: string;
  beforeEach(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), "lingcode-health-"));
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it("looks in Downloads, Desktop and the three private_keys folders", () => {
    expect(leftoverFolders("/Users/me")).toEqual([
      "/Users/me/Downloads",
      "/Users/me/Desktop",
      "/Users/me/private_keys",
      "/Users/me/.private_keys",
      "/Users/me/.appstoreconnect/private_keys",
    ]);
  });

  it("finds the saved key's files (browser copies too), not other keys' or folders", async () => {
    for (const folder of leftoverFolders(home)) await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(home, "Downloads", "AuthKey_ABC1234DEF.p8"), "x");
    await fs.writeFile(path.join(home, "Downloads", "AuthKey_ABC1234DEF (1).p8"), "x");
    await fs.writeFile(path.join(home, ".appstoreconnect", "private_keys", "AuthKey_abc1234def.p8"), "x");
    await fs.writeFile(path.join(home, "Desktop", "AuthKey_OTHER00001.p8"), "x");
    await fs.mkdir(path.join(home, "private_keys", "AuthKey_ABC1234DEF.p8"));
    const found = await findLeftoverKeyFiles(home, "ABC1234DEF");
    expect(found.map((file) => homeRelative(file, home))).toEqual([
      "~/Downloads/AuthKey_ABC1234DEF (1).p8",
      "~/Downloads/AuthKey_ABC1234DEF.p8",
      "~/.appstoreconnect/private_keys/AuthKey_abc1234def.p8",
    ]);
  });

  it("missing folders are nothing to report", async () => {
    expect(await findLeftoverKeyFiles(home, "ABC1234DEF")).toEqual([]);
  });

  it("pass with none, warn with the files and the fix", () => {
    expect(leftoverFilesLine([], "/Users/me").level).toBe("pass");
    const line = leftoverFilesLine(["/Users/me/Downloads/AuthKey_ABC1234DEF.p8"], "/Users/me");
    expect(line).toEqual({
      check: "leftover-files",
      level: "warn",
      text: "The saved key's .p8 is still on disk: ~/Downloads/AuthKey_ABC1234DEF.p8; the Keychain has it, so the copy is only a risk.",
      fix: "move it to the Trash: asc-key doctor --trash-leftovers",
    });
    const two = leftoverFilesLine(["/Users/me/Downloads/a.p8", "/Users/me/Desktop/b.p8"], "/Users/me");
    expect(two.fix).toBe("move them to the Trash: asc-key doctor --trash-leftovers");
  });

  it("a file name's control characters never reach the line", () => {
    const line = leftoverFilesLine(["/Users/me/Downloads/AuthKey_ABC1234DEF\n(1).p8"], "/Users/me");
    expect(line.text).not.toMatch(/\n/);
    expect(line.text).toContain("AuthKey_ABC1234DEF?(1).p8");
  });
});

describe("environment variables other tools prefer", () => {
  it("none set: pass", () => {
    expect(environmentLine({ PATH: "/bin" }, saved)).toMatchObject({ check: "environment", level: "pass" });
  });

  it("the same key named: pass", () => {
    const line = environmentLine({ ASC_KEY_ID: "abc1234def", ASC_PRIVATE_KEY_PATH: "/x.p8" }, saved);
    expect(line).toEqual({ check: "environment", level: "pass", text: "ASC_KEY_ID names the saved key." });
  });

  it.each([
    ["APP_STORE_CONNECT_API_KEY_KEY_ID", "fastlane"],
    ["ASC_KEY_ID", "the asc CLI"],
    ["APP_STORE_CONNECT_KEY_IDENTIFIER", "codemagic"],
  ])("%s naming another key: warn, naming the tool and what to unset", (name, tool) => {
    const line = environmentLine({ [name]: "ZZZ9999ZZZ" }, saved);
    expect(line.level).toBe("warn");
    expect(line.text).toBe(`${name} names key ZZZ9999ZZZ, not the saved ABC1234DEF (${tool} uses it first).`);
    expect(line.fix).toBe(`unset ${name} (or point it at the saved key)`);
  });

  // The variables come from the exports table (what `import --from env` reads as a key): none is left unwarned.
  it.each(
    EXPORT_TABLE.filter((spec) => spec.group !== "file").flatMap((spec) =>
      readableVariables(spec)
        .filter((variable) => ["key-text", "key-base64", "key-path", "fastlane-json"].includes(variable.role))
        .map((variable) => [variable.name]),
    ),
  )("%s holding a key without a Key ID: warn, naming it", (name) => {
    const line = environmentLine({ [name]: "/somewhere/key" }, saved);
    expect(line.level).toBe("warn");
    expect(line.text).toMatch(new RegExp(`^${name} gives .+ a key without naming it\\.$`));
  });

  it("a key in the environment without a Key ID: warn, never showing the value", () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n-----END PRIVATE KEY-----";
    const line = environmentLine({ ASC_PRIVATE_KEY: pem, APP_STORE_CONNECT_PRIVATE_KEY: pem }, saved);
    expect(line.level).toBe("warn");
    expect(line.text).toBe(
      "ASC_PRIVATE_KEY gives the asc CLI a key without naming it; APP_STORE_CONNECT_PRIVATE_KEY gives codemagic a key without naming it.",
    );
    expect(JSON.stringify(line)).not.toContain("MIGT");
  });

  it("another team's Issuer ID: warn, masked", () => {
    const line = environmentLine({ APP_STORE_CONNECT_ISSUER_ID: "11111111-2222-3333-4444-555555555bbb" }, saved);
    expect(line.level).toBe("warn");
    expect(line.text).toContain("(...bbb)");
    expect(line.text).not.toContain("11111111");
  });

  it("a hostile value is shown printable and short", () => {
    const line = environmentLine({ ASC_KEY_ID: "X\u001b[31mEVIL\u0007AND A VERY LONG TAIL" }, saved);
    // eslint-disable-next-line no-control-regex
    expect(line.text).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe("the Keychain", () => {
  it("pass with the key", () => {
    expect(keychainLine({ summary: saved })).toEqual({
      check: "keychain",
      level: "pass",
      text: "The Keychain answers and holds key ABC1234DEF.",
    });
  });

  it("no key: fail with the register command", () => {
    const line = keychainLine({});
    expect(line.level).toBe("fail");
    expect(line.fix).toMatch(/asc-key register/);
  });

  it("locked: fail; over SSH the fix says there is no window to unlock it in", () => {
    const error = new AscKeyError("keychain-locked", "The keyring is locked and could not be unlocked.");
    const local = keychainLine({ error }, {});
    expect(local).toMatchObject({ level: "fail", text: "The keyring is locked and could not be unlocked." });
    expect(local.fix).toMatch(/^unlock the Keychain/);
    const remote = keychainLine({ error }, { SSH_CONNECTION: "10.0.0.1 5000 10.0.0.2 22" });
    expect(remote.fix).toMatch(/over SSH there is no window/);
  });

  it("a dismissed prompt: fail, asking to allow it", () => {
    const line = keychainLine({ error: new AscKeyError("keychain-cancelled", "The Keychain request was cancelled.") });
    expect(line.fix).toMatch(/^unlock the Keychain \(or allow the prompt\)/);
  });

  it("an unreadable entry: fail, register again", () => {
    const line = keychainLine({ error: new AscKeyError("record-corrupt", "x") });
    expect(line).toMatchObject({ level: "fail" });
    expect(line.fix).toMatch(/register the key again/);
  });

  it("an unknown error: fail without its text", () => {
    const line = keychainLine({ error: new Error("secret stuff") });
    expect(line.text).toBe("The Keychain could not be read.");
  });
});

describe("Apple, the agreement and the clock", () => {
  it("valid: pass; agreement: fail for the Account Holder; rejected: fail; offline: warn", () => {
    expect(appleLine(check({})).level).toBe("pass");
    const agreement = appleLine(check({ outcome: "agreement-required", message: "x" }));
    expect(agreement.level).toBe("fail");
    expect(agreement.text).toMatch(/waiting for the Account Holder/);
    expect(agreement.fix).toMatch(/Account Holder accepts it/);
    expect(appleLine(check({ outcome: "rejected", message: "Apple rejected key ABC1234DEF" })).level).toBe("fail");
    expect(appleLine(check({ outcome: "unreachable", message: "offline" })).level).toBe("warn");
    expect(appleLine(undefined).level).toBe("warn");
  });

  it.each([
    [0, "pass", "The clock is within 1 s of Apple's."],
    [-30, "pass", "The clock is within 30 s of Apple's."],
    [45, "warn", "The clock is 45 s slow against Apple's."],
    [-61, "fail", "The clock is 61 s fast against Apple's: Apple refuses tokens from it."],
  ] as const)("offset %i s: %s", (offset, level, text) => {
    const line = clockLine(check({ clockOffsetSeconds: offset }));
    expect(line.level).toBe(level);
    expect(line.text).toBe(text);
    if (level !== "pass") expect(line.fix).toMatch(/Set time and date automatically/);
  });

  it("no Date to compare with: warn", () => {
    expect(clockLine(check({ outcome: "unreachable" })).level).toBe("warn");
  });
});

describe("the key's age", () => {
  const now = Date.parse("2026-07-01T00:00:00.000Z");
  it("under the rotation age: pass; at it: warn with how to rotate; 0 days: never", () => {
    expect(keyAgeLine(saved, now, 365)).toEqual({
      check: "key-age",
      level: "pass",
      text: "Key ABC1234DEF was saved 181 days ago (rotate after 365).",
    });
    const old = keyAgeLine(saved, now, 180);
    expect(old.level).toBe("warn");
    expect(old.text).toBe("Key ABC1234DEF was saved 181 days ago, past the 180 days after which to rotate it.");
    expect(old.fix).toMatch(/create a new key .* asc-key register it, then revoke the old one/);
    expect(keyAgeLine(saved, now, 0).level).toBe("pass");
    expect(keyAgeLine(saved, now).level).toBe("warn");
  });
});

describe("overall", () => {
  it("ok unless a line fails; warnings do not fail", () => {
    expect(overallHealth([{ check: "clock", level: "warn", text: "x" }])).toBe("ok");
    expect(overallHealth([{ check: "apple", level: "fail", text: "x" }])).toBe("failing");
  });
});
