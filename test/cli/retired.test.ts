/**
 * Retired keys through asc-key (in this process, test/support/asc-key.ts) with the Apple stand-in and an in-memory
 * Keychain (the retired keys' items over the real keyring are tested in test/lib/keys/retired.test.ts): rotate A → B; status and verify --retired say A still works (exit 3); once A is revoked at Apple, one
 * check is not proof, two 10 minutes apart by Apple's clock are; forget-retired needs --yes. No output carries key
 * material.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { savedKeysService } from "../../src/lib/keychain";
import { retiredAccount } from "../../src/lib/keychain/retired";
import { startAppleStandIn, type AppleStandIn } from "../support/apple-stand-in";
import { cli as inProcess, expectCleanOutput, storedSecret, useCliMemoryKeychain } from "../support/asc-key";
import type { Run } from "../support/cli";
import { HAS_KEYRING, testService } from "../support/keyring";
import { ISSUER_ID, makeKeyFile, type KeyFile } from "../support/keys";

let tmp: string;
let apple: AppleStandIn;
let env: Record<string, string>;
const pems: string[] = [];

/** `asc-key <args>` in this process (test/support/asc-key.ts), with exactly the test's environment. */
function cli(args: string[]): Promise<Run> {
  return inProcess(args, { exactEnv: env });
}

/** A team key of its own file, known to the stand-in. */
function made(): KeyFile {
  const made = makeKeyFile(tmp, pems);
  apple.register({ keyId: made.keyId, kind: "team", issuerId: ISSUER_ID, publicKey: made.key.publicKey });
  return made;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "lingcode-retired-"));
  apple = await startAppleStandIn();
}, 60_000);
afterAll(async () => {
  await apple.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("forget-retired help", () => {
  it("is listed, and needs a Key ID and --yes", async () => {
    env = { PATH: process.env.PATH ?? "" };
    expect((await cli(["--help"])).stdout).toContain("  forget-retired ");
    expect((await cli(["help", "verify"])).stdout).toContain("--retired");
    const none = await cli(["forget-retired"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/forget-retired needs <Key ID>/);
  });
});

describe.skipIf(!HAS_KEYRING)("retired keys through asc-key", { timeout: 120_000 }, () => {
  useCliMemoryKeychain();
  let service: string;
  beforeEach(() => {
    service = testService("cli-retired");
    env = {
      ...(process.env as Record<string, string>),
      LINGCODE_KEYCHAIN_SERVICE: service,
      LINGCODE_ASC_API_URL: apple.url,
    };
    delete env.NODE_OPTIONS;
  });
  it("rotate A → B: A still works, then two refusals 10 minutes apart by Apple's clock prove it revoked", async () => {
    const a = made();
    const b = made();
    expect(
      (await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", a.keyId, "--p8", a.file, "--name", "Acme"])).status,
    ).toBe(0);
    const rotation = await cli([
      "register",
      "--issuer-id",
      ISSUER_ID,
      "--key-id",
      b.keyId,
      "--p8",
      b.file,
      "--rotate",
      "Acme",
    ]);
    expect(rotation.status, rotation.stderr).toBe(0);
    // The rotation ends with its step, said as one, then what proves it done.
    const step = `Revoke key ${a.keyId} on Team Keys.`;
    const proof = `Key ${a.keyId} not proven revoked yet: once it is revoked on Team Keys, two refusals by Apple at least 10 minutes apart prove it.`;
    expect(rotation.stdout.split("\n").slice(1)).toEqual([expect.stringMatching(/^Fingerprint: /), step, proof, ""]);

    // Not checked yet: status shows it (no request), the step first, its JSON too.
    apple.requests.length = 0;
    let status = await cli(["status"]);
    expect(status.stdout.split("\n").slice(1, 3)).toEqual([step, `Retired: ${proof}`]);
    expect(apple.requests).toHaveLength(0);

    // Still works: verify --retired exits 3, one request for B and one for A.
    let verify = await cli(["verify", "--retired"]);
    expect(verify.status, verify.stderr).toBe(3);
    expect(apple.requests.map((request) => request.keyId)).toEqual([b.keyId, a.keyId]);
    expect(verify.stdout).toMatch(
      new RegExp(`${step}\nRetired: Key ${a.keyId} still works at Apple \\(checked .+\\): revoke it on Team Keys`),
    );
    status = await cli(["status", "--json"]);
    const json = JSON.parse(status.stdout) as { keyId: string; retired: { keyId: string; state: string }[] };
    expect(json.keyId).toBe(b.keyId);
    expect(json.retired).toMatchObject([{ keyId: a.keyId, state: "still-works" }]);
    // Never usable: not listed, no token.
    expect((await cli(["list", "--json"])).stdout).not.toContain(a.keyId);
    const token = await cli(["token", "--key", a.keyId]);
    expect(token.status).toBe(2);
    // Said as what it is, not as an unknown key; and so for every command that takes a key.
    const retiredLine = `asc-key: "Acme" (Key ID ${a.keyId}) is retired: it is kept only to ask Apple whether it still works.\n`;
    expect(token.stderr).toBe(retiredLine);
    for (const args of [
      ["use", a.keyId],
      ["export", "--key", a.keyId, "--format", "fastlane-json", "--out", path.join(tmp, "retired.json")],
      ["role", a.keyId, "admin"],
    ]) {
      const run = await cli(args);
      expect([run.status, run.stdout, run.stderr], args.join(" ")).toEqual([2, "", retiredLine]);
    }

    apple.setBehaviour(a.keyId, "revoked");
    verify = await cli(["verify", "--retired", "--json"]);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({
      outcome: "valid",
      retired: [{ keyId: a.keyId, state: "pending" }],
    });
    expect(await storedSecret(savedKeysService(service), retiredAccount(a.keyId))).toBeDefined();

    apple.setDateOffset(11 * 60);
    verify = await cli(["verify", "--retired"]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(new RegExp(`Retired: Key ${a.keyId} revoked: Apple refused it at .+ and .+\\.`));
    // Refused by Apple: the step is done, and no longer said.
    expect(verify.stdout).not.toContain(step);
    expect(await storedSecret(savedKeysService(service), retiredAccount(a.keyId))).toBeUndefined();
    apple.setDateOffset(0);

    // Dismissed with forget-retired (--yes needed).
    expect((await cli(["forget-retired", a.keyId])).status).toBe(2);
    const forgot = await cli(["forget-retired", a.keyId, "--yes"]);
    expect(forgot.status, forgot.stderr).toBe(0);
    expect(forgot.stdout).toContain(`Dismissed: Key ${a.keyId} revoked`);
    expect((await cli(["status"])).stdout).not.toContain("Retired:");
    for (const run of [rotation, status, verify, forgot]) expectCleanOutput(run);
  });

  it("forget-retired deletes a retired key's material without proof", async () => {
    const a = made();
    const b = made();
    await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", a.keyId, "--p8", a.file, "--name", "Acme"]);
    await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", b.keyId, "--p8", b.file, "--rotate", "Acme"]);
    const unknown = await cli(["forget-retired", "NOSUCHKEY9", "--yes"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(`the retired keys are ${a.keyId}`);
    const forgot = await cli(["forget-retired", a.keyId.toLowerCase(), "--yes"]);
    expect(forgot.status, forgot.stderr).toBe(0);
    expect(forgot.stdout).toContain(`Forgot retired key ${a.keyId} without proof`);
    expect(await storedSecret(savedKeysService(service), retiredAccount(a.keyId))).toBeUndefined();
  });
});
