/**
 * asc-key status against the private Secret Service, in this process; a child process where its PATH must lack the
 * Keychain tool.
 */
import { describe, expect, it } from "vitest";
import { ACCOUNT } from "../../src/lib/keychain";
import { serializeRecord } from "../../src/lib/record";
import {
  HAS_KEYRING,
  HAS_KEYTAR,
  itemPaths,
  loadKeytar,
  lookupDirectly,
  storeBareItem,
  storeDirectly,
  testService,
} from "../support/keyring";
import { ISSUER_ID, makeKeyFile, makeRecord } from "../support/keys";
import type { MemoryBackend } from "../support/memory-keychain";
import {
  apple,
  cli,
  cliBackend,
  cliProcess,
  expectFailure,
  expectNoSecrets,
  fingerprintOf,
  key,
  keyId,
  nodeOnlyPath,
  registerTeam,
  savedStatus,
  service,
  tmp,
  useCliWorld,
  useService,
  realKeyring,
} from "../support/asc-key";

describe.skipIf(!HAS_KEYRING)("status against a private Secret Service", () => {
  useCliWorld();

  describe("status", () => {
    it("says no key is configured and exits 1", async () => {
      const run = await cli(["status"]);
      expect(run).toEqual({ status: 1, stdout: "No, no ASC key configured.\n", stderr: "" });
      const json = await cli(["status", "--json"]);
      expect(json).toEqual({ status: 1, stdout: '{"configured":false}\n', stderr: "" });
    });

    it("prints the team sentence, and JSON with exactly the documented fields and nothing secret", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["status"]);
      expect(run).toEqual({ status: 0, stdout: `Yes, Issuer ID ends in ...b6c, Key ID ${keyId}\n`, stderr: "" });

      const json = await cli(["status", "--json"]);
      expect(json.status).toBe(0);
      expect(json.stdout.endsWith("\n")).toBe(true);
      expect(json.stdout.trimEnd().split("\n")).toHaveLength(1);
      const value = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(["configured", "kind", "keyId", "issuerIdSuffix", "fingerprint", "savedAt"]);
      expect(value).toMatchObject({
        configured: true,
        kind: "team",
        keyId,
        issuerIdSuffix: "b6c",
        fingerprint: fingerprintOf(key.publicKey),
      });
      expect(Date.parse(value.savedAt as string)).not.toBeNaN();
      expectNoSecrets(json.stdout + json.stderr, key);
    });

    it("reads the Keychain once: LingCode's entry and the list of retired keys in one run", async () => {
      expect((await registerTeam()).status).toBe(0);
      const backend = cliBackend() as MemoryBackend;
      backend.calls.length = 0;
      expect((await cli(["status"])).status).toBe(0);
      expect(backend.runs()).toBe(1);
      expect(backend.calls.map((call) => [call.op, call.account])).toEqual([
        ["get", ACCOUNT],
        ["get", "retired"],
      ]);
      // The same for --json.
      backend.calls.length = 0;
      expect((await cli(["status", "--json"])).status).toBe(0);
      expect(backend.runs()).toBe(1);
    });

    it("with a retired key, reads the Keychain at most once more", async () => {
      expect((await registerTeam(["--name", "Acme"])).status).toBe(0);
      const next = makeKeyFile(tmp, []);
      apple.register({ keyId: next.keyId, kind: "team", issuerId: ISSUER_ID, publicKey: next.key.publicKey });
      const args = ["--issuer-id", ISSUER_ID, "--key-id", next.keyId, "--p8", next.file, "--rotate", "Acme"];
      const rotation = await cli(["register", ...args]);
      expect(rotation.status, rotation.stderr).toBe(0);
      const backend = cliBackend() as MemoryBackend;
      backend.calls.length = 0;
      const run = await cli(["status"]);
      expect(run.stdout).toContain(`Retired: Key ${keyId} not proven revoked yet`);
      expect(backend.runs()).toBeLessThanOrEqual(2);
      expect(backend.calls.every((call) => call.op === "get")).toBe(true);
    });

    it("exits 4 for an unreadable entry and says to register again", async () => {
      await realKeyring();
      storeDirectly(service, ACCOUNT, "not json at all");
      expectFailure(await cli(["status"]), 4, /register the key again/);
      expectFailure(await cli(["status", "--json"]), 4, /register the key again/);
      expectFailure(await cli(["verify"]), 4);
      expectFailure(await cli(["token"]), 4);
      // Registering again replaces it.
      expect((await registerTeam()).status).toBe(0);
      expect((await cli(["status"])).status).toBe(0);
    });

    it("exits 4 when the Keychain tool is missing (PATH holds only node)", async () => {
      await realKeyring();
      // Child processes: the Keychain tool is looked up on the process's PATH.
      const env = { PATH: nodeOnlyPath(tmp) };
      expectFailure(await cliProcess(["status"], { env }), 4, /secret-tool/);
      expectFailure(await cliProcess(["token"], { env }), 4);
      expectFailure(await cliProcess(["remove"], { env }), 4);
      expectFailure(await registerTeam(["--skip-verify"], { env }, cliProcess), 4);
    });
  });

  describe("an item stored by a bare `secret-tool store service ... account ...` (no keytar schema)", () => {
    it("status sees it, and a registration replaces it: one item, which keytar and a bare lookup both read", async () => {
      await realKeyring();
      const old = makeRecord();
      useService(storeBareItem(() => testService("cli-bare"), ACCOUNT, serializeRecord(old)));
      const status = await cli(["status"]);
      expect(status).toEqual({ status: 0, stdout: `Yes, Issuer ID ends in ...b6c, Key ID ${old.keyId}\n`, stderr: "" });

      const run = await registerTeam();
      expect(run.status, run.stderr).toBe(0);
      // The key it held stays at hand among the saved keys; LingCode's entry is one item holding the new key.
      expect(run.stderr).toMatch(/LingCode now uses this key, saved as "[^"]+"; "[^"]+" stays saved/);
      expect(itemPaths(service, ACCOUNT)).toHaveLength(1);
      const saved = lookupDirectly(service, ACCOUNT);
      expect(saved && (JSON.parse(saved) as { keyId: string }).keyId).toBe(keyId);
      if (HAS_KEYTAR) expect(await loadKeytar().getPassword(service, ACCOUNT)).toBe(saved);
      expect((await savedStatus()).keyId).toBe(keyId);
    });
  });
});
